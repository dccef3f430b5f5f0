// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// The executor: for the requested outputs and the fed inputs, a plan (the
// nodes needed, in topological order, and how many later nodes read each)
// is computed once and cached; running it frees each intermediate as soon
// as its last reader has run, so peak memory stays near one layer's worth.

/// Time spent in one kind of op, for `GraphModel.profile`.
public struct GraphOpTiming: Sendable {
  /// Wall-clock seconds.
  public var wall: Double = 0
  /// Process CPU seconds (all threads).
  public var cpu: Double = 0
  /// Nodes run.
  public var count = 0

  /// Creates an empty timing.
  public init() {}

  /// (wall, cpu) clocks in seconds now.
  static func now() -> (Double, Double) {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    let cpu = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    return (Double(DispatchTime.now().uptimeNanoseconds) / 1e9, cpu)
  }

  mutating func add(since start: (Double, Double)) {
    let end = GraphOpTiming.now()
    wall += end.0 - start.0
    cpu += end.1 - start.1
    count += 1
  }
}

/// The nodes to run for one (outputs, fed inputs) pair.
struct GraphPlan {
  /// The node list the indices refer to: the rewritten graph, or the graph as loaded when a
  /// fed node is one a rewrite stopped reading (a folded Pad, a fused expansion).
  var nodes: [GraphNode]
  /// Node indices in execution order.
  var order: [Int]
  /// How many planned nodes (plus requested outputs) read each node.
  var uses: [Int: Int]
}

extension GraphModel {
  /// When non-nil, time spent per op kind is added here (for benchmarks): the key is the op
  /// type, for convolutions followed by the filter size and stride (`_FusedConv2D 1x1/1`).
  nonisolated(unsafe) public static var profile: [String: GraphOpTiming]?
  /// With `profile`, key the times by node (name, op, input and filter shapes) instead.
  nonisolated(unsafe) public static var profilePerNode = false

  /// TF.js `predict(inputs)`: `execute` with the model's `outputNodes`. Inputs are matched
  /// to `inputNodes` by position.
  public func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    try execute(inputs, outputs: nil)
  }

  /// TF.js `predict({name: tensor})`.
  public func predict(_ inputs: [String: Tensor]) throws -> [Tensor] {
    try execute(inputs, outputs: nil)
  }

  /// TF.js `predict`'s result when the model.json has `userDefinedMetadata.structuredOutputKeys`:
  /// output `i` named `structuredOutputKeys[i]` (TF.js's addStructuredOutputNames; a missing
  /// key is JavaScript's `undefined`, and a repeated key keeps its first position and its last
  /// tensor, as assigning to an object does). Nil without such keys: `predict` then returns
  /// the tensor (one output) or the array, as `execute`.
  public func structuredOutputs(_ outputs: [Tensor]) -> [(key: String, tensor: Tensor)]? {
    guard let keys = structuredOutputKeys else { return nil }
    var named: [(key: String, tensor: Tensor)] = []
    for (i, t) in outputs.enumerated() {
      let key = i < keys.count ? keys[i] : "undefined"
      if let j = named.firstIndex(where: { $0.key == key }) {
        named[j].tensor = t
      } else {
        named.append((key, t))
      }
    }
    return named
  }

  /// TF.js `execute(inputs, outputs)` with inputs matched to `inputNodes` by position.
  public func execute(_ inputs: [Tensor], outputs: [String]? = nil) throws -> [Tensor] {
    guard inputs.count == inputEdges.count else {
      throw valueError(
        "Input tensor count mismatch, the graph model has \(inputEdges.count) placeholders, "
          + "while there are \(inputs.count) input tensors provided.")
    }
    var feeds: [(String, GraphEdge, Tensor)] = []
    for (i, t) in inputs.enumerated() {
      let e = inputEdges[i]
      feeds.append((e.key ?? e.edge.node, e.edge, t))
    }
    return try run(feeds, outputs)
  }

  /// TF.js `execute({name: tensor}, outputs)`: keys are signature keys or node names
  /// (`name` or `name:k`); outputs default to `outputNodes` and may name any node.
  public func execute(_ inputs: [String: Tensor], outputs: [String]? = nil) throws -> [Tensor] {
    var feeds: [(String, GraphEdge, Tensor)] = []
    var unknown: [String] = []
    for key in inputs.keys.sorted() {
      guard let t = inputs[key] else { continue }
      if let e = inputEdges.first(where: { $0.key == key }) {
        feeds.append((key, e.edge, t))
      } else {
        let e = GraphEdge(parsing: key)
        if index[e.node] == nil { unknown.append(key) } else { feeds.append((key, e, t)) }
      }
    }
    if !unknown.isEmpty {
      throw valueError(
        "The dict provided in model.execute(dict) has keys: [\(unknown.joined(separator: ","))] "
          + "that are not part of graph")
    }
    return try run(feeds, outputs)
  }

  // MARK: - Running

  private func run(_ feeds: [(String, GraphEdge, Tensor)], _ outputNames: [String]?) throws
    -> [Tensor]
  {
    if isDisposed { throw valueError("This graph model has been disposed.") }
    let outs = try outputNames.map { try $0.map(resolveOutput) } ?? outputEdges.map(\.edge)
    var fed: [Int: [Int: Tensor]] = [:]
    for (key, edge, t) in feeds {
      try t.checkAlive()
      guard let i = index[edge.node] else { continue }
      try checkInput(key, nodes[i], t)
      fed[i, default: [:]][edge.index] = t
    }
    let plan = try self.plan(outs, fed: Set(fed.keys))
    return try Engine.shared.noGrad {
      try Engine.shared.tidy("GraphModel.execute") { try runPlan(plan, fed, outs) }
    }
  }

  private func runPlan(_ plan: GraphPlan, _ fed: [Int: [Int: Tensor]], _ outs: [GraphEdge])
    throws -> [Tensor]
  {
    var values: [Int: [Tensor]] = [:]
    var uses = plan.uses
    var protected = Set<ObjectIdentifier>()
    for (_, t) in weights { protected.insert(ObjectIdentifier(t)) }
    for (_, m) in fed { for (_, t) in m { protected.insert(ObjectIdentifier(t)) } }
    for i in plan.order {
      let node = plan.nodes[i]
      if let f = fed[i] {
        let n = (f.keys.max() ?? 0) + 1
        values[i] = (0..<n).compactMap { f[$0] }
        continue
      }
      switch node.op {
      case "Const":
        guard let w = weights[node.name] else {
          throw valueError("The weight of Const node '\(node.name)' is missing.")
        }
        values[i] = [w]
        continue
      case "NoOp":
        values[i] = []
        continue
      case "Placeholder":
        throw valueError("Placeholder '\(node.name)' was not fed.")
      default: break
      }
      var args: [Tensor] = []
      for (k, e) in node.inputs.enumerated() where !node.isControlInput[k] {
        guard let j = index[e.node], let produced = values[j], e.index < produced.count else {
          throw valueError(
            "Graph node '\(node.name)' reads '\(e.text)', which has no such output.")
        }
        args.append(produced[e.index])
      }
      guard let kernel = GraphOps.kernels[node.op] else {
        throw valueError("Tensorflow Op is not supported: \(node.op) (node '\(node.name)')")
      }
      var result: [Tensor]
      let start = GraphModel.profile == nil ? nil : GraphOpTiming.now()
      defer {
        if let start {
          GraphModel.profile?[profileKey(node, args), default: .init()].add(since: start)
        }
      }
      do {
        result = try kernel(node, args)
      } catch let e as LayersError {
        throw LayersError(e.kind, "\(e.message) (graph node '\(node.name)', op \(node.op))")
      } catch let e as TensorError {
        throw valueError("\(e.message) (graph node '\(node.name)', op \(node.op))")
      }
      for (r, t) in result.enumerated() where args.contains(where: { $0 === t }) {
        result[r] = try t.clone()
      }
      values[i] = result
      for e in node.inputs {
        guard let j = index[e.node], let u = uses[j] else { continue }
        uses[j] = u - 1
        if u - 1 == 0, let held = values[j] {
          for t in held where !protected.contains(ObjectIdentifier(t)) { t.dispose() }
          values[j] = nil
        }
      }
    }
    return try outs.map { e in
      guard let j = index[e.node], let produced = values[j], e.index < produced.count else {
        throw valueError("The output '\(e.text)' is not found in the graph")
      }
      let t = produced[e.index]
      return protected.contains(ObjectIdentifier(t)) ? try t.clone() : t
    }
  }

  /// The op type, plus `KxK/stride` for convolutions (by the filter argument's shape).
  private func profileKey(_ node: GraphNode, _ args: [Tensor]) -> String {
    if GraphModel.profilePerNode {
      let shapes = args.prefix(2).map {
        "[" + $0.shape.map(String.init).joined(separator: ",") + "]"
      }
      return "\(node.name) \(node.op) \(shapes.joined(separator: " "))"
    }
    guard node.op.contains("Conv2D") || node.op.contains("Conv2d"), args.count > 1,
      args[1].rank == 4
    else { return node.op }
    let f = args[1].shape
    let stride = node.ints("strides").flatMap { $0.count == 4 ? $0[1] : nil } ?? 1
    return "\(node.op) \(f[0])x\(f[1])/\(stride)"
  }

  private func resolveOutput(_ name: String) throws -> GraphEdge {
    if let e = outputEdges.first(where: { $0.key == name }) { return e.edge }
    let e = GraphEdge(parsing: name)
    guard index[e.node] != nil else {
      throw valueError("The output '\(name)' is not found in the graph")
    }
    return e
  }

  /// Shape and dtype checks against a Placeholder's attrs, worded as TF.js's.
  private func checkInput(_ key: String, _ node: GraphNode, _ t: Tensor) throws {
    guard node.op.hasPrefix("Placeholder") else { return }
    if let shape = node.shape("shape") {
      let ok =
        shape.count == t.rank
        && zip(shape, t.shape).allSatisfy { $0 < 0 || $0 == $1 }
      if !ok {
        throw valueError(
          "The shape of dict['\(key)'] provided in model.execute(dict) must be "
            + "[\(shape.map(String.init).joined(separator: ","))], but was "
            + "[\(t.shape.map(String.init).joined(separator: ","))]")
      }
    }
    if let dtype = node.dtype("dtype"), dtype != t.dtype {
      throw valueError(
        "The dtype of dict['\(key)'] provided in model.execute(dict) must be \(dtype), "
          + "but was \(t.dtype)")
    }
  }

  // MARK: - Planning

  /// The nodes the outputs depend on (stopping at fed nodes), in topological order.
  func plan(_ outs: [GraphEdge], fed: Set<Int>) throws -> GraphPlan {
    let key =
      outs.map(\.text).joined(separator: "\u{1}") + "\u{2}"
      + fed.sorted().map(String.init).joined(separator: ",")
    if let p = plans[key] { return p }
    let nodes = fed.isDisjoint(with: bypassed) ? self.nodes : loadedNodes
    var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 open, 2 done
    var order: [Int] = []
    var missing: [String] = []
    for out in outs {
      guard let root = index[out.node] else { continue }
      var stack: [(Int, Int)] = [(root, 0)]
      while let (i, next) = stack.popLast() {
        if next == 0 {
          if state[i] == 2 { continue }
          if state[i] == 1 {
            throw valueError("The graph has a cycle through node '\(nodes[i].name)'.")
          }
          state[i] = 1
        }
        let inputs = fed.contains(i) ? [] : nodes[i].inputs
        if next < inputs.count {
          stack.append((i, next + 1))
          if let j = index[inputs[next].node], state[j] != 2 {
            if state[j] == 1 {
              throw valueError("The graph has a cycle through node '\(nodes[j].name)'.")
            }
            stack.append((j, 0))
          }
        } else {
          state[i] = 2
          order.append(i)
          if !fed.contains(i) && nodes[i].op == "Placeholder" {
            missing.append(nodes[i].name)
          }
        }
      }
    }
    if !missing.isEmpty {
      throw valueError(
        "Cannot compute the outputs [\(outs.map(\.text).joined(separator: ","))] from the "
          + "provided inputs. Missing the following inputs: [\(missing.joined(separator: ","))]")
    }
    var uses: [Int: Int] = [:]
    for i in order where !fed.contains(i) {
      for e in nodes[i].inputs { if let j = index[e.node] { uses[j, default: 0] += 1 } }
    }
    for e in outs { if let j = index[e.node] { uses[j, default: 0] += 1 } }
    let p = GraphPlan(nodes: nodes, order: order, uses: uses)
    plans[key] = p
    return p
  }
}
