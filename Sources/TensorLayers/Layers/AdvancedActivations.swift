// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Activation layers with parameters (TF.js layers/advanced_activations.ts).

/// `relu`, optionally capped at `maxValue` (TF.js `ReLU`).
public final class ReLU: Layer {
  override public class var className: String { "ReLU" }
  /// The cap, if any.
  public let maxValue: Double?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    maxValue = try args.double("maxValue")
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    if maxValue == 6 { return [try x.relu6()] }
    if let maxValue {
      return [try Engine.shared.tidy { try x.relu().clipByValue(0, Float(maxValue)) }]
    }
    return [try x.relu()]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([("maxValue", maxValue.map { .number($0) } ?? .null)])
  }
}

/// `x` for positives, `alpha · x` otherwise (TF.js `LeakyReLU`, alpha 0.3).
public final class LeakyReLU: Layer {
  override public class var className: String { "LeakyReLU" }
  let alpha: Double

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    // Keras 3 calls it negative_slope.
    alpha = try args.double("alpha") ?? args.double("negativeSlope") ?? 0.3
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try inputs[0].leakyRelu(alpha: Float(alpha))]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("alpha", .number(alpha))]) }
}

/// Exponential linear unit with `alpha` (TF.js `ELU`).
public final class ELU: Layer {
  override public class var className: String { "ELU" }
  let alpha: Double

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    alpha = try args.double("alpha") ?? 1
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    if alpha == 1 { return [try x.elu()] }
    // relu(x) + alpha · (elu(x) − relu(x)): alpha scales the negative branch only.
    return [
      try Engine.shared.tidy {
        let r = try x.relu()
        return try r.add(try x.elu().sub(r).mul(Tensor.scalar(Float(alpha))))
      }
    ]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("alpha", .number(alpha))]) }
}

/// Softmax over an axis (TF.js `Softmax` layer; the last axis only).
public final class SoftmaxLayer: Layer {
  override public class var className: String { "Softmax" }
  let axis: Int

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    axis = try args.int("axis") ?? -1
    try super.init(args)
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    [try inputs[0].softmax(dim: axis)]
  }

  override public func layerConfig() -> ConfigObject { ConfigObject([("axis", .int(axis))]) }
}
