// SPDX-License-Identifier: MIT
import Foundation

// Data out (arraySync-style nested values) and number-operand conveniences.

extension Tensor {
  /// The values nested by the shape, as TF.js's `arraySync()` returns them
  /// (bools as `.bool`, a scalar as a bare value).
  public func arraySync() throws -> NestedValues {
    try checkAlive()
    let values = storage.values
    let isBool = dtype == .bool
    func build(_ offset: Int, _ dims: ArraySlice<Int>) -> NestedValues {
      guard let n = dims.first else {
        let v = values[offset]
        return isBool ? .bool(v != 0) : .number(Double(v))
      }
      let inner = dims.dropFirst().reduce(1, *)
      return .array((0..<n).map { build(offset + $0 * inner, dims.dropFirst()) })
    }
    return build(0, shape[...])
  }

  /// Applies a binary op with a number operand converted as TF.js converts it
  /// (a float32 scalar), without leaving the scalar behind.
  private func withScalar(_ v: Float, _ op: (Tensor) throws -> Tensor) throws -> Tensor {
    try Engine.shared.tidy { try op(Tensor.scalar(v)) }
  }

  /// `x + v`.
  public func add(_ v: Float) throws -> Tensor { try withScalar(v) { try add($0) } }
  /// `x - v`.
  public func sub(_ v: Float) throws -> Tensor { try withScalar(v) { try sub($0) } }
  /// `x * v`.
  public func mul(_ v: Float) throws -> Tensor { try withScalar(v) { try mul($0) } }
  /// `x / v`.
  public func div(_ v: Float) throws -> Tensor { try withScalar(v) { try div($0) } }
  /// `x ^ v`.
  public func pow(_ v: Float) throws -> Tensor { try withScalar(v) { try pow($0) } }
  /// `max(x, v)`.
  public func maximum(_ v: Float) throws -> Tensor { try withScalar(v) { try maximum($0) } }
  /// `min(x, v)`.
  public func minimum(_ v: Float) throws -> Tensor { try withScalar(v) { try minimum($0) } }
}
