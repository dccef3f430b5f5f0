// SPDX-License-Identifier: MIT
import Foundation

// The optimizer base (TF.js tf.train.Optimizer): minimize = variableGrads +
// applyGradients, an iteration counter, accumulator variables created lazily
// per gradient position (as TF.js keys them by index), weights for saving.

/// One accumulator an optimizer keeps for a variable (TF.js `OptimizerVariable`).
public struct OptimizerVariable {
  /// The name TF.js saves it under (`<variable>/m`, `<variable>/rms`, ...).
  public let originalName: String
  /// The non-trainable variable holding the state.
  public let variable: Variable
}

/// One value of an optimizer's `getConfig()`.
public enum OptimizerConfigValue: Equatable, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral
{
  case number(Double)
  case bool(Bool)

  /// A number value.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A boolean value.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// A gradient for the variable named `name` (nil: skip it), in application order.
public typealias NamedGradient = (name: String, tensor: Tensor?)

/// Base class of the optimizers (TF.js `tf.train.Optimizer`).
///
/// Subclasses implement `applyGradients(_:)` and `accumulatorGroups`; the update
/// formulas follow TF.js's op by op in float32.
open class Optimizer {
  /// Number of `applyGradients` calls so far.
  public internal(set) var iterations = 0

  /// Creates an optimizer.
  public init() {}

  /// TF.js's class name (`SGD`, `Adam`, ...), used in configs and messages.
  open var className: String { "Optimizer" }

  /// Hyper-parameters as TF.js's `getConfig()` lists them, in its key order, typed.
  open var configEntries: [(key: String, value: OptimizerConfigValue)] { [] }

  /// `configEntries` as numbers (booleans as 1 and 0), for callers that predate the
  /// typed entries.
  public var config: [(key: String, value: Double?)] {
    configEntries.map { entry in
      switch entry.value {
      case .number(let v): return (entry.key, v)
      case .bool(let b): return (entry.key, b ? 1 : 0)
      }
    }
  }

  /// Applies one update from gradients in order; nil gradients are skipped.
  open func applyGradients(_ gradients: [NamedGradient]) throws {
    throw TensorError("applyGradients is not implemented by \(className).")
  }

  /// The accumulator lists, in the order `getWeights` saves them.
  open var accumulatorGroups: [[OptimizerVariable]] { [] }

  /// Applies gradients given by variable name (ordered as the variables were registered).
  public func applyGradients(_ gradients: [String: Tensor]) throws {
    let ordered = gradients.keys.sorted(by: Engine.shared.variableKeyOrder)
    try applyGradients(ordered.map { (name: $0, tensor: gradients[$0]) })
  }

  /// TF.js `optimizer.minimize(f, returnCost, varList)`: one step on the scalar `f()`;
  /// returns the cost when `returnCost` (the caller then owns it), else nil.
  @discardableResult
  public func minimize(
    _ f: () throws -> Tensor?, returnCost: Bool = false, varList: [Variable]? = nil
  ) throws -> Tensor? {
    let result = try computeGradients(f, varList: varList)
    defer { result.grads.values.forEach { $0.dispose() } }
    do {
      if let varList {
        try applyGradients(varList.map { (name: $0.name, tensor: result.grads[$0.name]) })
      } else {
        try applyGradients(result.names.map { (name: $0, tensor: result.grads[$0]) })
      }
    } catch {
      result.value.dispose()
      throw error
    }
    if returnCost { return result.value }
    result.value.dispose()
    return nil
  }

  /// TF.js `computeGradients(f, varList)`: `variableGrads(f, varList)`.
  public func computeGradients(_ f: () throws -> Tensor?, varList: [Variable]? = nil) throws
    -> VariableGradients
  {
    try Autograd.variableGrads(f, varList: varList)
  }

  /// The registered variable a gradient is for.
  func variable(named name: String) throws -> Variable {
    guard let v = Engine.shared.registeredVariables[name] else {
      throw TensorError("Variable with name \(name) is not registered.")
    }
    return v
  }

  /// A new non-trainable accumulator shaped like `value`, filled with `fill`.
  func accumulator(_ name: String, like value: Tensor, fill: Float = 0) throws
    -> OptimizerVariable
  {
    let v = try Engine.shared.tidy {
      try Variable.make(try Tensor.fill(value.shape, fill), trainable: false)
    }
    return OptimizerVariable(originalName: name, variable: v)
  }

  // MARK: - Fused updates

  /// Whether updates run as one loop per variable (see `fusable`); tests turn it off to
  /// compare with the op-by-op updates.
  nonisolated(unsafe) static var fusedUpdates = true

  /// True when a fused loop may replace the op-by-op update: every tensor is a live
  /// float32 tensor of `value`'s shape. The loops compute the same float32 operations in
  /// the same order as the ops, so both paths give bit-identical values; the loop only
  /// saves the intermediate tensors (a dozen passes over each variable).
  func fusable(_ value: Tensor, _ others: [Tensor]) -> Bool {
    Optimizer.fusedUpdates && value.dtype == .float32 && !value.isDisposed
      && others.allSatisfy { $0.dtype == .float32 && $0.shape == value.shape && !$0.isDisposed }
  }

  /// Gives each variable a new buffer holding `values`.
  func assignFused(_ updates: [(Variable, [Float])]) throws {
    try Engine.shared.tidy {
      for (v, values) in updates { try v.assign(Tensor.build(values, v.shape, .float32)) }
    }
  }

  /// Counts one more iteration.
  func incrementIterations() { iterations += 1 }

  /// Disposes the accumulators (TF.js `dispose`).
  open func dispose() {
    for group in accumulatorGroups { for a in group { a.variable.dispose() } }
  }

  /// TF.js `getWeights()`: the iteration count (`iter`, int32) then every accumulator.
  open func getWeights() throws -> [(name: String, tensor: Tensor)] {
    [(name: "iter", tensor: Tensor.scalar(Float(iterations), dtype: .int32))]
      + accumulatorGroups.flatMap { $0.map { (name: $0.originalName, tensor: $0.variable) } }
  }

  /// TF.js `setWeights(weights)`: restores `iter` and the accumulators in `getWeights` order.
  open func setWeights(_ weights: [(name: String, tensor: Tensor)]) throws {
    var rest = weights
    if let first = rest.first, first.name == "iter" {
      iterations = Int(try first.tensor.scalarValue())
      rest.removeFirst()
    }
    try restoreAccumulators(rest)
  }

  /// Replaces the accumulators from saved weights (split evenly over the groups).
  open func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    if !weights.isEmpty {
      throw TensorError("setWeights() is not implemented for \(className).")
    }
  }

  /// Splits saved weights evenly into `groups` accumulator lists of new variables.
  func splitAccumulators(_ weights: [(name: String, tensor: Tensor)], groups: Int) throws
    -> [[OptimizerVariable]]
  {
    if groups == 0 || weights.count % groups != 0 {
      throw TensorError("\(className).setWeights() expects a multiple of \(groups) weights, "
        + "but got \(weights.count).")
    }
    let per = weights.count / groups
    return try (0..<groups).map { g in
      try weights[(g * per)..<((g + 1) * per)].map { w in
        OptimizerVariable(
          originalName: w.name, variable: try Variable.make(w.tensor, trainable: false))
      }
    }
  }
}

extension Engine {
  /// The order of a JavaScript object keyed by variable name: integer-like names
  /// ascending, then the rest by registration.
  func variableKeyOrder(_ a: String, _ b: String) -> Bool {
    let ia = UInt32(a).flatMap { String($0) == a ? $0 : nil }
    let ib = UInt32(b).flatMap { String($0) == b ? $0 : nil }
    switch (ia, ib) {
    case let (x?, y?): return x < y
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil):
      return (registeredVariables[a]?.id ?? Int.max) < (registeredVariables[b]?.id ?? Int.max)
    }
  }
}

// MARK: - By name

extension Optimizer {
  /// The optimizer TF.js layers' `compile({optimizer: 'adam'})` builds from a name
  /// (`getOptimizer`): `SGD`/`sgd` (0.01), `Adam` (0.001), `Adamax` (0.002), `RMSProp`
  /// (0.001), `Adagrad` (0.01), `Adadelta` (1), with layers' epsilon 1e-7.
  public static func named(_ identifier: String) throws -> Optimizer {
    let eps = 1e-7
    switch identifier {
    case "SGD", "sgd": return SGDOptimizer(learningRate: 0.01)
    case "Adam", "adam": return try AdamOptimizer(learningRate: 0.001, epsilon: eps)
    case "Adamax", "adamax":
      return try AdamaxOptimizer(learningRate: 0.002, epsilon: eps, decay: 0)
    case "RMSProp", "rmsprop":
      return RMSPropOptimizer(learningRate: 0.001, decay: 0.9, momentum: 0, epsilon: eps)
    case "Adagrad", "adagrad": return AdagradOptimizer(learningRate: 0.01)
    case "Adadelta", "adadelta": return AdadeltaOptimizer(learningRate: 1, rho: 0.95, epsilon: eps)
    default: throw TensorError("Unknown Optimizer \(identifier)")
    }
  }
}
