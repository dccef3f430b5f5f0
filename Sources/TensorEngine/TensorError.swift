// SPDX-License-Identifier: MIT
import Foundation

/// An error raised by a tensor op, with TF.js's message text.
public struct TensorError: Error, CustomStringConvertible, Equatable {
  /// The message, worded as TF.js words it.
  public let message: String

  /// Creates an error with a message.
  public init(_ message: String) { self.message = message }

  /// The message text.
  public var description: String { message }
}

// MARK: - Shape formatting helpers

/// Formats a shape the way TF.js interpolates an array into a message: `2,3`.
func shapeText(_ shape: [Int]) -> String {
  shape.map(String.init).joined(separator: ",")
}

/// `a * b`, or an error instead of an overflow trap (shape arithmetic on user input).
func checkedMultiply(_ a: Int, _ b: Int) throws -> Int {
  let (r, overflow) = a.multipliedReportingOverflow(by: b)
  if overflow { throw TensorError("Shape arithmetic overflowed: \(a) * \(b).") }
  return r
}

/// `a + b`, or an error instead of an overflow trap.
func checkedAdd(_ a: Int, _ b: Int) throws -> Int {
  let (r, overflow) = a.addingReportingOverflow(b)
  if overflow { throw TensorError("Shape arithmetic overflowed: \(a) + \(b).") }
  return r
}
