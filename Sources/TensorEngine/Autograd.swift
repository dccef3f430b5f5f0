// SPDX-License-Identifier: MIT
import Foundation

// Reverse-mode automatic differentiation over the engine's op tape, as
// TF.js's `ENGINE.gradients` and the tf.grad family: run f with the tape on,
// keep the nodes on a path from the xs to y, walk them newest first
// accumulating each tensor's gradient, then release the tape. Tapes nest as
// in TF.js (one shared tape while any gradient computation is active), so the
// backward pass of an inner `grad` is recorded for an outer one.

/// `tf.variableGrads` result: the value of f and the gradient of each variable by name.
public struct VariableGradients {
  /// The scalar f() returned.
  public let value: Tensor
  /// The gradient of each trainable variable that f depends on, by variable name.
  public let grads: [String: Tensor]
  /// Every key of TF.js's result object, in order; a name missing from `grads` is `null`
  /// (a non-trainable variable of an explicit `varList`).
  public let names: [String]
}

/// The gradient functions (`tf.grad`, `tf.grads`, `tf.valueAndGrad(s)`, `tf.variableGrads`,
/// `tf.customGrad`).
public enum Autograd {
  // MARK: - Core

  /// TF.js `ENGINE.gradients(f, xs, dy, allowNoGradients)`: the value of `f()` and the
  /// gradient of it with respect to each of `xs` (nil where no path leads from x to y).
  ///
  /// `f` returns nil when its result is not a tensor. `dyShapeMessage`, when given, is
  /// the message prefix used if `dy`'s shape differs from y's.
  public static func gradients(
    of f: () throws -> Tensor?, xs: [Tensor], dy: Tensor? = nil,
    allowNoGradients: Bool = false, dyShapeMessage: String? = nil
  ) throws -> (value: Tensor, grads: [Tensor?]) {
    if xs.isEmpty { throw TensorError("gradients() received an empty list of xs.") }
    for x in xs { try x.checkAlive() }
    if let dy {
      try dy.checkAlive()
      if dy.dtype != .float32 {
        throw TensorError("dy must have 'float32' dtype, but has '\(dy.dtype)'")
      }
    }
    let engine = Engine.shared
    engine.tapeDepth += 1
    if engine.tapeDepth == 1 { releaseTape() }
    let tapeStart = engine.tape.count
    let forward: [Tensor]
    do {
      forward = try engine.tidy("forward") { try f().map { [$0] } ?? [] }
    } catch {
      endTape()
      throw error
    }
    engine.tapeDepth -= 1
    guard let y = forward.first else {
      endTape(decremented: true)
      throw TensorError("The result y returned by f() must be a tensor.")
    }
    var finished = false
    defer {
      if !finished {
        // The caller never sees y: release it if f's recorded ops made it.
        let madeByF = engine.tape[tapeStart...].contains { $0.outputs.contains { $0 === y } }
        if madeByF { y.dispose() }
        endTape(decremented: true)
      }
    }
    if let dy, let dyShapeMessage, dy.shape != y.shape {
      throw TensorError("\(dyShapeMessage) Shapes \(shapeText(y.shape)) and "
        + "\(shapeText(dy.shape)) must match")
    }
    let filtered = filterTape(engine.tape, xs: xs, y: y)
    if !allowNoGradients && filtered.isEmpty {
      throw noPathError
    }
    let grads = try engine.tidy("backward") { () throws -> [Tensor?] in
      var accumulated: [Int: Tensor] = [:]
      accumulated[y.id] = try dy ?? Tensor.ones(y.shape)
      try backpropagate(filtered, &accumulated, keeping: Set(xs.map(\.id)), userDy: dy)
      return xs.map { accumulated[$0.id] }
    }
    finished = true
    endTape(decremented: true)
    return (y, grads)
  }

  private static let noPathError = TensorError(
    "Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed "
      + "encloses all operations that lead from x to y.")

  /// Leaves a gradient computation: at depth 0 the tape's saved tensors are released.
  private static func endTape(decremented: Bool = false) {
    let engine = Engine.shared
    if !decremented { engine.tapeDepth -= 1 }
    if engine.tapeDepth == 0 { releaseTape() }
  }

  /// Disposes the tape's saved tensors (and custom-gradient state) and empties it.
  private static func releaseTape() {
    Engine.shared.clearTape()
    for entry in customEntries.values { for t in entry.saved { t.dispose() } }
    customEntries = [:]
  }

  /// A tape node kept for backprop, with which inputs need a gradient.
  struct FilteredNode {
    let node: TapeNode
    let needed: [Bool]
  }

  /// The nodes on a path from any of `xs` to `y`, oldest first (TF.js
  /// `getFilteredNodesXToY`), marking the inputs that depend on the xs.
  static func filterTape(_ tape: [TapeNode], xs: [Tensor], y: Tensor) -> [FilteredNode] {
    var fromX = Set(xs.map(\.id))
    var nodesFromX = Set<Int>()
    for node in tape where node.inputs.contains(where: { fromX.contains($0.id) }) {
      for o in node.outputs { fromX.insert(o.id) }
      nodesFromX.insert(node.id)
    }
    var toY: Set<Int> = [y.id]
    var nodesToY = Set<Int>()
    for node in tape.reversed() where node.outputs.contains(where: { toY.contains($0.id) }) {
      for i in node.inputs { toY.insert(i.id) }
      nodesToY.insert(node.id)
    }
    return tape.compactMap { node in
      guard nodesFromX.contains(node.id), nodesToY.contains(node.id) else { return nil }
      return FilteredNode(node: node, needed: node.inputs.map { fromX.contains($0.id) })
    }
  }

  /// Walks the filtered tape newest first, accumulating gradients by tensor id.
  ///
  /// A tensor is the output of one node only, so once that node is processed the
  /// gradient of its outputs is released (except the xs' and the caller's `dy`), which
  /// keeps the backward pass's peak memory near one layer's worth of gradients.
  static func backpropagate(
    _ nodes: [FilteredNode], _ accumulated: inout [Int: Tensor], keeping keepIds: Set<Int>,
    userDy: Tensor?
  ) throws {
    for entry in nodes.reversed() {
      let node = entry.node
      let dys = try node.outputs.map { o in try accumulated[o.id] ?? Tensor.zeros(o.shape) }
      let rule: GradientRule
      if let custom = customEntries[node.attrs.int("customGradKey") ?? -1],
         node.name == customGradName {
        rule = custom.rule
      } else if let found = Gradients.rule(for: node.name) {
        rule = found
      } else {
        throw TensorError("Cannot compute gradient: gradient function not found for \(node.name).")
      }
      if Engine.shared.isRecording { linkSavedTensors(of: node) }
      let input = GradientInput(node: node, dys: dys, needed: entry.needed)
      let grads = try Engine.shared.tidy(node.name) { () throws -> [Tensor?] in
        var out = try rule(input)
        // A rule may return a tensor it did not make (an upstream gradient, a saved value,
        // a custom gradient's captured tensor): give the accumulator its own tensor so
        // disposing it never touches another. The marker tells this scope's tensors apart.
        let marker = Tensor.scalar(0)
        for i in out.indices {
          if let g = out[i], g.scopeId != marker.scopeId || g.isKept { out[i] = try g.clone() }
        }
        return out
      }
      for (i, x) in node.inputs.enumerated() where entry.needed[i] {
        guard i < grads.count, let dx = grads[i] else {
          throw TensorError("Cannot backprop through input \(i) of \(node.name).")
        }
        if dx.dtype != .float32 {
          throw TensorError("Error in gradient for op \(node.name). The gradient of input "
            + "\(i) must have 'float32' dtype, but has '\(dx.dtype)'")
        }
        if dx.shape != x.shape {
          throw TensorError("Error in gradient for op \(node.name). The gradient of input "
            + "'\(i)' has shape '\(shapeText(dx.shape))', which does not match the shape of "
            + "the input '\(shapeText(x.shape))'")
        }
        if let current = accumulated[x.id] {
          accumulated[x.id] = try current.add(dx)
          current.dispose()
          dx.dispose()
        } else {
          accumulated[x.id] = dx
        }
      }
      // Rule results that were not kept as an accumulated gradient (unneeded inputs).
      for case let g? in grads where !node.inputs.contains(where: { accumulated[$0.id] === g }) {
        g.dispose()
      }
      for o in node.outputs where !keepIds.contains(o.id) {
        if let done = accumulated.removeValue(forKey: o.id), done !== userDy { done.dispose() }
      }
    }
  }

  nonisolated(unsafe) private static var linkCounter = 0

  /// Under an outer tape, records `original → saved alias` identity links before a rule
  /// computes with the aliases, so an outer gradient can flow through this backward pass
  /// (TF.js records the clones it saves for the same reason).
  private static func linkSavedTensors(of node: TapeNode) {
    let pairs = Array(zip(node.inputs + node.outputs, node.savedInputs + node.savedOutputs))
    for (original, alias) in pairs {
      linkCounter -= 1
      Engine.shared.tape.append(TapeNode(
        id: linkCounter, name: "Identity", inputs: [original], outputs: [alias],
        attrs: OpAttrs(), savedInputs: [alias], savedOutputs: [alias]))
    }
  }

  // MARK: - tf.grad family

  /// `tf.grad(f)`: a function of x giving df/dx (optionally weighted by `dy`).
  public static func grad(_ f: @escaping (Tensor) throws -> Tensor?)
    -> (Tensor, Tensor?) throws -> Tensor
  {
    { x, dy in
      try Engine.shared.tidy {
        let message = "The shape of dy passed in grad(f)(x, dy) must match the shape "
          + "returned by f(x)"
        let result = try gradients(of: { try f(x) }, xs: [x], dy: dy, dyShapeMessage: message)
        return try checked(result.grads)[0]
      }
    }
  }

  /// `tf.grads(f)`: a function of `[x1, x2, ...]` giving the gradient for each.
  public static func grads(_ f: @escaping ([Tensor]) throws -> Tensor?)
    -> ([Tensor], Tensor?) throws -> [Tensor]
  {
    { args, dy in
      if args.isEmpty {
        throw TensorError("The args passed in grads(f)(args) must be an array of `Tensor`s")
      }
      return try Engine.shared.tidy {
        let message = "The shape of dy passed in grads(f)([x1,...], dy) must match the "
          + "shape returned by f([x1,...])"
        let result = try gradients(of: { try f(args) }, xs: args, dy: dy, dyShapeMessage: message)
        return try checked(result.grads)
      }
    }
  }

  /// `tf.valueAndGrad(f)`: like `grad`, also returning f(x).
  public static func valueAndGrad(_ f: @escaping (Tensor) throws -> Tensor?)
    -> (Tensor, Tensor?) throws -> (value: Tensor, grad: Tensor)
  {
    { x, dy in
      let message = "The shape of dy passed in valueAndGrad(f)(x, dy) must match the shape "
        + "returned by f(x)"
      let result = try gradients(of: { try f(x) }, xs: [x], dy: dy, dyShapeMessage: message)
      let grads = try checkedOrDispose(result)
      return (result.value, grads[0])
    }
  }

  /// `tf.valueAndGrads(f)`: like `grads`, also returning f(...args).
  public static func valueAndGrads(_ f: @escaping ([Tensor]) throws -> Tensor?)
    -> ([Tensor], Tensor?) throws -> (value: Tensor, grads: [Tensor])
  {
    { args, dy in
      if args.isEmpty {
        throw TensorError("The args passed in valueAndGrads(f)(args) must be array of tensors")
      }
      let message = "The shape of dy passed in valueAndGrads(f)([x1,...], dy) must match the "
        + "shape returned by f([x1,...])"
      let result = try gradients(of: { try f(args) }, xs: args, dy: dy, dyShapeMessage: message)
      return (result.value, try checkedOrDispose(result))
    }
  }

  /// TF.js `checkGrads`: every x must have received a gradient.
  private static func checked(_ grads: [Tensor?]) throws -> [Tensor] {
    let all = grads.compactMap { $0 }
    if all.count != grads.count { throw noPathError }
    return all
  }

  private static func checkedOrDispose(_ result: (value: Tensor, grads: [Tensor?])) throws
    -> [Tensor]
  {
    do {
      return try checked(result.grads)
    } catch {
      result.value.dispose()
      for g in result.grads { g?.dispose() }
      throw error
    }
  }

  // MARK: - Variables

  /// `tf.variableGrads(f, varList?)`: gradients of the scalar f() with respect to the
  /// trainable variables (all registered ones when `varList` is nil).
  public static func variableGrads(_ f: () throws -> Tensor?, varList: [Variable]? = nil) throws
    -> VariableGradients
  {
    let engine = Engine.shared
    let specified = varList != nil
    let all = varList
      ?? engine.registeredVariables.keys.sorted(by: engine.variableKeyOrder)
        .compactMap { engine.registeredVariables[$0] }
    let trainable = all.filter(\.trainable)
    if trainable.isEmpty {
      throw TensorError("variableGrads() expects at least one of the input variables to be "
        + "trainable, but none of the \(all.count) variables is trainable.")
    }
    let (value, grads) = try gradients(of: f, xs: trainable, allowNoGradients: true)
    func fail(_ message: String) -> TensorError {
      value.dispose()
      for g in grads { g?.dispose() }
      return TensorError(message)
    }
    if !grads.contains(where: { $0 != nil }) {
      throw fail("Cannot find a connection between any variable and the result of the loss "
        + "function y=f(x). Please make sure the operations that use variables are inside the "
        + "function f passed to minimize().")
    }
    if value.rank != 0 {
      throw fail("The f passed in variableGrads(f) must return a scalar, but it returned a "
        + "rank-\(value.rank) tensor")
    }
    var named: [String: Tensor] = [:]
    var names: [String] = []
    for (v, g) in zip(trainable, grads) {
      guard let g else { continue }
      if named[v.name] != nil { g.dispose(); continue }
      named[v.name] = g
      names.append(v.name)
    }
    if specified {
      for v in all where !v.trainable && !names.contains(v.name) { names.append(v.name) }
    }
    return VariableGradients(value: value, grads: named, names: names)
  }

  // MARK: - Custom gradients

  static let customGradName = "CustomGradient"
  nonisolated(unsafe) private static var customEntries:
    [Int: (rule: GradientRule, saved: [Tensor])] = [:]
  nonisolated(unsafe) private static var customCounter = 0

  /// The gradient function of `customGrad`: `(dy, saved)` to one gradient per input.
  public typealias CustomGradientFunction = (Tensor, [Tensor]) throws -> [Tensor]

  /// `tf.customGrad(f)`: `f(inputs, save)` returns the value and its gradient function;
  /// `save` keeps tensors for the gradient function, which receives them as `saved`.
  public static func customGrad(
    _ f: @escaping ([Tensor], _ save: ([Tensor]) -> Void) throws
      -> (value: Tensor, gradFunc: CustomGradientFunction)
  ) -> ([Tensor]) throws -> Tensor {
    { inputs in
      let engine = Engine.shared
      let recording = engine.isRecording
      customCounter += 1
      let key = customCounter
      var saved: [Tensor] = []
      var gradFunc: CustomGradientFunction?
      let value = try engine.runOp(
        customGradName, inputs: inputs, attrs: OpAttrs(["customGradKey": .int(key)])
      ) {
        let result = try f(inputs) { tensors in
          saved = tensors.map { t in
            let alias = Tensor(storage: t.storage, shape: t.shape, dtype: t.dtype, track: false)
            alias.isKept = true
            return alias
          }
        }
        gradFunc = result.gradFunc
        // The op's output must be a tensor of its own, even when f returns an input.
        let passedThrough = inputs.contains { $0 === result.value }
        return passedThrough ? try result.value.clone() : result.value
      }
      guard recording, let gradFunc else {
        for t in saved { t.dispose() }
        return value
      }
      let count = inputs.count
      let rule: GradientRule = { g in
        let grads = try gradFunc(g.dy, saved)
        if grads.count != count {
          throw TensorError("The function f passed in customGrad(f) must return an object "
            + "where `obj.gradFunc` is a function that returns the same number of tensors as "
            + "inputs passed to f(...).")
        }
        return grads
      }
      customEntries[key] = (rule, saved)
      return value
    }
  }
}
