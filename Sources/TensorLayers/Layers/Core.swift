// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Core layers (TF.js layers/core.ts, engine/input_layer.ts): InputLayer,
// Dense, Flatten, Reshape, Dropout, Activation.

/// The entry point of a graph (TF.js `InputLayer`, `tf.input`).
public final class InputLayer: Layer {
  override public class var className: String { "InputLayer" }
  /// Whether the input is sparse (kept for configs).
  public let sparse: Bool

  /// Creates an input layer from `batchInputShape` or `inputShape` (+ `batchSize`).
  public required init(_ args: ConfigObject) throws {
    var a = args
    if !a.has("name") { a["name"] = .string(UID.get("input")) }
    let hasBatch = a.has("batchInputShape")
    let hasShape = a.has("inputShape")
    if hasBatch && hasShape {
      throw valueError(
        "Only provide the inputShape OR batchInputShape argument to inputLayer, "
          + "not both at the same time.")
    }
    if !hasBatch && !hasShape {
      throw valueError("An InputLayer should be passed either a batchInputShape or an inputShape.")
    }
    sparse = try args.bool("sparse") ?? false
    try super.init(a)
    if let shape = batchInputShape, shape.contains(where: { ($0 ?? 0) < 0 }) {
      throw valueError(
        "Input shape dimensions must be non-negative integers or null, but got "
          + "\(shapeJSON(shape)).")
    }
    trainable = false
    built = true
    let shape = batchInputShape ?? []
    let out = SymbolicTensor(
      dtype: dtype, shape: shape, sourceLayer: self, inputs: [], name: name, nodeIndex: 0,
      tensorIndex: 0)
    _ = Node(
      outboundLayer: self, inboundLayers: [], nodeIndices: [], tensorIndices: [],
      inputTensors: [out], outputTensors: [out], inputShapes: [shape], outputShapes: [shape])
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("sparse", .bool(sparse))])
  }

  override public func checkInputs(_ shapes: [[Int?]]) throws {
    throw valueError("Cannot call apply() on an InputLayer (\(name)); use its output.")
  }
}

/// `tf.input({shape | batchShape, name, dtype})`: the output of a new InputLayer.
public func input(
  shape: [Int?]? = nil, batchShape: [Int?]? = nil, name: String? = nil, dtype: DType = .float32
) throws -> SymbolicTensor {
  if shape == nil && batchShape == nil {
    throw valueError(
      "Please provide to Input either a `shape` or a `batchShape` argument. Note "
        + "that `shape` does not include the batch dimension.")
  }
  if shape != nil && batchShape != nil {
    throw valueError(
      "Please provide either a `shape` or `batchShape` argument to Input, but not "
        + "both.")
  }
  var args = ConfigObject([
    ("batchInputShape", .shape(batchShape ?? ([nil] + (shape ?? [])))),
    ("dtype", .string(dtype.rawValue)),
  ])
  if let name { args["name"] = .string(name) }
  return try InputLayer(args).inboundNodes[0].outputTensors[0]
}

/// A fully connected layer (TF.js `Dense`): `activation(x · kernel + bias)`.
public final class Dense: Layer {
  override public class var className: String { "Dense" }
  /// Number of output units.
  public let units: Int
  /// The activation.
  public let activation: Activation
  /// Whether a bias is added.
  public let useBias: Bool
  let kernelInitializer: Initializer, biasInitializer: Initializer
  let kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?
  /// The kernel `[inputDim, units]` once built.
  public private(set) var kernel: LayerVariable?
  /// The bias `[units]` once built.
  public private(set) var bias: LayerVariable?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let units = try args.int("units"), units > 0 else {
      throw valueError(
        "Expected units to be a positive integer, but got "
          + (args["units"]?.jsText ?? "undefined") + ".")
    }
    self.units = units
    activation = try Activation.from(args["activation"])
    useBias = try args.bool("useBias") ?? true
    kernelInitializer = try Initializer.from(args["kernelInitializer"], default: "glorotNormal")
    biasInitializer = try Initializer.from(args["biasInitializer"], default: "zeros")
    kernelRegularizer = try Regularizer.from(args["kernelRegularizer"])
    biasRegularizer = try Regularizer.from(args["biasRegularizer"])
    try super.init(args)
    inputSpec = InputSpec(minNDim: 2)
  }

  override public func build(_ inputShapes: [[Int?]]) throws {
    guard let inputDim = inputShapes[0].last ?? nil else {
      throw valueError("The last dimension of the input to Dense \(name) must be defined.")
    }
    kernel = try addWeight(
      "kernel", shape: [inputDim, units], initializer: kernelInitializer,
      regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [units], initializer: biasInitializer,
        regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(minNDim: 2, axes: [-1: inputDim])
    built = true
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    [Array(inputShapes[0].dropLast()) + [units]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    guard let kernel else { throw LayersError(.runtimeError, "Dense \(name) is not built.") }
    let x = inputs[0]
    return [
      try Engine.shared.tidy {
        let flat = x.rank == 2 ? x : try x.reshape([-1, x.shape[x.rank - 1]])
        var y = try flat.matMul(kernel.read())
        if let bias { y = try y.add(bias.read()) }
        if x.rank != 2 { y = try y.reshape(Array(x.shape.dropLast()) + [units]) }
        return try activation.apply(y)
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("units", .int(units)), ("activation", .string(activation.name)), ("useBias", .bool(useBias)),
      ("kernelInitializer", kernelInitializer.serialized),
      ("biasInitializer", biasInitializer.serialized),
      ("kernelRegularizer", kernelRegularizer?.serialized ?? .null),
      ("biasRegularizer", biasRegularizer?.serialized ?? .null),
      ("activityRegularizer", .null), ("kernelConstraint", .null), ("biasConstraint", .null),
    ])
  }
}

/// Flattens all but the batch dimension (TF.js `Flatten`).
public final class Flatten: Layer {
  override public class var className: String { "Flatten" }
  let dataFormat: String

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    dataFormat = try args.string("dataFormat") ?? "channelsLast"
    try super.init(args)
    inputSpec = InputSpec(minNDim: 3)
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    let rest = s.dropFirst()
    if rest.contains(where: { $0 == nil }) {
      throw valueError(
        "The shape of the input to \"Flatten\" is not fully defined (got "
          + "\(shapeJS(Array(rest)))). Make sure to pass a complete \"input\" or "
          + "\"batchInputShape\" argument to the first layer in your model.")
    }
    return [[s[0], rest.reduce(1) { $0 * ($1 ?? 1) }]]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    var x = inputs[0]
    return [
      try Engine.shared.tidy {
        if dataFormat == "channelsFirst" && x.rank > 1 {
          x = try x.transpose([0] + Array(2..<x.rank) + [1])
        }
        return try x.reshape([x.shape[0], -1])
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("dataFormat", .string(dataFormat))])
  }
}

/// Reshapes all but the batch dimension to `targetShape` (TF.js `Reshape`).
public final class Reshape: Layer {
  override public class var className: String { "Reshape" }
  /// The target shape (one entry may be nil or -1: inferred).
  public let targetShape: [Int?]

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let t = try args.shape("targetShape") else {
      throw valueError("targetShape is required for the Reshape layer")
    }
    targetShape = t.map { $0 == -1 ? nil : $0 }
    try super.init(args)
    inputSpec = InputSpec(minNDim: 1)
  }

  /// TF.js `fixUnknownDimension`.
  func fixUnknown(_ inputShape: [Int?]) throws -> [Int?] {
    let msg = "Total size of new array must be unchanged."
    var out = targetShape
    var known = 1
    var unknown: Int?
    for (i, d) in out.enumerated() {
      if let d {
        known *= d
      } else {
        if unknown != nil { throw valueError("Can only specifiy one unknown dimension.") }
        unknown = i
      }
    }
    guard !inputShape.contains(where: { $0 == nil }) else { return out }
    let original = inputShape.reduce(1) { $0 * ($1 ?? 1) }
    if let unknown {
      if known == 0 || original % known != 0 { throw valueError(msg) }
      out[unknown] = original / known
    } else if original != known {
      throw valueError(msg)
    }
    return out
  }

  override public func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    let s = inputShapes[0]
    if s.dropFirst().contains(where: { $0 == nil }) { return [[s[0]] + targetShape] }
    return [[s[0]] + (try fixUnknown(Array(s.dropFirst())))]
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    let rest = try fixUnknown(x.shape.dropFirst().map { Optional($0) })
    return [try x.reshape([x.shape[0]] + rest.map { $0 ?? -1 })]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("targetShape", .shape(targetShape))])
  }
}

/// Randomly zeroes inputs while training (TF.js `Dropout`).
public final class Dropout: Layer {
  override public class var className: String { "Dropout" }
  /// The fraction dropped.
  public let rate: Double
  let noiseShape: [Int?]?
  let seed: Double?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    guard let r = try args.double("rate") else {
      throw valueError("rate is required for the Dropout layer")
    }
    rate = Swift.max(0, Swift.min(1, r))
    noiseShape = try args.shape("noiseShape")
    seed = try args.double("seed")
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    guard training, rate > 0, rate < 1 else { return [x] }
    if let ns = noiseShape, ns.count != x.rank {
      throw valueError(
        "noiseShape \(shapeJSON(ns)) must have the rank of the input "
          + "(\(x.rank)).")
    }
    let noise = noiseShape.map { ns in ns.enumerated().map { i, d in d ?? x.shape[i] } }
    return [try x.dropout(rate: rate, noiseShape: noise, seed: seed)]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("rate", .number(rate)), ("noiseShape", noiseShape.map { .shape($0) } ?? .null),
      ("seed", seed.map { .number($0) } ?? .null),
    ])
  }
}

/// Applies an activation function (TF.js `Activation` layer).
public final class ActivationLayer: Layer {
  override public class var className: String { "Activation" }
  /// The function.
  public let activation: Activation

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    activation = try Activation.from(args["activation"])
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try activation.apply(inputs[0])]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("activation", .string(activation.name))])
  }
}
