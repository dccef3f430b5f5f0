// Element-wise math, reductions, linear algebra and activations: `tf.add`,
// `tf.sum(x, axis?, keepDims?)`, `tf.matMul(a, b, transposeA?, transposeB?)`...
// with TF.js's argument order and names. Each is also a tensor method.

import ScriptCore
import TensorEngine

extension TFContext {
  /// Every op of the namespace (math here, creation and movement in TF+Creation).
  var opDefs: [OpDef] { mathOps + reductionOps + creationOps + movementOps + nnOps }

  /// The `tf.*` entries of all ops.
  var opEntries: [NativeEntry] { opDefs.map(\.namespaceEntry) }

  /// The tensor methods TF.js chains (`x.add(y)`), plus the receiver-specific ones.
  var chainedOps: [NativeEntry] { opDefs.compactMap(\.methodEntry) + receiverChainedOps }

  // MARK: - Builders

  private func unary(_ name: String, _ f: @escaping (Tensor) throws -> Tensor) -> OpDef {
    OpDef(name, 1) { [self] _, a in wrap(try f(try a.tensor(0, "x"))) }
  }

  private func binary(
    _ name: String, _ names: (String, String) = ("a", "b"), dtype: DType? = nil,
    _ f: @escaping (Tensor, Tensor) throws -> Tensor
  ) -> OpDef {
    OpDef(name, 2) { [self] _, a in
      wrap(try f(try a.tensor(0, names.0, dtype: dtype), try a.tensor(1, names.1, dtype: dtype)))
    }
  }

  private func reduction(
    _ name: String, dtype: DType? = nil,
    _ f: @escaping (Tensor, [Int]?, Bool) throws -> Tensor
  ) -> OpDef {
    OpDef(name, 3) { [self] _, a in
      wrap(try f(try a.tensor(0, "x", dtype: dtype), try a.axes(1), a.flag(2)))
    }
  }

  // MARK: - Element-wise

  private var mathOps: [OpDef] {
    var defs: [OpDef] = [
      unary("abs") { try $0.abs() }, unary("acos") { try $0.acos() },
      unary("asin") { try $0.asin() }, unary("atan") { try $0.atan() },
      unary("ceil") { try $0.ceil() }, unary("cos") { try $0.cos() },
      unary("cosh") { try $0.cosh() }, unary("elu") { try $0.elu() },
      unary("erf") { try $0.erf() }, unary("exp") { try $0.exp() },
      unary("expm1") { try $0.expm1() }, unary("floor") { try $0.floor() },
      unary("isFinite") { try $0.isFinite() }, unary("isInf") { try $0.isInf() },
      unary("isNaN") { try $0.isNaN() }, unary("log") { try $0.log() },
      unary("log1p") { try $0.log1p() }, unary("neg") { try $0.neg() },
      unary("reciprocal") { try $0.reciprocal() }, unary("relu") { try $0.relu() },
      unary("relu6") { try $0.relu6() }, unary("round") { try $0.round() },
      unary("rsqrt") { try $0.rsqrt() }, unary("selu") { try $0.selu() },
      unary("sigmoid") { try $0.sigmoid() }, unary("sign") { try $0.sign() },
      unary("sin") { try $0.sin() }, unary("sinh") { try $0.sinh() },
      unary("softplus") { try $0.softplus() }, unary("sqrt") { try $0.sqrt() },
      unary("square") { try $0.square() }, unary("tan") { try $0.tan() },
      unary("tanh") { try $0.tanh() },
      unary("logSigmoid") { try $0.logSigmoid() }, unary("asinh") { try $0.asinh() },
      unary("acosh") { try $0.acosh() }, unary("atanh") { try $0.atanh() },
      OpDef("logicalNot", 1) { [self] _, a in
        wrap(try a.tensor(0, "x", dtype: .bool).logicalNot())
      },
      OpDef("leakyRelu", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").leakyRelu(alpha: Float(try a.double(1, "alpha", default: 0.2))))
      },
      OpDef("step", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").step(alpha: Float(try a.double(1, "alpha", default: 0))))
      },
      OpDef("clipByValue", 3) { [self] _, a in
        let x = try a.tensor(0, "x")
        let lo = try a.number(1, name: "clipValueMin")
        let hi = try a.number(2, name: "clipValueMax")
        if lo > hi {
          throw argumentError(
            "Error in clip: min (\(formatNumber(lo))) must be less than or equal to max "
              + "(\(formatNumber(hi))).")
        }
        return wrap(try x.clipByValue(Float(lo), Float(hi)))
      },
      OpDef("prelu", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").prelu(try a.tensor(1, "alpha")))
      },
      OpDef("cast", 2) { [self] _, a in
        let x = try a.tensor(0, "x")
        guard let dtype = try a.dtype(1) else {
          throw argumentError("Argument 'dtype' passed to 'cast' must be a dtype, but got undefined")
        }
        return wrap(try x.cast(dtype))
      },
    ]
    defs += [
      binary("add") { try $0.add($1) }, binary("sub") { try $0.sub($1) },
      binary("mul") { try $0.mul($1) }, binary("div") { try $0.div($1) },
      binary("divNoNan") { try $0.divNoNan($1) }, binary("floorDiv") { try $0.floorDiv($1) },
      binary("mod") { try $0.mod($1) }, binary("pow", ("base", "exp")) { try $0.pow($1) },
      binary("maximum") { try $0.maximum($1) }, binary("minimum") { try $0.minimum($1) },
      binary("squaredDifference") { try $0.squaredDifference($1) },
      binary("atan2") { try $0.atan2($1) },
      binary("equal") { try $0.equal($1) }, binary("notEqual") { try $0.notEqual($1) },
      binary("less") { try $0.less($1) }, binary("lessEqual") { try $0.lessEqual($1) },
      binary("greater") { try $0.greater($1) },
      binary("greaterEqual") { try $0.greaterEqual($1) },
      binary("logicalAnd", dtype: .bool) { try $0.logicalAnd($1) },
      binary("logicalOr", dtype: .bool) { try $0.logicalOr($1) },
      binary("logicalXor", dtype: .bool) { try $0.logicalXor($1) },
      OpDef("addN", 1, chain: .none) { [self] _, a in
        wrap(try Tensor.addN(try a.tensorList(0, "tensors")))
      },
    ]
    defs += linearAlgebraOps
    return defs
  }

  // MARK: - Linear algebra and activations

  private var linearAlgebraOps: [OpDef] {
    [
      OpDef("matMul", 4) { [self] _, a in
        wrap(try a.tensor(0, "a").matMul(
          try a.tensor(1, "b"), transposeA: a.flag(2), transposeB: a.flag(3)))
      },
      binary("dot", ("t1", "t2")) { try $0.dot($1) },
      OpDef("outerProduct", 2, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "v1").outerProduct(try a.tensor(1, "v2")))
      },
      OpDef("softmax", 2) { [self] _, a in
        wrap(try a.tensor(0, "logits").softmax(dim: try a.int(1, "dim", default: -1)))
      },
      OpDef("logSoftmax", 2) { [self] _, a in
        wrap(try a.tensor(0, "logits").logSoftmax(axis: try a.int(1, "axis", default: -1)))
      },
      OpDef("dropout", 4, chain: .none) { [self] _, a in
        wrap(try a.tensor(0, "x").dropout(
          rate: try a.number(1, name: "rate"), noiseShape: try a.optionalShape(2, "noiseShape"),
          seed: try a.seed(3)))
      },
    ]
  }

  // MARK: - Reductions

  private var reductionOps: [OpDef] {
    [
      reduction("sum") { try $0.sum($1, keepDims: $2) },
      reduction("mean") { try $0.mean($1, keepDims: $2) },
      reduction("max") { try $0.max($1, keepDims: $2) },
      reduction("min") { try $0.min($1, keepDims: $2) },
      reduction("prod") { try $0.prod($1, keepDims: $2) },
      reduction("any", dtype: .bool) { try $0.any($1, keepDims: $2) },
      reduction("all", dtype: .bool) { try $0.all($1, keepDims: $2) },
      reduction("logSumExp") { try $0.logSumExp($1, keepDims: $2) },
      reduction("euclideanNorm") { try $0.euclideanNorm($1, keepDims: $2) },
      OpDef("argMax", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").argMax(try a.int(1, "axis", default: 0)))
      },
      OpDef("argMin", 2) { [self] _, a in
        wrap(try a.tensor(0, "x").argMin(try a.int(1, "axis", default: 0)))
      },
      OpDef("cumsum", 4) { [self] _, a in
        wrap(try a.tensor(0, "x").cumsum(
          axis: try a.int(1, "axis", default: 0), exclusive: a.flag(2), reverse: a.flag(3)))
      },
      OpDef("norm", 4) { [self] _, a in
        let x = try a.tensor(0, "x")
        let ord: NormOrder
        switch a[1] {
        case .undefined, .null, .string("euclidean"): ord = .euclidean
        case .string("fro"): ord = .fro
        case .number(let p): ord = .p(p)
        default:
          throw argumentError("Error in norm: invalid ord value: \(try a.string(1, name: "ord"))")
        }
        return wrap(try x.norm(ord: ord, axes: try a.axes(2), keepDims: a.flag(3)))
      },
      OpDef("moments", 3, chain: .none) { [self] _, a in
        let r = try a.tensor(0, "x").moments(try a.axes(1, "axes"), keepDims: a.flag(2))
        return object([("mean", wrap(r.mean)), ("variance", wrap(r.variance))])
      },
      OpDef("topk", 3) { [self] _, a in
        let r = try a.tensor(0, "x").topk(try a.int(1, "k", default: 1), sorted: a.flag(2, default: true))
        return object([("values", wrap(r.values)), ("indices", wrap(r.indices))])
      },
    ]
  }
}
