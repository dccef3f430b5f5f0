// Seeded random tensors (`tf.randomNormal(shape, mean?, stdDev?, dtype?, seed?)`
// ...), `tf.losses.*` with `tf.Reduction`, and `tf.util`.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ScriptCore
import TensorEngine

extension TFContext {
  // MARK: - Random

  var randomEntries: [NativeEntry] {
    [
      OpDef("randomNormal", 5, chain: .none) { [self] _, a in
        wrap(try Tensor.randomNormal(
          try a.shape(0), mean: try a.double(1, "mean", default: 0),
          stdDev: try a.double(2, "stdDev", default: 1), dtype: try a.dtype(3) ?? .float32,
          seed: try a.seed(4)))
      },
      OpDef("truncatedNormal", 5, chain: .none) { [self] _, a in
        wrap(try Tensor.truncatedNormal(
          try a.shape(0), mean: try a.double(1, "mean", default: 0),
          stdDev: try a.double(2, "stdDev", default: 1), dtype: try a.dtype(3) ?? .float32,
          seed: try a.seed(4)))
      },
      OpDef("randomUniform", 5, chain: .none) { [self] _, a in
        wrap(try Tensor.randomUniform(
          try a.shape(0), minval: try a.double(1, "minval", default: 0),
          maxval: try a.double(2, "maxval", default: 1), dtype: try a.dtype(3) ?? .float32,
          seed: try a.seed(4)))
      },
      OpDef("randomStandardNormal", 3, chain: .none) { [self] _, a in
        wrap(try Tensor.randomStandardNormal(
          try a.shape(0), dtype: try a.dtype(1) ?? .float32, seed: try a.seed(2)))
      },
      OpDef("multinomial", 4, chain: .none) { [self] _, a in
        wrap(try Tensor.multinomial(
          try a.tensor(0, "logits"), numSamples: try a.integer(1, name: "numSamples"),
          seed: try a.seed(2), normalized: a.flag(3)))
      },
      bufferOp,
    ].map(\.namespaceEntry)
  }

  // MARK: - Losses

  /// `tf.Reduction` values (`NONE` 0, `MEAN` 1, `SUM` 2, `SUM_BY_NONZERO_WEIGHTS` 3).
  private func reduction(_ a: Arguments, _ i: Int) throws -> LossReduction {
    if a[i].isNullish { return .sumByNonzeroWeights }
    switch try a.integer(i, name: "reduction") {
    case 0: return .none
    case 1: return .mean
    case 2: return .sum
    case 3: return .sumByNonzeroWeights
    default:
      throw argumentError("Unknown reduction: \(formatNumber(try a.number(i, name: "reduction")))")
    }
  }

  private func loss(
    _ name: String, _ labels: String, _ predictions: String,
    _ f: @escaping (Tensor, Tensor, Tensor?, Arguments) throws -> Tensor
  ) -> OpDef {
    OpDef(name, 4, chain: .none) { [self] _, a in
      wrap(try f(try a.tensor(0, labels), try a.tensor(1, predictions),
                 try a.optionalTensor(2, "weights"), a))
    }
  }

  var lossEntries: [NativeEntry] {
    [
      loss("absoluteDifference", "labels", "predictions") { [self] l, p, w, a in
        try Losses.absoluteDifference(l, p, weights: w, reduction: try reduction(a, 3))
      },
      OpDef("computeWeightedLoss", 3, chain: .none) { [self] _, a in
        wrap(try Losses.computeWeightedLoss(
          try a.tensor(0, "losses"), weights: try a.optionalTensor(1, "weights"),
          reduction: try reduction(a, 2)))
      },
      OpDef("cosineDistance", 5, chain: .none) { [self] _, a in
        wrap(try Losses.cosineDistance(
          try a.tensor(0, "labels"), try a.tensor(1, "predictions"),
          axis: try a.integer(2, name: "axis"), weights: try a.optionalTensor(3, "weights"),
          reduction: try reduction(a, 4)))
      },
      loss("hingeLoss", "labels", "predictions") { [self] l, p, w, a in
        try Losses.hingeLoss(l, p, weights: w, reduction: try reduction(a, 3))
      },
      OpDef("huberLoss", 5, chain: .none) { [self] _, a in
        wrap(try Losses.huberLoss(
          try a.tensor(0, "labels"), try a.tensor(1, "predictions"),
          weights: try a.optionalTensor(2, "weights"),
          delta: Float(try a.double(3, "delta", default: 1)), reduction: try reduction(a, 4)))
      },
      OpDef("logLoss", 5, chain: .none) { [self] _, a in
        wrap(try Losses.logLoss(
          try a.tensor(0, "labels"), try a.tensor(1, "predictions"),
          weights: try a.optionalTensor(2, "weights"),
          epsilon: Float(try a.double(3, "epsilon", default: 1e-7)), reduction: try reduction(a, 4)))
      },
      loss("meanSquaredError", "labels", "predictions") { [self] l, p, w, a in
        try Losses.meanSquaredError(l, p, weights: w, reduction: try reduction(a, 3))
      },
      OpDef("sigmoidCrossEntropy", 5, chain: .none) { [self] _, a in
        wrap(try Losses.sigmoidCrossEntropy(
          try a.tensor(0, "multiClassLabels"), try a.tensor(1, "logits"),
          weights: try a.optionalTensor(2, "weights"),
          labelSmoothing: Float(try a.double(3, "labelSmoothing", default: 0)),
          reduction: try reduction(a, 4)))
      },
      OpDef("softmaxCrossEntropy", 5, chain: .none) { [self] _, a in
        wrap(try Losses.softmaxCrossEntropy(
          try a.tensor(0, "onehotLabels"), try a.tensor(1, "logits"),
          weights: try a.optionalTensor(2, "weights"),
          labelSmoothing: Float(try a.double(3, "labelSmoothing", default: 0)),
          reduction: try reduction(a, 4)))
      },
    ].map(\.namespaceEntry)
  }

  // MARK: - util

  var utilEntries: [NativeEntry] {
    [
      .function("arraysEqual", arity: 2) { call in
        let interp = call.interpreter
        let x = try interp.collect(call.arguments[0])
        let y = try interp.collect(call.arguments[1])
        return .bool(x.count == y.count && zip(x, y).allSatisfy { strictEquals($0, $1) })
      },
      .function("assert", arity: 2) { call in
        if call.arguments[0].isTruthy { return .undefined }
        var message = call.arguments[1]
        if case .object(let o) = message, o is JSFunction {
          message = try call.interpreter.call(message, this: .undefined, [])
        }
        throw argumentError(message.isUndefined ? "" : try call.interpreter.toString(message))
      },
      .function("createShuffledIndices", arity: 1) { [self] call in
        let n = try call.arguments.integer(0, name: "n")
        guard n >= 0, n <= 1_000_000_000 else {
          throw ScriptThrow.rangeError("Invalid typed array length: \(n)")
        }
        var indices = (0..<n).map(Double.init)
        Tensor.shuffle(&indices)
        return .object(newTypedArray(.uint32, indices))
      },
      .function("flatten", arity: 1) { call in
        var out: [Value] = []
        func walk(_ v: Value) {
          if case .object(let o) = v, let a = o as? JSArray {
            a.elements.forEach(walk)
          } else if case .object(let o) = v, let t = o as? TypedArrayObject {
            out += t.values.map { .number($0) }
          } else {
            out.append(v)
          }
        }
        walk(call.arguments[0])
        return .object(call.interpreter.realm.newArray(out))
      },
      .function("isTypedArray", arity: 1) { call in
        if case .object(let o) = call.arguments[0], o is TypedArrayObject { return .true }
        return .false
      },
      .function("now", arity: 0) { _ in .number(monotonicMilliseconds()) },
      .function("shuffle", arity: 1) { call in
        try shuffleInPlace([call.arguments[0]], "shuffle")
        return .undefined
      },
      .function("shuffleCombo", arity: 2) { call in
        try shuffleInPlace([call.arguments[0], call.arguments[1]], "shuffleCombo")
        return .undefined
      },
      .function("sizeFromShape", arity: 1) { call in
        let shape = try call.arguments.intList(0, "shape")
        return .number(Double(shape.reduce(1, *)))
      },
    ]
  }
}

/// Shuffles arrays (JS or typed) in place with one shared permutation (`util.shuffle`,
/// `util.shuffleCombo`, which requires equal lengths).
private func shuffleInPlace(_ values: [Value], _ function: String) throws {
  var lengths: [Int] = []
  for v in values {
    switch v {
    case .object(let o as JSArray): lengths.append(o.elements.count)
    case .object(let o as TypedArrayObject): lengths.append(o.values.count)
    default:
      throw argumentError("Argument 'array' passed to '\(function)' must be an array")
    }
  }
  if Set(lengths).count > 1 {
    throw argumentError(
      "Array sizes must match to be shuffled together First array length was \(lengths[0]) "
        + "Second array length was \(lengths[1])")
  }
  var order = Array(0..<(lengths.first ?? 0))
  Tensor.shuffle(&order)
  for v in values {
    switch v {
    case .object(let o as JSArray): o.elements = order.map { o.elements[$0] }
    case .object(let o as TypedArrayObject): o.values = order.map { o.values[$0] }
    default: break
    }
  }
}

/// Milliseconds on a monotonic clock (`tf.util.now`).
private func monotonicMilliseconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}
