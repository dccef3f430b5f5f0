// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// An activation function by TF.js name (activations.ts).
public final class Activation {
  /// The registered name (`relu`, `hardSigmoid`, ...).
  public let name: String
  private let body: (Tensor) throws -> Tensor

  private init(_ name: String, _ body: @escaping (Tensor) throws -> Tensor) {
    self.name = name
    self.body = body
  }

  /// Applies the function.
  public func apply(_ x: Tensor) throws -> Tensor { try Engine.shared.tidy { try body(x) } }

  /// The names that can be looked up.
  public static let names = [
    "elu", "hardSigmoid", "linear", "relu", "relu6", "selu", "sigmoid", "softmax", "softplus",
    "softsign", "tanh", "swish", "mish", "logSoftmax", "gelu",
  ]

  /// The activation called `name`; nil or `linear` is the identity.
  public static func named(_ name: String?) throws -> Activation {
    func one() -> Tensor { Tensor.scalar(1) }
    switch name ?? "linear" {
    case "linear": return Activation("linear") { try $0.clone() }
    case "relu": return Activation("relu") { try $0.relu() }
    case "relu6": return Activation("relu6") { try $0.relu6() }
    case "elu": return Activation("elu") { try $0.elu() }
    case "selu": return Activation("selu") { try $0.selu() }
    case "sigmoid": return Activation("sigmoid") { try $0.sigmoid() }
    case "hardSigmoid":
      return Activation("hardSigmoid") {
        try $0.mul(Tensor.scalar(0.2)).add(Tensor.scalar(0.5)).clipByValue(0, 1)
      }
    case "tanh": return Activation("tanh") { try $0.tanh() }
    case "softmax": return Activation("softmax") { try $0.softmax() }
    case "logSoftmax": return Activation("logSoftmax") { try $0.logSoftmax() }
    case "softplus": return Activation("softplus") { try $0.softplus() }
    case "softsign": return Activation("softsign") { x in try x.div(try x.abs().add(one())) }
    case "swish": return Activation("swish") { x in try x.mul(try x.sigmoid()) }
    case "mish": return Activation("mish") { x in try x.mul(try x.softplus().tanh()) }
    case "gelu":
      return Activation("gelu") { x in
        let half = Tensor.scalar(0.5)
        let cdf = try x.mul(Tensor.scalar(Float(1 / 2.0.squareRoot()))).erf().add(one()).mul(half)
        return try x.mul(cdf)
      }
    case let other:
      throw valueError(
        "Unknown activation: \(other).\(didYouMean(other, in: names)) This may be due to one "
          + "of the following "
          + "reasons:\n1. The activation is defined in Python, in which case it needs to be ported "
          + "to TensorFlow.js or your JavaScript code.\n2. The custom activation is defined in "
          + "JavaScript, but is not registered properly with tf.serialization.registerClass().")
    }
  }

  /// An activation from an arg value (name string, instance, or null).
  public static func from(_ value: ConfigValue?) throws -> Activation {
    guard let value, !value.isNull else { return try named(nil) }
    if case .opaque(let o) = value, let a = o as? Activation { return a }
    if case .string(let s) = value { return try named(s) }
    if case .object(let o) = value, let cls = try o.string("className") {
      return try named(toCamelCase(cls))
    }
    throw valueError("Unknown activation: \(value.jsText)")
  }
}
