// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// An error raised by a layer or model, worded as TF.js words it.
///
/// `kind` is the TF.js error class (`ValueError`, `RuntimeError`, `NotImplementedError`,
/// `AttributeError`); bindings may surface it as the JavaScript error's name.
public struct LayersError: Error, CustomStringConvertible, Equatable {
  /// The TF.js error class of this error.
  public enum Kind: String, Sendable {
    case valueError = "ValueError"
    case runtimeError = "RuntimeError"
    case notImplemented = "NotImplementedError"
    case attributeError = "AttributeError"
  }

  /// The error class.
  public let kind: Kind
  /// The message text.
  public let message: String

  /// Creates an error of a kind with a message.
  public init(_ kind: Kind = .valueError, _ message: String) {
    self.kind = kind
    self.message = message
  }

  /// The message text.
  public var description: String { message }
}

/// A `ValueError`.
func valueError(_ message: String) -> LayersError { LayersError(.valueError, message) }

// MARK: - Shape text

/// A shape as JavaScript's `JSON.stringify` writes it: `[null,7,7,256]`.
public func shapeJSON(_ shape: [Int?]) -> String {
  "[" + shape.map { $0.map(String.init) ?? "null" }.joined(separator: ",") + "]"
}

/// A shape as JavaScript interpolates an array into a string: `,7,7,256`.
func shapeJS(_ shape: [Int?]) -> String {
  shape.map { $0.map(String.init) ?? "" }.joined(separator: ",")
}

/// A concrete shape as JavaScript interpolates it: `130,1000`.
func shapeJS(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: ",") }
