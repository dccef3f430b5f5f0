// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// A weight penalty (TF.js `L1L2`; `L1` and `L2` configs from Keras load as L1L2 too).
public final class Regularizer {
  /// Coefficient of Σ|x|.
  public let l1: Double
  /// Coefficient of Σx².
  public let l2: Double

  /// Creates an L1L2 regularizer.
  public init(l1: Double = 0, l2: Double = 0) {
    self.l1 = l1
    self.l2 = l2
  }

  /// The penalty for a weight value, a scalar.
  public func apply(_ x: Tensor) throws -> Tensor {
    try Engine.shared.tidy {
      var total = try Tensor.zeros([])
      if l1 != 0 { total = try total.add(try x.abs().mul(Tensor.scalar(Float(l1))).sum()) }
      if l2 != 0 { total = try total.add(try x.square().mul(Tensor.scalar(Float(l2))).sum()) }
      return total
    }
  }

  /// `{className: "L1L2", config: {l1, l2}}`.
  public var serialized: ConfigValue {
    .object(
      ConfigObject([
        ("className", .string("L1L2")),
        ("config", .object(ConfigObject([("l1", .number(l1)), ("l2", .number(l2))]))),
      ]))
  }

  /// A regularizer from an arg: `l1`/`l2`/`l1l2` identifier, Keras config, or an instance.
  public static func from(_ value: ConfigValue?) throws -> Regularizer? {
    guard let value, !value.isNull else { return nil }
    switch value {
    case .opaque(let o):
      if let r = o as? Regularizer { return r }
      throw valueError("Expected a regularizer")
    case .string(let s):
      switch s {
      case "l1", "L1": return Regularizer(l1: 0.01)
      case "l2", "L2": return Regularizer(l2: 0.01)
      case "l1l2", "L1L2": return Regularizer(l1: 0.01, l2: 0.01)
      default: throw valueError("Unknown regularizer: \(s)")
      }
    case .object(let o):
      let cls = try o.string("className") ?? ""
      let c = o["config"]?.object ?? ConfigObject()
      switch cls {
      case "L1L2": return Regularizer(l1: try c.double("l1") ?? 0, l2: try c.double("l2") ?? 0)
      case "L1": return Regularizer(l1: try c.double("l1") ?? 0.01)
      case "L2": return Regularizer(l2: try c.double("l2") ?? 0.01)
      default: throw valueError("Unknown regularizer: \(cls)")
      }
    default: throw valueError("Unknown regularizer: \(value.jsText)")
    }
  }
}
