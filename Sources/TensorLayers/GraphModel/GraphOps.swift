// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// The graph ops the executor runs, with the semantics TF.js's executors give
// them (tfjs-converter src/operations/executors/*, op_list/*.json). Each op
// takes the node and its input tensors and returns the node's outputs.
// Attribute strings are lower-cased on decode, as TF.js's mapper does.

/// Runs one node given its input tensors.
typealias GraphOpKernel = (GraphNode, [Tensor]) throws -> [Tensor]

/// The op table.
enum GraphOps {
  /// Ops handled by the executor itself (inputs and constants) rather than a kernel.
  static let structural: Set<String> = ["Placeholder", "Const", "NoOp"]

  /// True when the executor can run `op`.
  static func supports(_ op: String) -> Bool { structural.contains(op) || kernels[op] != nil }

  /// Kernels by TensorFlow op name.
  static let kernels: [String: GraphOpKernel] = {
    var k: [String: GraphOpKernel] = [:]
    // MARK: - Identity and element-wise
    k["Identity"] = { _, x in [try arg(x, 0, "Identity").clone()] }
    // Unfed, it passes its default (input 0) through; fed, the executor never runs it.
    k["PlaceholderWithDefault"] = k["Identity"]
    k["StopGradient"] = k["Identity"]
    k["Snapshot"] = k["Identity"]
    k["Relu"] = unary { try $0.relu() }
    k["Relu6"] = unary { try $0.relu6() }
    k["Elu"] = unary { try $0.elu() }
    k["Selu"] = unary { try $0.selu() }
    k["Sigmoid"] = unary { try $0.sigmoid() }
    k["Tanh"] = unary { try $0.tanh() }
    k["Rsqrt"] = unary { try $0.rsqrt() }
    k["Sqrt"] = unary { try $0.sqrt() }
    k["Square"] = unary { try $0.square() }
    k["Neg"] = unary { try $0.neg() }
    k["Exp"] = unary { try $0.exp() }
    k["Softmax"] = unary { try $0.softmax() }
    k["LeakyRelu"] = { n, x in
      [try arg(x, 0, n.op).leakyRelu(alpha: Float(n.float("alpha", 0.2)))]
    }
    k["Prelu"] = { n, x in [try arg(x, 0, n.op).prelu(arg(x, 1, n.op))] }
    k["Add"] = binary { try $0.add($1) }
    k["AddV2"] = k["Add"]
    k["Sub"] = binary { try $0.sub($1) }
    k["Mul"] = binary { try $0.mul($1) }
    k["RealDiv"] = binary { try $0.div($1) }
    k["Maximum"] = binary { try $0.maximum($1) }
    k["Minimum"] = binary { try $0.minimum($1) }
    k["SquaredDifference"] = binary { try $0.squaredDifference($1) }
    k["BiasAdd"] = { n, x in
      try dataFormatNHWC(n)
      return [try arg(x, 0, n.op).add(arg(x, 1, n.op))]
    }
    k["AddN"] = { n, x in [try Tensor.addN(x)] }
    k["Cast"] = { n, x in
      guard let to = n.dtype("DstT") else {
        throw valueError("Cast node '\(n.name)' has an unsupported destination type.")
      }
      return [try arg(x, 0, n.op).cast(to)]
    }
    // MARK: - Reductions
    k["Mean"] = reduction { try $0.mean($1, keepDims: $2) }
    k["Sum"] = reduction { try $0.sum($1, keepDims: $2) }
    k["Max"] = reduction { try $0.max($1, keepDims: $2) }
    k["Min"] = reduction { try $0.min($1, keepDims: $2) }
    // MARK: - Convolution, pooling, normalization, matmul
    k["Conv2D"] = { n, x in [try conv(n, x, depthwise: false, fused: false)] }
    k["DepthwiseConv2dNative"] = { n, x in [try conv(n, x, depthwise: true, fused: false)] }
    k["_FusedConv2D"] = { n, x in [try conv(n, x, depthwise: false, fused: true)] }
    k["FusedDepthwiseConv2dNative"] = { n, x in [try conv(n, x, depthwise: true, fused: true)] }
    k[GraphRewrite.expandDepthwiseOp] = { n, x in [try expandDepthwise(n, x)] }
    k["AvgPool"] = { n, x in [try pool(n, x, max: false)] }
    k["MaxPool"] = { n, x in [try pool(n, x, max: true)] }
    k["FusedBatchNorm"] = { n, x in try fusedBatchNorm(n, x) }
    k["FusedBatchNormV2"] = k["FusedBatchNorm"]
    k["FusedBatchNormV3"] = k["FusedBatchNorm"]
    k["MatMul"] = { n, x in [try matMul(n, x, fused: false)] }
    k["_FusedMatMul"] = { n, x in [try matMul(n, x, fused: true)] }
    // MARK: - Shapes and movement
    k["Pad"] = { n, x in [try pad(n, x)] }
    k["PadV2"] = k["Pad"]
    k["ConcatV2"] = { n, x in
      guard x.count >= 2 else { throw valueError("ConcatV2 node '\(n.name)' needs an axis input.") }
      let axis = try intScalar(x[x.count - 1], n, "axis")
      return [try Tensor.concat(Array(x.dropLast()), axis: axis)]
    }
    k["Reshape"] = { n, x in [try arg(x, 0, n.op).reshape(intValues(arg(x, 1, n.op), n, "shape"))] }
    k["Squeeze"] = { n, x in
      let axes = n.ints("squeeze_dims") ?? n.ints("axis") ?? []
      return [try arg(x, 0, n.op).squeeze(axes.isEmpty ? nil : axes)]
    }
    k["ExpandDims"] = { n, x in
      [try arg(x, 0, n.op).expandDims(intScalar(arg(x, 1, n.op), n, "dim"))]
    }
    k["Shape"] = { n, x in
      let t = try arg(x, 0, n.op)
      return [try Tensor.tensor(t.shape.map(Float.init), shape: [t.rank], dtype: .int32)]
    }
    k["StridedSlice"] = { n, x in
      let t = try arg(x, 0, n.op)
      return [
        try t.stridedSlice(
          intValues(arg(x, 1, n.op), n, "begin"), intValues(arg(x, 2, n.op), n, "end"),
          intValues(arg(x, 3, n.op), n, "strides"), beginMask: n.int("begin_mask"),
          endMask: n.int("end_mask"), ellipsisMask: n.int("ellipsis_mask"),
          newAxisMask: n.int("new_axis_mask"), shrinkAxisMask: n.int("shrink_axis_mask"))
      ]
    }
    k["Pack"] = { n, x in [try Tensor.stack(x, axis: n.int("axis"))] }
    return k
  }()

  // MARK: - Helpers

  static func arg(_ x: [Tensor], _ i: Int, _ op: String) throws -> Tensor {
    guard i < x.count else {
      throw valueError("\(op) needs at least \(i + 1) inputs, got \(x.count).")
    }
    return x[i]
  }

  static func unary(_ f: @escaping (Tensor) throws -> Tensor) -> GraphOpKernel {
    { n, x in [try f(arg(x, 0, n.op))] }
  }

  static func binary(_ f: @escaping (Tensor, Tensor) throws -> Tensor) -> GraphOpKernel {
    { n, x in [try f(arg(x, 0, n.op), arg(x, 1, n.op))] }
  }

  static func reduction(_ f: @escaping (Tensor, [Int], Bool) throws -> Tensor) -> GraphOpKernel {
    { n, x in
      let axes = try intValues(arg(x, 1, n.op), n, "reduction_indices")
      return [try f(arg(x, 0, n.op), axes, n.bool("keep_dims"))]
    }
  }

  /// The values of an integer tensor input (axes, shapes, paddings).
  static func intValues(_ t: Tensor, _ n: GraphNode, _ what: String) throws -> [Int] {
    try t.dataSync().map { v in
      guard v.isFinite, abs(v) < 1e9 else {
        throw valueError("Node '\(n.name)' (\(n.op)): \(what) holds a non-integer value \(v).")
      }
      return Int(v)
    }
  }

  static func intScalar(_ t: Tensor, _ n: GraphNode, _ what: String) throws -> Int {
    let v = try intValues(t, n, what)
    guard v.count == 1 else {
      throw valueError("Node '\(n.name)' (\(n.op)): \(what) must be a single integer.")
    }
    return v[0]
  }

  static func dataFormatNHWC(_ n: GraphNode) throws {
    if let f = n.string("data_format"), f != "nhwc" {
      throw valueError(
        "Node '\(n.name)' (\(n.op)) uses data_format \(f.uppercased()); only NHWC is supported.")
    }
  }

  /// `[1, h, w, 1]` strides/dilations/ksize → `[h, w]`.
  static func spatial(_ n: GraphNode, _ key: String, default d: [Int]? = nil) throws -> [Int] {
    guard let v = n.ints(key), !v.isEmpty else {
      if let d { return d }
      throw valueError("Node '\(n.name)' (\(n.op)) has no \(key) attribute.")
    }
    guard v.count == 4 else {
      throw valueError("Node '\(n.name)' (\(n.op)): \(key) must have 4 entries, got \(v).")
    }
    return [v[1], v[2]]
  }

  static func padding(_ n: GraphNode) throws -> ConvPadding {
    switch n.string("padding") {
    case "same"?: return .same
    case "valid"?: return .valid
    case "explicit"?:
      let p = n.ints("explicit_paddings") ?? []
      guard p.count == 8 else {
        throw valueError(
          "Node '\(n.name)' (\(n.op)): explicit_paddings must have 8 entries, got \(p.count).")
      }
      return .explicit(top: p[2], bottom: p[3], left: p[4], right: p[5])
    case let other:
      throw valueError("Node '\(n.name)' (\(n.op)) has unsupported padding \(other ?? "none").")
    }
  }
}

// MARK: - Op families

extension GraphOps {
  /// Conv2D / DepthwiseConv2dNative, and their fused forms with `fused_ops`
  /// `[extra, activation]`: extra is biasadd (args: bias), fusedbatchnorm (args: scale,
  /// offset, mean, variance) or noop; prelu takes one more arg (alpha).
  static func conv(_ n: GraphNode, _ x: [Tensor], depthwise: Bool, fused: Bool) throws -> Tensor {
    try dataFormatNHWC(n)
    let input = try arg(x, 0, n.op)
    let filter = try arg(x, 1, n.op)
    let strides = try spatial(n, "strides")
    let dilations = try spatial(n, "dilations", default: [1, 1])
    let pad = try padding(n)
    guard fused else {
      return depthwise
        ? try input.depthwiseConv2d(filter, strides: strides, padding: pad, dilations: dilations)
        : try input.conv2d(filter, strides: strides, padding: pad, dilations: dilations)
    }
    let f = try FusedOps(n, args: Array(x.dropFirst(2)))
    if f.batchNorm == nil, let act = f.engineActivation {
      let run = depthwise ? input.fusedDepthwiseConv2d : input.fusedConv2d
      return try run(
        filter, strides, pad, "NHWC", dilations, nil, f.bias, act, f.preluAlpha,
        Float(n.float("leakyrelu_alpha", 0.2)))
    }
    let y =
      depthwise
      ? try input.depthwiseConv2d(filter, strides: strides, padding: pad, dilations: dilations)
      : try input.conv2d(filter, strides: strides, padding: pad, dilations: dilations)
    return try f.apply(to: y, n)
  }

  /// GraphRewrite's fused expansion + depthwise node: inputs (x, 1×1 filter, bias, depthwise
  /// filter, bias); `expand_fused_ops` and `fused_ops` are each [BiasAdd] or [BiasAdd, Relu|Relu6].
  static func expandDepthwise(_ n: GraphNode, _ x: [Tensor]) throws -> Tensor {
    func activation(_ key: String) throws -> FusedActivation {
      let ops = n.strings(key)
      guard ops.count == 2 else { return .linear }
      guard let a = FusedActivation(rawValue: ops[1]) else {
        throw valueError("Node '\(n.name)' (\(n.op)) has unsupported \(key) \(ops).")
      }
      return a
    }
    return try arg(x, 0, n.op).expandDepthwiseConv2d(
      expandFilter: arg(x, 1, n.op), expandBias: arg(x, 2, n.op),
      expandActivation: try activation("expand_fused_ops"), filter: arg(x, 3, n.op),
      strides: try spatial(n, "strides"), padding: try padding(n),
      dilations: try spatial(n, "dilations", default: [1, 1]), bias: arg(x, 4, n.op),
      activation: try activation("fused_ops"))
  }

  static func matMul(_ n: GraphNode, _ x: [Tensor], fused: Bool) throws -> Tensor {
    let y = try arg(x, 0, n.op).matMul(
      arg(x, 1, n.op), transposeA: n.bool("transpose_a"), transposeB: n.bool("transpose_b"))
    guard fused else { return y }
    return try FusedOps(n, args: Array(x.dropFirst(2))).apply(to: y, n)
  }

  static func pool(_ n: GraphNode, _ x: [Tensor], max: Bool) throws -> Tensor {
    try dataFormatNHWC(n)
    let input = try arg(x, 0, n.op)
    let size = try spatial(n, "ksize")
    let strides = try spatial(n, "strides")
    let pad = try padding(n)
    return max
      ? try input.maxPool(filterSize: size, strides: strides, padding: pad)
      : try input.avgPool(filterSize: size, strides: strides, padding: pad)
  }

  /// Inference batch norm: inputs x, scale, offset, mean, variance; outputs y, mean, variance.
  static func fusedBatchNorm(_ n: GraphNode, _ x: [Tensor]) throws -> [Tensor] {
    try dataFormatNHWC(n)
    if n.bool("is_training") {
      throw valueError(
        "Node '\(n.name)' (\(n.op)) is in training mode; only inference batch norm is supported.")
    }
    let mean = try arg(x, 3, n.op)
    let variance = try arg(x, 4, n.op)
    let y = try arg(x, 0, n.op).batchNorm(
      mean: mean, variance: variance, offset: arg(x, 2, n.op), scale: arg(x, 1, n.op),
      varianceEpsilon: Float(n.float("epsilon", 0.0001)))
    return [y, try mean.clone(), try variance.clone()]
  }

  static func pad(_ n: GraphNode, _ x: [Tensor]) throws -> Tensor {
    let input = try arg(x, 0, n.op)
    let p = try arg(x, 1, n.op)
    let flat = try intValues(p, n, "paddings")
    guard p.rank == 2, p.shape[1] == 2, p.shape[0] == input.rank else {
      throw valueError(
        "Node '\(n.name)' (\(n.op)): paddings must have shape [\(input.rank),2], "
          + "got [\(p.shape.map(String.init).joined(separator: ","))].")
    }
    let pairs = stride(from: 0, to: flat.count, by: 2).map { [flat[$0], flat[$0 + 1]] }
    var value: Float = Float(n.float("constant_value", 0))
    if n.op == "PadV2", x.count > 2 { value = try x[2].scalarValue() }
    return try input.pad(pairs, constantValue: value)
  }
}

// MARK: - fused_ops

/// The decoded `fused_ops` of a _FusedConv2D, FusedDepthwiseConv2dNative or _FusedMatMul.
struct FusedOps {
  var bias: Tensor?
  /// (scale, offset, mean, variance, epsilon) for a fused batch norm.
  var batchNorm: (Tensor, Tensor, Tensor, Tensor, Float)?
  var activation = "linear"
  var preluAlpha: Tensor?
  var leakyAlpha: Float

  init(_ n: GraphNode, args: [Tensor]) throws {
    leakyAlpha = Float(n.float("leakyrelu_alpha", 0.2))
    let ops = n.strings("fused_ops")
    var rest = args[...]
    func take(_ what: String) throws -> Tensor {
      guard let t = rest.popFirst() else {
        throw valueError("Node '\(n.name)' (\(n.op)): fused \(what) is missing its argument.")
      }
      return t
    }
    for (i, op) in ops.enumerated() {
      switch op {
      case "biasadd" where i == 0, "add" where i == 0: bias = try take(op)
      case "fusedbatchnorm" where i == 0, "fusedbatchnormv3" where i == 0:
        batchNorm = (
          try take(op), try take(op), try take(op), try take(op),
          Float(n.float("epsilon", 0.0001))
        )
      case "noop" where i == 0: continue
      case "relu", "relu6", "elu", "leakyrelu", "sigmoid", "tanh", "prelu":
        activation = op
        if op == "prelu" { preluAlpha = try take(op) }
      default:
        throw valueError(
          "Node '\(n.name)' (\(n.op)) has unsupported fused_ops \(ops); supported: "
            + "[BiasAdd|FusedBatchNorm|NoOp, Relu|Relu6|Elu|LeakyRelu|Sigmoid|Tanh|Prelu].")
      }
    }
  }

  /// The engine's fused activation for this op, nil when it has none (tanh).
  var engineActivation: FusedActivation? {
    activation == "tanh" ? nil : FusedActivation(rawValue: activation)
  }

  /// Applies bias / batch norm and the activation to an unfused result.
  func apply(to y0: Tensor, _ n: GraphNode) throws -> Tensor {
    var y = y0
    if let bias { y = try y.add(bias) }
    if let (scale, offset, mean, variance, eps) = batchNorm {
      y = try y.batchNorm(
        mean: mean, variance: variance, offset: offset, scale: scale, varianceEpsilon: eps)
    }
    switch activation {
    case "linear": return y
    case "relu": return try y.relu()
    case "relu6": return try y.relu6()
    case "elu": return try y.elu()
    case "sigmoid": return try y.sigmoid()
    case "tanh": return try y.tanh()
    case "leakyrelu": return try y.leakyRelu(alpha: leakyAlpha)
    case "prelu":
      guard let preluAlpha else { throw valueError("Node '\(n.name)': prelu needs alpha.") }
      return try y.prelu(preluAlpha)
    default: throw valueError("Node '\(n.name)': unsupported activation \(activation).")
    }
  }
}
