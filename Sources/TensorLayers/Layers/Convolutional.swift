// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Convolutional layers (TF.js layers/convolutional.ts and
// convolutional_depthwise.ts): Conv1D, Conv2D, Conv2DTranspose,
// SeparableConv2D, DepthwiseConv2D. Channels-last only.

/// TF.js `convOutputLength`: the output length of a conv or pool along one axis.
func convOutputLength(
  _ input: Int?, _ kernel: Int, _ padding: String, _ stride: Int,
  dilation: Int = 1
) -> Int? {
  guard let input else { return nil }
  let dilated = kernel + (kernel - 1) * (dilation - 1)
  switch padding {
  case "same": return (input + stride - 1) / stride
  case "causal": return (input + stride - 1) / stride
  default: return Swift.max(0, (input - dilated + 1 + stride - 1) / stride)
  }
}

/// The engine padding for a layer padding name.
func enginePadding(_ padding: String) -> ConvPadding { padding == "same" ? .same : .valid }

/// Checks a padding and data-format arg.
func checkConvArgs(_ padding: String, _ dataFormat: String, causalAllowed: Bool = false) throws {
  let allowed = causalAllowed ? ["valid", "same", "causal"] : ["valid", "same"]
  guard allowed.contains(padding) else {
    throw valueError(
      "Invalid PaddingMode: \(padding). Valid values are: "
        + allowed.joined(separator: ","))
  }
  guard dataFormat == "channelsLast" else {
    if dataFormat == "channelsFirst" {
      throw LayersError(
        .notImplemented,
        "dataFormat channelsFirst is not supported by tl's "
          + "CPU engine; use channelsLast.")
    }
    throw valueError(
      "Invalid DataFormat: \(dataFormat). Valid values are: channelsFirst,channelsLast")
  }
}

/// The shared machinery of convolution layers (TF.js `BaseConv`/`Conv`).
public class BaseConv: Layer {
  /// Spatial rank (1 or 2).
  let rank: Int
  /// Output channels (nil for DepthwiseConv2D).
  let filters: Int?
  let kernelSize: [Int]
  let strides: [Int]
  let padding: String
  let dataFormat: String
  let dilationRate: [Int]
  let activation: Activation
  let useBias: Bool
  let kernelInitializer: Initializer, biasInitializer: Initializer
  let kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?
  var kernel: LayerVariable?
  var bias: LayerVariable?

  class var spatialRank: Int { 2 }
  class var needsFilters: Bool { true }
  class var kernelInitializerKey: String { "kernelInitializer" }

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    let r = Swift.type(of: self).spatialRank
    rank = r
    let cls = Swift.type(of: self).className
    if Swift.type(of: self).needsFilters {
      guard let f = try args.int("filters"), f > 0 else {
        throw valueError(
          "Expected filters to be a 'number' > 0, but got "
            + (args["filters"]?.jsText ?? "undefined"))
      }
      filters = f
    } else {
      filters = nil
    }
    guard let k = try args.intTuple("kernelSize", count: r) else {
      throw valueError("kernelSize is required for the \(cls) layer")
    }
    kernelSize = k
    strides = try args.intTuple("strides", count: r) ?? Array(repeating: 1, count: r)
    padding = try args.string("padding") ?? "valid"
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    dilationRate = try args.intTuple("dilationRate", count: r) ?? Array(repeating: 1, count: r)
    try checkConvArgs(padding, dataFormat, causalAllowed: r == 1)
    for (what, v) in [
      ("kernelSize", kernelSize), ("strides", strides), ("dilationRate", dilationRate),
    ]
    where v.contains(where: { $0 <= 0 }) {
      throw valueError("\(what) must be positive integers, but got [\(shapeJS(v))]")
    }
    activation = try Activation.from(args["activation"])
    useBias = try args.bool("useBias") ?? true
    kernelInitializer = try Initializer.from(
      args[Swift.type(of: self).kernelInitializerKey], default: "glorotNormal")
    biasInitializer = try Initializer.from(args["biasInitializer"], default: "zeros")
    kernelRegularizer = try Regularizer.from(
      args[
        Swift.type(of: self).kernelInitializerKey.replacingOccurrences(
          of: "Initializer", with: "Regularizer")])
    biasRegularizer = try Regularizer.from(args["biasRegularizer"])
    try super.init(args)
    inputSpec = InputSpec(ndim: r + 2)
  }

  /// The input channel count from an input shape.
  func channels(_ shape: [Int?]) throws -> Int {
    guard let c = shape.last ?? nil else {
      throw valueError("The channel dimension of the inputs should be defined. Found `undefined`.")
    }
    return c
  }

  /// Spatial output lengths.
  func spatialOutput(_ shape: [Int?]) -> [Int?] {
    (0..<rank).map { i in
      convOutputLength(shape[1 + i], kernelSize[i], padding, strides[i], dilation: dilationRate[i])
    }
  }

  /// The convolution with its bias and a linear/relu/relu6 activation in one kernel call
  /// (`depthwise` for DepthwiseConv2D), or nil where the op-by-op path must run: under a
  /// gradient tape, for other activations, dilated convolutions or non-float input.
  func fusedCall(_ x: Tensor, depthwise: Bool) throws -> Tensor? {
    guard !Engine.shared.isRecording, x.dtype == .float32, rank == 2,
      dilationRate.allSatisfy({ $0 == 1 }), let kernel,
      let bounds = fusableClamp(activation)
    else { return nil }
    return try x.convolutionWithEpilogue(
      kernel.read(), depthwise: depthwise, strides: strides, padding: enginePadding(padding),
      shift: try bias?.read().dataSync(), lower: bounds.0, upper: bounds.1)
  }

  /// Adds the bias and applies the activation.
  func finish(_ y: Tensor) throws -> Tensor {
    var out = y
    if let bias { out = try out.add(bias.read()) }
    return try activation.apply(out)
  }

  override public func layerConfig() -> ConfigObject {
    var c = ConfigObject()
    if let filters { c["filters"] = .int(filters) }
    c["kernelSize"] = .ints(kernelSize)
    c["strides"] = .ints(strides)
    c["padding"] = .string(padding)
    c["dataFormat"] = .string(dataFormat)
    c["dilationRate"] = .ints(dilationRate)
    c["activation"] = .string(activation.name)
    c["useBias"] = .bool(useBias)
    c[Swift.type(of: self).kernelInitializerKey] = kernelInitializer.serialized
    c["biasInitializer"] = biasInitializer.serialized
    c[
      Swift.type(of: self).kernelInitializerKey.replacingOccurrences(
        of: "Initializer", with: "Regularizer")] = kernelRegularizer?.serialized ?? .null
    c["biasRegularizer"] = biasRegularizer?.serialized ?? .null
    return c
  }
}

/// 2-D convolution (TF.js `Conv2D`): kernel `[kh, kw, inC, filters]`.
public class Conv2D: BaseConv {
  override public class var className: String { "Conv2D" }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let c = try channels(inputShapes[0])
    kernel = try addWeight(
      "kernel", shape: kernelSize + [c, filters!],
      initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [filters!], initializer: biasInitializer,
        regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(ndim: rank + 2, axes: [-1: c])
    built = true
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0]] + spatialOutput(s) + [filters]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    if let y = try fusedCall(inputs[0], depthwise: false) { return [y] }
    return [
      try Engine.shared.tidy {
        let y = try inputs[0].conv2d(
          kernel!.read(), strides: strides, padding: enginePadding(padding), dilations: dilationRate
        )
        return try finish(y)
      }
    ]
  }
}

/// 1-D convolution (TF.js `Conv1D`): kernel `[k, inC, filters]`; `causal` pads on the left.
public final class Conv1D: Conv2D {
  override public class var className: String { "Conv1D" }
  override class var spatialRank: Int { 1 }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [
      try Engine.shared.tidy {
        var x = inputs[0]
        var pad = enginePadding(padding)
        if padding == "causal" {
          x = try x.pad([[0, 0], [dilationRate[0] * (kernelSize[0] - 1), 0], [0, 0]])
          pad = .valid
        }
        let y = try x.conv1d(
          kernel!.read(), stride: strides[0], padding: pad,
          dilation: dilationRate[0])
        return try finish(y)
      }
    ]
  }
}

/// Transposed 2-D convolution (TF.js `Conv2DTranspose`): kernel `[kh, kw, filters, inC]`.
public final class Conv2DTranspose: Conv2D {
  override public class var className: String { "Conv2DTranspose" }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let c = try channels(inputShapes[0])
    kernel = try addWeight(
      "kernel", shape: kernelSize + [filters!, c],
      initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [filters!], initializer: biasInitializer,
        regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(ndim: 4, axes: [-1: c])
    built = true
  }

  /// TF.js `deconvLength`.
  func deconvLength(_ dim: Int?, _ i: Int) -> Int? {
    guard let dim else { return nil }
    let k = kernelSize[i] + (kernelSize[i] - 1) * (dilationRate[i] - 1)
    return padding == "valid" ? dim * strides[i] + Swift.max(k - strides[i], 0) : dim * strides[i]
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0], deconvLength(s[1], 0), deconvLength(s[2], 1), filters]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    guard x.rank == 4 else {
      throw valueError(
        "Conv2DTranspose.call() expects input tensor to be rank-4, but received "
          + "a tensor of rank-\(x.rank)")
    }
    return [
      try Engine.shared.tidy {
        let out = [
          x.shape[0], deconvLength(x.shape[1], 0)!, deconvLength(x.shape[2], 1)!, filters!,
        ]
        let y = try x.conv2dTranspose(
          kernel!.read(), outputShape: out, strides: strides,
          padding: enginePadding(padding))
        return try finish(y)
      }
    ]
  }
}

/// Depthwise 2-D convolution (TF.js `DepthwiseConv2D`): kernel `[kh, kw, inC, multiplier]`.
public final class DepthwiseConv2D: BaseConv {
  override public class var className: String { "DepthwiseConv2D" }
  override class var needsFilters: Bool { false }
  override class var kernelInitializerKey: String { "depthwiseInitializer" }
  /// Output channels per input channel.
  public let depthMultiplier: Int

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    depthMultiplier = try args.int("depthMultiplier") ?? 1
    try super.init(args)
  }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let c = try channels(inputShapes[0])
    kernel = try addWeight(
      "depthwise_kernel", shape: kernelSize + [c, depthMultiplier],
      initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [c * depthMultiplier], initializer: biasInitializer,
        regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(ndim: 4, axes: [-1: c])
    built = true
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0]] + spatialOutput(s) + [s[3].map { $0 * depthMultiplier }]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    if let y = try fusedCall(inputs[0], depthwise: true) { return [y] }
    return [
      try Engine.shared.tidy {
        let y = try inputs[0].depthwiseConv2d(
          kernel!.read(), strides: strides, padding: enginePadding(padding), dilations: dilationRate
        )
        return try finish(y)
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    var c = super.layerConfig()
    c["depthMultiplier"] = .int(depthMultiplier)
    return c
  }
}

/// Depthwise then pointwise convolution (TF.js `SeparableConv2D`).
public final class SeparableConv2D: BaseConv {
  override public class var className: String { "SeparableConv2D" }
  override class var kernelInitializerKey: String { "depthwiseInitializer" }
  /// Output channels per input channel of the depthwise step.
  public let depthMultiplier: Int
  let pointwiseInitializer: Initializer
  var pointwiseKernel: LayerVariable?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    depthMultiplier = try args.int("depthMultiplier") ?? 1
    pointwiseInitializer = try Initializer.from(
      args["pointwiseInitializer"], default: "glorotNormal")
    try super.init(args)
  }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let c = try channels(inputShapes[0])
    kernel = try addWeight(
      "depthwise_kernel", shape: kernelSize + [c, depthMultiplier],
      initializer: kernelInitializer, regularizer: kernelRegularizer)
    pointwiseKernel = try addWeight(
      "pointwise_kernel", shape: [1, 1, c * depthMultiplier, filters!],
      initializer: pointwiseInitializer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [filters!], initializer: biasInitializer,
        regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(ndim: 4, axes: [-1: c])
    built = true
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    return [[s[0]] + spatialOutput(s) + [filters]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [
      try Engine.shared.tidy {
        let y = try inputs[0].separableConv2d(
          depthwiseFilter: kernel!.read(), pointwiseFilter: pointwiseKernel!.read(),
          strides: strides, padding: enginePadding(padding), dilation: dilationRate)
        return try finish(y)
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    var c = super.layerConfig()
    c["depthMultiplier"] = .int(depthMultiplier)
    c["pointwiseInitializer"] = pointwiseInitializer.serialized
    return c
  }
}
