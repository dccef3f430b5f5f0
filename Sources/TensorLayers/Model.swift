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

  /// Runs the graph on concrete inputs (one per model input), giving one tensor per output.
  public func execute(_ xs: [Tensor], training: Bool = false) throws -> [Tensor] {
    if xs.count != inputs.count {
      throw valueError("Model \(name) expects \(inputs.count) input(s), but got \(xs.count).")
    }
    // Inference runs fusable layer chains as single kernels (Layers/InferenceFusion.swift).
    var plan: InferencePlan?
    if !training && !Engine.shared.isRecording {
      if inferencePlan == nil { inferencePlan = makeInferencePlan() }
      plan = inferencePlan
    }
    // Outside a gradient tape each intermediate is disposed right after its last reader has
    // run (as GraphModel's executor does), so a chain holds about one layer's input and
    // output at a time instead of every activation until the end. Under a tape the values
    // stay until the scope ends (the tape keeps their buffers anyway).
    let freeEarly = !Engine.shared.isRecording
    var readers = freeEarly ? readerCounts(plan) : [:]
    let outputIds = Set(outputs.map(\.id))
    return try Engine.shared.tidy {
      var values: [Int: Tensor] = [:]
      for (x, t) in zip(inputs, xs) { values[x.id] = t }
      /// Counts one read of each input; frees the values nothing will read any more.
      func consumed(_ node: Node) {
        for x in node.inputTensors {
          guard let left = readers[x.id] else { continue }
          readers[x.id] = left - 1
          guard left == 1, !outputIds.contains(x.id), let t = values.removeValue(forKey: x.id)
          else { continue }
          // A layer may pass a tensor through (identity): free it only when no other
          // symbolic tensor still holds the same object, and never the caller's inputs.
          if xs.contains(where: { $0 === t }) || values.values.contains(where: { $0 === t }) {
            continue
          }
          Engine.shared.disposeIfScoped(t)
        }
      }
      for d in nodesByDepth.keys.sorted(by: >) {
        for node in nodesByDepth[d]! {
          if plan?.absorbed.contains(node.id) == true { continue }
          if node.outputTensors.allSatisfy({ values[$0.id] != nil }) { continue }
          let ins = try node.inputTensors.map { x -> Tensor in
            guard let v = values[x.id] else {
              throw valueError("Graph disconnected: no value for tensor \(x.name).")
            }
            return v
          }
          if let chain = plan?.chains[node.id] {
            values[chain.output.id] = try runChain(chain, ins[0])
          } else {
            let outs = try node.outboundLayer.apply(ins, training: training)
            for (t, v) in zip(node.outputTensors, outs) { values[t.id] = v }
          }
          if freeEarly { consumed(node) }
        }
      }
      return try outputs.map { o -> Tensor in
        guard let v = values[o.id] else {
          throw valueError("Graph disconnected: no value for output \(o.name).")
        }
        return v
      }
    }
  }

  /// How many times the nodes `execute` runs read each symbolic tensor (by id): a fused
  /// chain reads its first node's input; the nodes it absorbed read nothing.
  private func readerCounts(_ plan: InferencePlan?) -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for nodes in nodesByDepth.values {
      for node in nodes where !node.inboundLayers.isEmpty {
        if plan?.absorbed.contains(node.id) == true { continue }
        for x in node.inputTensors { counts[x.id, default: 0] += 1 }
      }
    }
    return counts
  }

  /// Checks arrays against the model's input (or output) shapes, as TF.js `checkInputData`.
  func checkData(
    _ data: [Tensor], names: [String], shapes: [[Int?]], prefix: String,
    checkBatch: Bool = true
  ) throws {
    if data.count != names.count {
      throw valueError(
        "Error when checking model \(prefix): the array of Tensors that you are "
          + "passing to your model is not the size the model expected. Expected to see "
          + "\(names.count) Tensor(s), but instead got \(data.count) Tensors(s).")
    }
    for (i, t) in data.enumerated() {
      let want = shapes[i]
      if t.rank != want.count {
        throw valueError(
          "Error when checking \(prefix): expected \(names[i]) to have "
            + "\(want.count) dimension(s). but got array with shape \(shapeJSON(t.shape))")
      }
      for (j, d) in want.enumerated() where j > 0 || checkBatch {
        if let d, d != t.shape[j] {
          throw valueError(
            "Error when checking \(prefix): expected \(names[i]) to have shape "
              + "\(shapeJSON(want)) but got array with shape \(shapeJSON(t.shape)).")
        }
      }
    }
  }

  /// `predict(x, {batchSize})`: inference in batches, concatenated (one tensor per output).
  /// Rank-1 inputs are treated as `[n, 1]`. `beforeBatch` runs before each batch (the REPL's
  /// Ctrl-C check: throwing from it stops the prediction between batches).
  public func predict(
    _ xs: [Tensor], batchSize: Int = 32, beforeBatch: () throws -> Void = {}
  ) throws -> [Tensor] {
    if batchSize <= 0 {
      throw valueError("batchSize is required to be a positive integer, but got \(batchSize)")
    }
    return try Engine.shared.tidy {
      let ins = try xs.map { $0.rank == 1 ? try $0.expandDims(1) : $0 }
      try checkData(
        ins, names: inputNames, shapes: inputs.map(\.shape), prefix: "input",
        checkBatch: false)
      let n = ins.first?.shape.first ?? 0
      if ins.contains(where: { $0.shape.first != n }) {
        throw valueError(
          "All input Tensors (x) should have the same number of samples. Got "
            + "array shapes: \(ins.map { shapeJSON($0.shape) }.joined(separator: ","))")
      }
      if n <= batchSize {
        try beforeBatch()
        return try execute(ins)
      }
      var parts: [[Tensor]] = Array(repeating: [], count: outputs.count)
      var start = 0
      while start < n {
        try beforeBatch()
        let size = Swift.min(batchSize, n - start)
        let slices = try ins.map { try sliceRows($0, start, size) }
        let outs = try execute(slices)
        for (i, o) in outs.enumerated() { parts[i].append(o) }
        // Each batch's input copy goes now, not when the whole prediction ends.
        for t in slices where !ins.contains(where: { $0 === t }) {
          if !outs.contains(where: { $0 === t }) { Engine.shared.disposeIfScoped(t) }
        }
        start += size
      }
      return try parts.map { try Tensor.concat($0, axis: 0) }
    }
  }

  /// `predict` for a single-input, single-output model.
  public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
    let out = try predict([x], batchSize: batchSize)
    guard out.count == 1 else {
      throw valueError("The model has \(out.count) outputs; use predict([x]).")
    }
    return out[0]
  }

  /// `predictOnBatch(x)`: one forward pass in inference mode.
  public func predictOnBatch(_ xs: [Tensor]) throws -> [Tensor] {
    try checkData(
      xs, names: inputNames, shapes: inputs.map(\.shape), prefix: "input",
      checkBatch: false)
    return try execute(xs)
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
