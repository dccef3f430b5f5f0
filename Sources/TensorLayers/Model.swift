// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Functional models (TF.js engine/container.ts + training.ts `LayersModel`):
// walk back from the outputs to the inputs, order the nodes by depth, run
// them in that order. A model is itself a layer, so it can be nested.

/// A graph of layers from input to output symbolic tensors (TF.js `tf.LayersModel`).
open class LayersModel: Layer {
  override open class var className: String { "Model" }

  /// The model's input placeholders.
  public internal(set) var inputs: [SymbolicTensor] = []
  /// The model's output placeholders.
  public internal(set) var outputs: [SymbolicTensor] = []
  /// The layers, inputs first, in TF.js's order.
  public internal(set) var layers: [Layer] = []
  /// The graph nodes by depth (0 = the outputs' nodes).
  var nodesByDepth: [Int: [Node]] = [:]
  /// Ids of the nodes that belong to this graph.
  var containerNodeIds: Set<Int> = []
  /// Training configuration, set by `compile`.
  public internal(set) var compiled: CompiledState?
  /// The layer chains fused at inference (built on first use; reset with the graph).
  var inferencePlan: InferencePlan?
  /// Set to true (e.g. by a callback) to stop `fit` after the current batch.
  public var stopTraining = false
  /// True while `fit` runs.
  public internal(set) var isTraining = false
  /// TF.js `setUserDefinedMetadata`/`getUserDefinedMetadata`: JSON kept from model.json's
  /// `userDefinedMetadata` and written back on save.
  public var userDefinedMetadata: ConfigValue?

  /// An empty container (used by Sequential).
  public required init(_ args: ConfigObject) throws {
    var a = args
    if !a.has("name") { a["name"] = .string(Self.defaultName()) }
    try super.init(a)
  }

  /// The default name of a new model (`model1`, ...).
  class func defaultName() -> String { UID.get(className.lowercased()) }

  /// `tf.model({inputs, outputs, name})`.
  public convenience init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], name: String? = nil)
    throws
  {
    var args = ConfigObject()
    if let name { args["name"] = .string(name) }
    try self.init(args)
    try setGraph(inputs: inputs, outputs: outputs)
  }

  // MARK: - Graph

  /// Sets inputs/outputs and orders the layers and nodes (TF.js `Container` constructor).
  func setGraph(inputs: [SymbolicTensor], outputs: [SymbolicTensor]) throws {
    if inputs.isEmpty { throw valueError("The model must have at least one input.") }
    if outputs.isEmpty { throw valueError("The model must have at least one output.") }
    if Set(inputs.map(\.id)).count != inputs.count {
      throw valueError(
        "The list of inputs passed to the model is redundant. All inputs should "
          + "only appear once. Found: \(inputs.map(\.name).joined(separator: ","))")
    }
    for (i, x) in inputs.enumerated() where !(x.sourceLayer is InputLayer) {
      throw valueError(
        "Input layers to a LayersModel must be InputLayer objects. Received "
          + "inputs: \(inputs.map(\.name)). Input \(i) (0-based) originates from layer type "
          + "\(x.sourceLayer.className).")
    }
    var finished = Set<Int>()
    var inProgress = Set<Int>()
    var nodesInDecreasingDepth: [Node] = []
    var layerIndices: [ObjectIdentifier: Int] = [:]
    var nodeIds = Set<Int>()

    func visit(_ layer: Layer, _ nodeIndex: Int, _ tensorName: String) throws {
      guard nodeIndex < layer.inboundNodes.count else {
        throw valueError("Graph disconnected: layer \(layer.name) has no node \(nodeIndex).")
      }
      let node = layer.inboundNodes[nodeIndex]
      if inProgress.contains(node.id) {
        throw LayersError(
          .runtimeError,
          "The tensor \(tensorName) at layer \"\(layer.name)\" is part of a cycle.")
      }
      if finished.contains(node.id) { return }
      nodeIds.insert(node.id)
      let key = ObjectIdentifier(layer)
      if layerIndices[key] == nil { layerIndices[key] = layerIndices.count }
      inProgress.insert(node.id)
      // Stop at this model's inputs.
      let isInput = inputs.contains { $0.sourceLayer === layer && $0.nodeIndex == nodeIndex }
      if !isInput {
        for i in 0..<node.inboundLayers.count {
          try visit(node.inboundLayers[i], node.nodeIndices[i], node.inputTensors[i].name)
        }
      }
      finished.insert(node.id)
      inProgress.remove(node.id)
      nodesInDecreasingDepth.append(node)
    }
    for x in outputs { try visit(x.sourceLayer, x.nodeIndex, x.name) }

    var nodeDepth: [Int: Int] = [:]
    var layerDepth: [ObjectIdentifier: Int] = [:]
    var layerById: [ObjectIdentifier: Layer] = [:]
    var nodeById: [Int: Node] = [:]
    for node in nodesInDecreasingDepth.reversed() {
      let key = ObjectIdentifier(node.outboundLayer)
      let depth = Swift.max(nodeDepth[node.id] ?? 0, layerDepth[key] ?? 0)
      layerDepth[key] = depth
      layerById[key] = node.outboundLayer
      nodeDepth[node.id] = depth
      nodeById[node.id] = node
      let isInput = inputs.contains {
        $0.sourceLayer === node.outboundLayer && node === $0.sourceLayer.inboundNodes[$0.nodeIndex]
      }
      if isInput { continue }
      for i in 0..<node.inboundLayers.count {
        let inbound = node.inboundLayers[i].inboundNodes[node.nodeIndices[i]]
        nodeDepth[inbound.id] = Swift.max(depth + 1, nodeDepth[inbound.id] ?? 0)
        nodeById[inbound.id] = inbound
      }
    }
    var byDepth: [Int: [Node]] = [:]
    for (id, d) in nodeDepth {
      if let n = nodeById[id] { byDepth[d, default: []].append(n) }
    }
    for d in byDepth.keys { byDepth[d]!.sort { $0.id < $1.id } }
    var layersByDepth: [Int: [Layer]] = [:]
    for (key, d) in layerDepth { layersByDepth[d, default: []].append(layerById[key]!) }
    var ordered: [Layer] = []
    for d in layersByDepth.keys.sorted(by: >) {
      ordered += layersByDepth[d]!.sorted {
        layerIndices[ObjectIdentifier($0)]! < layerIndices[ObjectIdentifier($1)]!
      }
    }
    // Every tensor a node needs must be computable from the model's inputs.
    var computable = Set(inputs.map(\.id))
    for d in byDepth.keys.sorted(by: >) {
      for node in byDepth[d]! {
        if node.outputTensors.allSatisfy({ computable.contains($0.id) }) { continue }
        if node.inboundLayers.isEmpty {
          throw valueError(
            "Graph disconnected: cannot obtain value for tensor "
              + "\(node.outputTensors.first?.name ?? "?") at layer \"\(node.outboundLayer.name)\". "
              + "The following previous layers were accessed without issue: "
              + "\(inputs.map(\.sourceLayer.name))")
        }
        for x in node.inputTensors where !computable.contains(x.id) {
          throw valueError(
            "Graph disconnected: cannot obtain value for tensor \(x.name) at layer "
              + "\"\(node.outboundLayer.name)\".")
        }
        for t in node.outputTensors { computable.insert(t.id) }
      }
    }
    let names = ordered.map(\.name)
    for n in names where names.filter({ $0 == n }).count > 1 {
      throw valueError(
        "The name \"\(n)\" is used \(names.filter { $0 == n }.count) times in the "
          + "model. All layer names should be unique. Layer names: \(names)")
    }
    self.inputs = inputs
    self.outputs = outputs
    self.layers = ordered
    self.nodesByDepth = byDepth
    self.containerNodeIds = nodeIds
    self.inferencePlan = nil
    self.built = true
    if let own = inboundNodes.first, own.inboundLayers.isEmpty {
      own.inputTensors = inputs
      own.outputTensors = outputs
      own.inputShapes = inputs.map(\.shape)
      own.outputShapes = outputs.map(\.shape)
    } else if inboundNodes.isEmpty {
      _ = Node(
        outboundLayer: self, inboundLayers: [], nodeIndices: [], tensorIndices: [],
        inputTensors: inputs, outputTensors: outputs, inputShapes: inputs.map(\.shape),
        outputShapes: outputs.map(\.shape))
    }
  }

  /// Names of the input layers.
  public var inputNames: [String] { inputs.map(\.sourceLayer.name) }
  /// Names of the output layers.
  public var outputNames: [String] { outputs.map(\.sourceLayer.name) }
  /// The input layers.
  public var inputLayers: [Layer] { inputs.map(\.sourceLayer) }
  /// The output layers.
  public var outputLayers: [Layer] { outputs.map(\.sourceLayer) }

  // MARK: - Layers and weights

  /// `getLayer(name)`; throws `No such layer: <name>` listing the layers that exist.
  public func getLayer(name: String) throws -> Layer {
    if let l = layers.first(where: { $0.name == name }) { return l }
    let names = layers.map(\.name)
    throw valueError(
      "No such layer: \(name).\(didYouMean(name, in: names)) Layers in this model: "
        + names.joined(separator: ", "))
  }

  /// `getLayer(undefined, index)`.
  public func getLayer(index: Int) throws -> Layer {
    guard index >= 0, index < layers.count else {
      throw valueError(
        "Was asked to retrieve layer at index \(index), but model only has "
          + "\(layers.count) layer(s).")
    }
    return layers[index]
  }

  override open var trainable: Bool {
    didSet { for l in layers { for w in l.ownTrainableWeights { w.trainable = trainable } } }
  }

  override open var trainableWeights: [LayerVariable] {
    trainable ? layers.flatMap(\.trainableWeights) : []
  }

  override open var nonTrainableWeights: [LayerVariable] {
    let nt = layers.flatMap(\.nonTrainableWeights)
    return trainable ? nt : layers.flatMap(\.trainableWeights) + nt
  }

  override open func regularizationLosses() throws -> [Tensor] {
    try layers.flatMap { try $0.regularizationLosses() }
  }

  override open func dispose() { for l in layers { l.dispose() } }

  // MARK: - Execution

  override open func checkInputs(_ shapes: [[Int?]]) throws {
    if shapes.count != inputs.count {
      throw valueError(
        "Model \(name) expects \(inputs.count) input(s), but it received "
          + "\(shapes.count) input tensors.")
    }
  }

  override open func computeOutputShape(_ inputShapes: [[Int?]]) throws -> [[Int?]] {
    var shapes: [Int: [Int?]] = [:]
    for (x, s) in zip(inputs, inputShapes) { shapes[x.id] = s }
    for d in nodesByDepth.keys.sorted(by: >) {
      for node in nodesByDepth[d]! where !node.inboundLayers.isEmpty {
        let ins = node.inputTensors.compactMap { shapes[$0.id] }
        guard ins.count == node.inputTensors.count else { continue }
        let outs = try node.outboundLayer.computeOutputShape(ins)
        for (t, s) in zip(node.outputTensors, outs) { shapes[t.id] = s }
      }
    }
    return outputs.map { shapes[$0.id] ?? $0.shape }
  }

  override open func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    try execute(inputs, training: training)
  }

  // MARK: - Config

  override public func layerConfig() -> ConfigObject {
    // Node indices are renumbered over the nodes of this graph (Keras `kept_nodes`); a
    // nested model's own node 0 keeps its slot, so its calls stay at index 1 and up.
    var newIndex: [Int: Int] = [:]
    for layer in layers {
      var kept = layer is LayersModel ? 1 : 0
      for node in layer.inboundNodes where containerNodeIds.contains(node.id) {
        newIndex[node.id] = kept
        kept += 1
      }
    }
    func index(_ layer: Layer, _ original: Int) -> Int {
      guard original < layer.inboundNodes.count else { return original }
      return newIndex[layer.inboundNodes[original].id] ?? original
    }
    var layerConfigs: [ConfigValue] = []
    for layer in layers {
      var entry = ConfigObject([
        ("name", .string(layer.name)), ("className", .string(layer.className)),
        ("config", .object(layer.getConfig())),
      ])
      var nodes: [ConfigValue] = []
      for node in layer.inboundNodes where containerNodeIds.contains(node.id) {
        if node.inboundLayers.isEmpty { continue }
        nodes.append(
          .array(
            (0..<node.inboundLayers.count).map { i in
              .array([
                .string(node.inboundLayers[i].name),
                .int(index(node.inboundLayers[i], node.nodeIndices[i])),
                .int(node.tensorIndices[i]), .object(node.callArgs),
              ])
            }))
      }
      entry["inboundNodes"] = .array(nodes)
      layerConfigs.append(.object(entry))
    }
    func refs(_ ts: [SymbolicTensor]) -> ConfigValue {
      .array(
        ts.map {
          .array([
            .string($0.sourceLayer.name), .int(index($0.sourceLayer, $0.nodeIndex)),
            .int($0.tensorIndex),
          ])
        })
    }
    return ConfigObject([
      ("layers", .array(layerConfigs)), ("inputLayers", refs(inputs)),
      ("outputLayers", refs(outputs)),
    ])
  }

  /// `toJSON()`: `{className, config, kerasVersion, backend}` in Keras (snake_case) form.
  public func toJSON() -> ConfigValue {
    ConfigValue.object(
      ConfigObject([
        ("className", .string(className)), ("config", .object(getConfig())),
        ("kerasVersion", .string("tfjs-layers 4.22.0")), ("backend", .string("tensor_flow.js")),
      ])
    ).snakeCased()
  }

  /// TF.js `Container.getConfig()`: the name plus the container keys.
  override open func getConfig() -> ConfigObject {
    var c = ConfigObject([("name", .string(name))])
    for (k, v) in layerConfig().pairs { c[k] = v }
    return c
  }

}

extension ConfigValue {
  /// The value with keys snake-cased (TF.js `convertTsToPythonic`): string values
  /// snake-cased too, except under `name` and `className`.
  public func snakeCased(key: String? = nil) -> ConfigValue {
    switch self {
    case .string(let s):
      if key == "name" || key == "class_name" || key == "className" { return self }
      if ["inbound_nodes", "input_layers", "output_layers"].contains(key ?? "") { return self }
      return .string(toSnakeCase(s))
    case .array(let items):
      if ["inbound_nodes", "input_layers", "output_layers"].contains(key ?? "") { return self }
      return .array(items.map { $0.snakeCased(key: key) })
    case .object(let o):
      return .object(
        ConfigObject(
          o.pairs.map { k, v in
            let sk = k == "className" ? "class_name" : toSnakeCase(k)
            return (sk, v.snakeCased(key: sk))
          }))
    default: return self
    }
  }
}
