// SPDX-License-Identifier: MIT
import Foundation

/// The element type of a tensor, named as in TF.js.
///
/// Every dtype is stored in one `[Float]` buffer: `int32` values are exact
/// integers (so exact only up to 2^24 in magnitude) and `bool` values are 0 or 1.
public enum DType: String, CaseIterable, Sendable, CustomStringConvertible {
  case float32
  case int32
  case bool

  /// Parses a dtype name as TF.js spells it, with TF.js's error for unknown names.
  public init(name: String) throws {
    guard let dtype = DType(rawValue: name) else {
      throw TensorError("Unknown data type \(name)")
    }
    self = dtype
  }

  /// The dtype's name (`float32`, `int32`, `bool`).
  public var description: String { rawValue }

  /// Bytes per element as TF.js counts them in `tf.memory()`.
  public var byteSize: Int {
    switch self {
    case .float32, .int32: return 4
    case .bool: return 1
    }
  }

  /// Rank in TF.js's upcast order: bool < int32 < float32.
  var upcastRank: Int {
    switch self {
    case .bool: return 0
    case .int32: return 1
    case .float32: return 2
    }
  }

  /// The dtype both operands of a binary op are converted to (TF.js `upcastType`).
  public static func upcast(_ a: DType, _ b: DType) -> DType {
    a.upcastRank >= b.upcastRank ? a : b
  }

  /// Converts a number given to a creation op (`tf.tensor(values, shape, dtype)`), as
  /// TF.js's `toTypedArray` does: bool is `Math.round(v) != 0`, so 0.3 is false.
  func convertCreated(_ v: Float) -> Float {
    if self == .bool { return (Double(v) + 0.5).rounded(.down) != 0 ? 1 : 0 }
    return convert(v)
  }

  /// Converts a value to what this dtype can hold (truncation for int32, != 0 for bool).
  @inline(__always)
  func convert(_ v: Float) -> Float {
    switch self {
    case .float32: return v
    case .int32: return v.isFinite ? v.rounded(.towardZero) : 0
    case .bool: return v != 0 ? 1 : 0
    }
  }
}
