// SPDX-License-Identifier: MIT
import Foundation

// The gradient rules by op (kernel) name, and helpers the rules share.
// A rule receives one recorded tape node with the upstream gradients of its
// outputs and returns one gradient per input (nil for inputs it need not or
// cannot differentiate). Rules compute with the node's saved aliases, so they
// work after a `tidy` has disposed the forward tensors, and they are built
// from ordinary ops, so a rule run under an active tape is itself recorded
// (gradients of gradients).

/// What a gradient rule receives: the recorded node and the upstream gradients.
public struct GradientInput {
  /// The recorded op application.
  public let node: TapeNode
  /// The gradient of each output (zeros for outputs that do not lead to y).
  public let dys: [Tensor]
  /// Which inputs need a gradient (those on a path from the xs).
  public let needed: [Bool]

  /// The gradient of the first output.
  public var dy: Tensor { dys[0] }
  /// The op's attributes.
  public var attrs: OpAttrs { node.attrs }
  /// The saved value of input `i`.
  public func input(_ i: Int) -> Tensor { node.savedInputs[i] }
  /// The saved value of the first output.
  public var output: Tensor { node.savedOutputs[0] }
  /// True when input `i` needs a gradient.
  public func needs(_ i: Int) -> Bool { i < needed.count && needed[i] }
}

/// A gradient rule: one gradient (or nil) per input of the node.
public typealias GradientRule = (GradientInput) throws -> [Tensor?]

/// The registry of gradient rules, keyed by op name as recorded on the tape.
public enum Gradients {
  nonisolated(unsafe) private static var table: [String: GradientRule] = builtinRules()

  /// The rule for an op name, if any.
  public static func rule(for name: String) -> GradientRule? { table[name] }

  /// Registers (or replaces) the gradient rule of an op name.
  public static func register(_ name: String, _ rule: @escaping GradientRule) {
    table[name] = rule
  }

  /// Every built-in rule, gathered from the per-family files.
  private static func builtinRules() -> [String: GradientRule] {
    var rules: [String: GradientRule] = [:]
    for family in [
      unaryRules(), binaryRules(), reductionRules(), movementRules(), matMulRules(),
      convolutionRules(), poolingRules(), normalizationRules(),
    ] {
      rules.merge(family) { _, new in new }
    }
    return rules
  }

  /// The op names that have a gradient rule.
  public static var registeredNames: [String] { table.keys.sorted() }
}

// MARK: - Helpers for rules

extension Gradients {
  /// Sums `g` over the axes that broadcasting added or stretched, then reshapes it to
  /// `shape` (TF.js's `getReductionAxes` + `sum` + `reshape` in every binary gradient).
  static func sumToShape(_ g: Tensor, _ shape: [Int]) throws -> Tensor {
    if g.shape == shape { return g }
    let pad = g.rank - shape.count
    var axes = Array(0..<Swift.max(pad, 0))
    for i in 0..<shape.count where shape[i] == 1 && i + pad >= 0 && g.shape[i + pad] != 1 {
      axes.append(i + pad)
    }
    let reduced = axes.isEmpty ? g : try g.sum(axes)
    return try reduced.reshape(shape)
  }

  /// A float32 zeros tensor.
  static func zeros(_ shape: [Int]) throws -> Tensor { try Tensor.zeros(shape) }

  /// A float32 scalar.
  static func scalar(_ v: Float) -> Tensor { Tensor.scalar(v) }

  /// `x` as float32 (a cast op only when needed).
  static func float(_ x: Tensor) throws -> Tensor { x.dtype == .float32 ? x : try x.cast(.float32) }

  /// A rule giving zeros of each input's shape: ops whose result is piecewise constant
  /// (floor, sign, comparisons, argMax ...), as TF.js's `zerosLike` gradients.
  static let zeroRule: GradientRule = { g in
    try g.node.savedInputs.indices.map { i in
      g.needs(i) ? try zeros(g.input(i).shape) : nil
    }
  }

  /// Registers the same rule under several names.
  static func same(_ names: [String], _ rule: @escaping GradientRule) -> [String: GradientRule] {
    Dictionary(uniqueKeysWithValues: names.map { ($0, rule) })
  }
}
