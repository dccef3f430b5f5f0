// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// The layer base (TF.js engine/topology.ts `Layer`): naming, weights, build on
// first call, symbolic application recording nodes, eager application on
// tensors, configs. Subclasses override `build`, `computeOutputShape`, `call`
// and `layerConfig`.

/// A weight of a layer (TF.js `LayerVariable`): a engine variable plus the scoped
/// name weights files use (`dense_Dense1/kernel`).
public final class LayerVariable {
  /// The engine variable holding the value.
  public let variable: Variable
  /// The scoped name without uniqueness suffix, used to match saved weights.
  public let originalName: String
  /// The penalty added to the training loss, if any.
  public let regularizer: Regularizer?

  init(originalName: String, value: Tensor, trainable: Bool, regularizer: Regularizer?) throws {
    var unique = originalName
    var n = 0
    while Engine.shared.registeredVariables[unique] != nil {
      n += 1
      unique = "\(originalName)_\(n)"
    }
    self.variable = try Variable.make(value, trainable: trainable, name: unique)
    self.originalName = originalName
    self.regularizer = regularizer
  }

  /// The unique variable name (`originalName` with a `_n` suffix on reuse).
  public var name: String { variable.name }
  /// The shape.
  public var shape: [Int] { variable.shape }
  /// The element type.
  public var dtype: DType { variable.dtype }
  /// Whether optimizers update it.
  public var trainable: Bool {
    get { variable.trainable }
    set { variable.trainable = newValue }
  }

  /// The current value (the variable itself; do not dispose it).
  public func read() -> Tensor { variable }

  /// Replaces the value, checking the shape as TF.js does.
  public func write(_ value: Tensor) throws {
    if value.shape != variable.shape {
      throw valueError(
        "Shape mismatch in weight \(name): expected [\(shapeJS(variable.shape))] "
          + "but got [\(shapeJS(value.shape))]")
    }
    let cast = value.dtype == variable.dtype ? value : try value.cast(variable.dtype)
    try Engine.shared.tidy { try variable.assign(try cast.clone()) }
  }
}

/// The base of every layer and model (TF.js `tf.layers.Layer`).
open class Layer {
  /// The layer name (unique per model).
  public internal(set) var name: String
  /// Whether the layer's weights are updated by training.
  public var trainable: Bool {
    didSet { for w in ownTrainableWeights { w.trainable = trainable } }
  }
  /// True once the weights exist.
  public internal(set) var built = false
  /// The input shape (batch dimension first) given at construction, if any.
  public internal(set) var batchInputShape: [Int?]?
  /// The element type of the layer's computations.
  public internal(set) var dtype: DType
  /// The calls of this layer, in order.
  public internal(set) var inboundNodes: [Node] = []
  /// The calls that consumed this layer's outputs.
  public internal(set) var outboundNodes: [Node] = []
  /// Weights created as trainable, in creation order.
  var ownTrainableWeights: [LayerVariable] = []
  /// Weights created as non-trainable, in creation order.
  var ownNonTrainableWeights: [LayerVariable] = []
  /// Initial weights passed as the `weights` arg, set after the first build.
  var initialWeights: [Tensor]?
  /// Set when an `activityRegularizer` was given; applying the layer then throws, as in TF.js.
  var hasActivityRegularizer = false
  /// The args the layer was made from (kept for configs).
  public let args: ConfigObject

  /// TF.js's class name (`Dense`, `Conv2D`, ...).
  open class var className: String { "Layer" }
  /// TF.js's class name of this layer.
  public var className: String { Swift.type(of: self).className }

  /// Creates a layer from TF.js args (`name`, `trainable`, `inputShape`,
  /// `batchInputShape`, `batchSize`, `dtype`, `weights`).
  public required init(_ args: ConfigObject) throws {
    self.args = args
    let cls = Swift.type(of: self).className
    self.name = try args.string("name") ?? (toSnakeCase(cls) + "_" + UID.get(cls))
    self.trainable = try args.bool("trainable") ?? true
    if let dt = try args.string("dtype") {
      // Keras files may name wider or narrower types; the engine computes in these three.
      switch dt {
      case "float16", "float64", "bfloat16", "mixedFloat16", "mixedBfloat16":
        self.dtype = .float32
      case "int8", "int16", "int64", "uint8", "uint16": self.dtype = .int32
      default: self.dtype = try DType(name: dt)
      }
    } else {
      self.dtype = .float32
    }
    if let b = try args.shape("batchInputShape") {
      batchInputShape = b
    } else if let s = try args.shape("inputShape") {
      batchInputShape = [try args.int("batchSize")] + s
    } else if let d = try args.int("inputDim") {
      batchInputShape = [try args.int("batchSize"), d]
    }
    if args.has("activityRegularizer") {
      // TF.js accepts the arg but throws when such a layer is applied.
      hasActivityRegularizer = true
    }
    if let w = args["weights"], case .array(let items) = w {
      initialWeights = items.compactMap { item in
        if case .opaque(let o) = item { return o as? Tensor }
        return nil
      }
    }
  }

  // MARK: - Overridable behaviour

  /// Creates the weights for the given input shapes.
  open func build(_ inputShapes: [[Int?]]) throws { built = true }

  /// The output shapes for the given input shapes (identity by default).
  open func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] { inputShapes }

  /// The forward computation on concrete tensors.
  open func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] { inputs }

  /// The layer-specific keys of `getConfig()`.
  open func layerConfig() -> ConfigObject { ConfigObject() }

  /// What inputs the layer accepts (TF.js `InputSpec`): rank bounds and fixed axes.
  public struct InputSpec {
    var ndim: Int?
    var minNDim: Int?
    var maxNDim: Int?
    var axes: [Int: Int] = [:]
  }

  /// The accepted input, checked on every call (set by subclasses, axes after build).
  public var inputSpec: InputSpec?

  /// Checks the inputs a call receives (count, rank, fixed axes), as TF.js
  /// `assertInputCompatibility` does.
  open func checkInputs(_ shapes: [[Int?]]) throws {
    if shapes.count != 1 {
      throw valueError(
        "Layer \(name) expects 1 inputs, but it received \(shapes.count) input "
          + "tensors. Input received: \(shapes.map(shapeJSON).joined(separator: ","))")
    }
    guard let spec = inputSpec else { return }
    let shape = shapes[0]
    if let nd = spec.ndim, shape.count != nd {
      throw valueError(
        "Input 0 is incompatible with layer \(name): expected ndim=\(nd), found "
          + "ndim=\(shape.count)")
    }
    if let m = spec.minNDim, shape.count < m {
      throw valueError(
        "Input 0 is incompatible with layer \(name): expected min_ndim=\(m), "
          + "found ndim=\(shape.count).")
    }
    if let m = spec.maxNDim, shape.count > m {
      throw valueError(
        "Input 0 is incompatible with layer \(name): expected max_ndim=\(m), "
          + "found ndim=\(shape.count)")
    }
    for (axis, value) in spec.axes.sorted(by: { $0.key < $1.key }) {
      let a = axis < 0 ? shape.count + axis : axis
      guard a >= 0, a < shape.count else { continue }
      if let d = shape[a], d != value {
        throw valueError(
          "Input 0 is incompatible with layer \(name): expected axis \(axis) of "
            + "input shape to have value \(value) but got shape \(shapeJS(shape)).")
      }
    }
  }

  // MARK: - Weights

  /// Adds a weight (TF.js `addWeight`), named `<layer>/<name>`.
  @discardableResult
  public func addWeight(
    _ weightName: String, shape: [Int], initializer: Initializer,
    regularizer: Regularizer? = nil, trainable: Bool = true, dtype: DType? = nil
  ) throws -> LayerVariable {
    let value = try Engine.shared.tidy { try initializer.apply(shape, dtype: dtype ?? self.dtype) }
    // The variable keeps the buffer; the initial tensor goes, as TF.js disposes initValue.
    defer { value.dispose() }
    let v = try LayerVariable(
      originalName: "\(name)/\(weightName)", value: value, trainable: trainable && self.trainable,
      regularizer: regularizer)
    if trainable { ownTrainableWeights.append(v) } else { ownNonTrainableWeights.append(v) }
    return v
  }

  /// The trainable weights (none when the layer is frozen).
  open var trainableWeights: [LayerVariable] {
    trainable ? ownTrainableWeights.filter(\.trainable) : []
  }

  /// The non-trainable weights (all of them when the layer is frozen).
  open var nonTrainableWeights: [LayerVariable] {
    trainable
      ? ownTrainableWeights.filter { !$0.trainable } + ownNonTrainableWeights
      : ownTrainableWeights + ownNonTrainableWeights
  }

  /// Trainable then non-trainable weights.
  public var weights: [LayerVariable] { trainableWeights + nonTrainableWeights }

  /// Number of scalars in the weights; throws when the layer is not built.
  public func countParams() throws -> Int {
    if !built {
      throw LayersError(
        .runtimeError,
        "You tried to call countParams() on \(name), but the layer is not built yet. Build it "
          + "first by calling build(batchInputShape).")
    }
    return weights.reduce(0) { $0 + $1.shape.reduce(1, *) }
  }

  /// Copies of the weight values (TF.js `getWeights`), trainable first.
  public func getWeights(trainableOnly: Bool = false) throws -> [Tensor] {
    try (trainableOnly ? trainableWeights : weights).map { try $0.read().clone() }
  }

  /// Sets every weight from a list in `weights` order, checking count and shapes.
  public func setWeights(_ values: [Tensor]) throws {
    let ws = weights
    if values.count != ws.count {
      throw valueError(
        "You called setWeights(weights) on layer \"\(name)\" with a weight list "
          + "of length \(values.count), but the layer was expecting \(ws.count) weights. "
          + "Provided weights: \(values.map { "[\(shapeJS($0.shape))]" }.joined(separator: ","))..."
      )
    }
    for (w, v) in zip(ws, values) where w.shape != v.shape {
      throw valueError(
        "Layer weight shape \(shapeJS(w.shape)) not compatible with provided "
          + "weight shape \(shapeJS(v.shape))")
    }
    for (w, v) in zip(ws, values) { try w.write(v) }
  }

  /// The regularization penalties of the trainable weights, as scalars.
  open func regularizationLosses() throws -> [Tensor] {
    try trainableWeights.compactMap { w in try w.regularizer.map { try $0.apply(w.read()) } }
  }

  /// Disposes the weights (TF.js `dispose`).
  open func dispose() {
    for w in ownTrainableWeights + ownNonTrainableWeights { w.variable.dispose() }
  }

  // MARK: - Application

  /// Builds the layer for input shapes if needed (and applies `weights` args).
  public func ensureBuilt(_ shapes: [[Int?]]) throws {
    if hasActivityRegularizer {
      throw LayersError(
        .notImplemented,
        "Layer invocation in the presence of activity regularizer(s) is not supported yet.")
    }
    guard !built else { return }
    try build(shapes)
    built = true
    if let initialWeights {
      try setWeights(initialWeights)
      self.initialWeights = nil
    }
  }

  /// Applies the layer to symbolic tensors, recording a node (TF.js `apply`).
  public func apply(_ inputs: [SymbolicTensor], callArgs: ConfigObject = ConfigObject()) throws
    -> [SymbolicTensor]
  {
    let shapes = inputs.map(\.shape)
    try checkInputs(shapes)
    try ensureBuilt(shapes)
    let outShapes = try computeOutputShape(shapes)
    let nodeIndex = inboundNodes.count
    let outputs = outShapes.enumerated().map { i, s in
      SymbolicTensor(
        dtype: outputDType(inputs), shape: s, sourceLayer: self, inputs: inputs,
        name: "\(name)/\(name)", nodeIndex: nodeIndex, tensorIndex: i)
    }
    _ = Node(
      outboundLayer: self, inboundLayers: inputs.map(\.sourceLayer),
      nodeIndices: inputs.map(\.nodeIndex), tensorIndices: inputs.map(\.tensorIndex),
      inputTensors: inputs, outputTensors: outputs, inputShapes: shapes, outputShapes: outShapes,
      callArgs: callArgs)
    return outputs
  }

  /// Applies the layer to one symbolic tensor, giving its one output.
  public func apply(_ input: SymbolicTensor) throws -> SymbolicTensor {
    let out = try apply([input])
    guard out.count == 1 else {
      throw valueError("Layer \(name) has \(out.count) outputs; use apply([...]).")
    }
    return out[0]
  }

  /// The dtype of symbolic outputs.
  open func outputDType(_ inputs: [SymbolicTensor]) -> DType { inputs.first?.dtype ?? dtype }

  /// Applies the layer to concrete tensors (TF.js `apply` on Tensors).
  public func apply(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
    let shapes = inputs.map { $0.shape.map { Optional($0) } }
    try checkInputs(shapes)
    try ensureBuilt(shapes)
    return try call(inputs, training: training)
  }

  /// Applies the layer to one tensor.
  public func apply(_ input: Tensor, training: Bool = false) throws -> Tensor {
    try apply([input], training: training)[0]
  }

  // MARK: - Graph accessors

  /// The output of the layer's only call (TF.js `layer.output`).
  public var output: [SymbolicTensor] {
    get throws {
      if inboundNodes.isEmpty {
        throw LayersError(.attributeError, "Layer \(name) has no inbound nodes.")
      }
      if inboundNodes.count > 1 {
        throw LayersError(
          .attributeError,
          "Layer \(name) has multiple inbound nodes, hence the notion of \"layer output\" is "
            + "ill-defined. Use `getOutputAt(nodeIndex)` instead.")
      }
      return inboundNodes[0].outputTensors
    }
  }

  /// The input of the layer's only call (TF.js `layer.input`).
  public var input: [SymbolicTensor] {
    get throws {
      if inboundNodes.isEmpty {
        throw LayersError(.attributeError, "Layer \(name) is not connected, no input to return.")
      }
      if inboundNodes.count > 1 {
        throw LayersError(
          .attributeError,
          "Layer \(name) has multiple inbound nodes, hence the notion of \"layer input\" is "
            + "ill-defined. Use `getInputAt(nodeIndex)` instead.")
      }
      return inboundNodes[0].inputTensors
    }
  }

  /// The output shape(s) if all calls agree (TF.js `outputShape`).
  public var outputShape: [[Int?]] {
    get throws {
      if inboundNodes.isEmpty {
        throw LayersError(
          .attributeError,
          "The layer \(name) has never been called and thus has no defined output shape.")
      }
      let all = inboundNodes.map(\.outputShapes)
      guard all.allSatisfy({ $0.map(shapeJSON) == all[0].map(shapeJSON) }) else {
        throw LayersError(
          .attributeError,
          "The layer \(name) has multiple inbound nodes with different output shapes. Hence "
            + "the notion of \"output shape\" is ill-defined for the layer.")
      }
      return all[0]
    }
  }

  // MARK: - Config

  /// TF.js `getConfig()`: base keys then the layer's own.
  open func getConfig() -> ConfigObject {
    var c = ConfigObject([("name", .string(name)), ("trainable", .bool(trainable))])
    if let batchInputShape { c["batchInputShape"] = .shape(batchInputShape) }
    c["dtype"] = .string(dtype.rawValue)
    for (k, v) in layerConfig().pairs { c[k] = v }
    return c
  }
}
