// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// TF.js `GraphModel` (tfjs-converter src/executor/graph_model.ts): a frozen
// TensorFlow graph from a `format: "graph-model"` model.json, its Const
// values taken from the weights manifest, run by a small executor.

/// Name, shape and dtype of a graph model input or output (TF.js `TensorInfo`).
public struct GraphTensorInfo: Equatable {
  /// The node name (without `:0`).
  public var name: String
  /// Dimensions with -1 for unknown; nil when the graph does not say.
  public var shape: [Int]?
  /// The dtype, nil when the graph does not say.
  public var dtype: DType?
}

/// A loaded graph model.
public final class GraphModel {
  /// The nodes in file order, after the load-time rewrites (GraphRewrite).
  public let nodes: [GraphNode]
  /// The nodes as loaded, for plans that feed a node a rewrite bypasses.
  let loadedNodes: [GraphNode]
  /// Nodes a rewritten node no longer reads (folded Pads, fused expansions): feeding one
  /// of them must reach its original readers, so such plans run `loadedNodes`.
  let bypassed: Set<Int>
  /// Node index by name.
  let index: [String: Int]
  /// Const values by node name (kept; released by `dispose`).
  public private(set) var weights: [String: Tensor]
  /// The model's `signature` (or `userDefinedMetadata.signature`), if any.
  public let modelSignature: ConfigValue?
  /// `userDefinedMetadata.structuredOutputKeys`, if any.
  public let structuredOutputKeys: [String]?
  /// `${producer}.${minConsumer}` as TF.js prints it (`1645.undefined` when absent).
  public let modelVersion: String
  /// Input edges and their signature keys (nil key without a signature).
  let inputEdges: [(edge: GraphEdge, key: String?)]
  /// Output edges and their signature keys.
  let outputEdges: [(edge: GraphEdge, key: String?)]
  /// Cached execution plans by requested outputs and fed nodes.
  var plans: [String: GraphPlan] = [:]
  /// True after `dispose()`.
  public private(set) var isDisposed = false

  /// Builds a model from model.json's root object and the decoded weights.
  /// Every op must be supported and every Const must have a weight, else a ValueError
  /// naming the node (and the op or weight).
  public init(modelJSON root: ConfigObject, weights named: [(String, Tensor)]) throws {
    guard let topology = root["modelTopology"] else {
      throw valueError("The graph model's model.json has no modelTopology.")
    }
    let nodes = try GraphDef.parseNodes(topology)
    var index: [String: Int] = [:]
    for (i, n) in nodes.enumerated() {
      if index[n.name] != nil { throw valueError("Duplicate graph node name '\(n.name)'.") }
      index[n.name] = i
    }
    for n in nodes {
      if !GraphOps.supports(n.op) {
        throw valueError("Tensorflow Op is not supported: \(n.op) (node '\(n.name)')")
      }
      for e in n.inputs where index[e.node] == nil {
        throw valueError("Graph node '\(n.name)' has input '\(e.text)', which is not in the graph.")
      }
    }
    var byName: [String: Tensor] = [:]
    for (name, t) in named { byName[name] = t }
    var weights: [String: Tensor] = [:]
    for n in nodes where n.op == "Const" {
      guard let t = byName[n.name] else {
        throw valueError(
          "The weight '\(n.name)' of Const node '\(n.name)' is missing from the weights.")
      }
      if case .tensor(let dt, let shape)? = n.attrs["value"], shape != t.shape,
        !(shape.isEmpty && t.size == 1)
      {
        throw valueError(
          "Weight '\(n.name)' has shape [\(t.shape.map(String.init).joined(separator: ","))] "
            + "but its Const node says [\(shape.map(String.init).joined(separator: ","))] (\(dt)).")
      }
      weights[n.name] = Engine.shared.keep(t)
    }
    let padded = GraphRewrite.foldPadding(nodes, index: index, weights: weights)
    self.index = index
    self.weights = weights

    let metadata = root["userDefinedMetadata"]?.object
    let signature =
      root["signature"].flatMap { $0.isNull ? nil : $0 }
      ?? metadata?["signature"].flatMap { $0.isNull ? nil : $0 }
    self.modelSignature = signature
    self.structuredOutputKeys = metadata?["structuredOutputKeys"]?.array?.compactMap(\.string)
    let versions = topology.object?["versions"]?.object
    let producer = versions?["producer"].flatMap(GraphDef.int64).map(String.init) ?? "undefined"
    let minConsumer =
      versions?["minConsumer"].flatMap(GraphDef.int64).map(String.init) ?? "undefined"
    self.modelVersion = "\(producer).\(minConsumer)"

    func signatureEdges(_ key: String) throws -> [(edge: GraphEdge, key: String?)]? {
      guard let map = signature?.object?[key]?.object, !map.keys.isEmpty else { return nil }
      return try map.pairs.map { k, v in
        guard let name = v.object?["name"]?.string else {
          throw valueError("Signature \(key) entry '\(k)' has no tensor name.")
        }
        let edge = GraphEdge(parsing: name)
        guard index[edge.node] != nil else {
          throw valueError(
            "Signature \(key) entry '\(k)' names '\(name)', which is not in the graph.")
        }
        return (edge, k)
      }
    }
    inputEdges =
      try signatureEdges("inputs")
      ?? nodes.filter { $0.op.hasPrefix("Placeholder") }.map {
        (GraphEdge(node: $0.name, index: 0), nil)
      }
    if let sig = try signatureEdges("outputs") {
      outputEdges = sig
    } else {
      var consumed = Set<String>()
      for n in nodes { for e in n.inputs { consumed.insert(e.node) } }
      outputEdges = nodes.filter { !consumed.contains($0.name) && $0.op != "NoOp" }
        .map { (GraphEdge(node: $0.name, index: 0), nil) }
    }
    let rewritten = GraphRewrite.fuseExpandDepthwise(
      padded, index: index, weights: weights, outputs: Set(outputEdges.map(\.edge.node)))
    // Bypassed: what a rewritten node's old inputs read, back to its new inputs (for a fused
    // expansion: the Pad, its paddings and the expansion node).
    var bypassed = Set<Int>()
    for (old, new) in zip(nodes, rewritten) where old.inputs != new.inputs {
      let kept = Set(new.inputs.map(\.node))
      var stack = old.inputs.map(\.node).filter { !kept.contains($0) }
      while let name = stack.popLast() {
        guard let j = index[name], bypassed.insert(j).inserted else { continue }
        stack += nodes[j].inputs.map(\.node).filter { !kept.contains($0) }
      }
    }
    self.nodes = rewritten
    self.loadedNodes = nodes
    self.bypassed = bypassed
  }

  // MARK: - Inputs and outputs

  /// Input names as TF.js's `inputNodes`: signature keys, else Placeholder names.
  public var inputNodes: [String] { inputEdges.map { $0.key ?? $0.edge.node } }
  /// Output names as TF.js's `outputNodes`: signature keys, else the nodes nothing consumes.
  public var outputNodes: [String] { outputEdges.map { $0.key ?? $0.edge.text } }

  /// The inputs' node names, shapes and dtypes (Placeholder attrs, else the signature).
  public var inputs: [GraphTensorInfo] { inputEdges.map { info($0.edge, key: $0.key, "inputs") } }
  /// The outputs' node names, shapes and dtypes (from the signature when the node has none).
  public var outputs: [GraphTensorInfo] {
    outputEdges.map { info($0.edge, key: $0.key, "outputs") }
  }

  private func info(_ edge: GraphEdge, key: String?, _ section: String) -> GraphTensorInfo {
    let node = index[edge.node].map { nodes[$0] }
    var shape = node?.shape("shape")
    var dtype = node?.dtype("dtype")
    if let key, let entry = modelSignature?.object?[section]?.object?[key]?.object {
      if dtype == nil, let t = entry["dtype"]?.string { dtype = GraphDef.dtype(fromEnum: t) }
      if shape == nil, let dims = entry["tensorShape"]?.object?["dim"]?.array {
        shape = dims.map { d in d.object?["size"].flatMap(GraphDef.int64) ?? 0 }
      }
    }
    return GraphTensorInfo(name: edge.node, shape: shape, dtype: dtype)
  }

  /// Releases every weight tensor; later calls to execute fail.
  public func dispose() {
    for (_, t) in weights { t.dispose() }
    weights = [:]
    plans = [:]
    isDisposed = true
  }
}
