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

// MARK: - Suggestions

/// The candidate closest to `name` by edit distance (case-insensitive), if close enough
/// to be a likely typo: at most max(2, length / 3) edits.
func closestName(_ name: String, in candidates: [String]) -> String? {
  let target = Array(name.lowercased())
  var best: (String, Int)?
  for c in candidates where c != name {
    let d = editDistance(target, Array(c.lowercased()))
    if d <= Swift.max(2, target.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
  }
  return best?.0
}

/// `" Did you mean x?"`, or empty.
func didYouMean(_ name: String, in candidates: [String]) -> String {
  closestName(name, in: candidates).map { " Did you mean \($0)?" } ?? ""
}

/// Levenshtein distance.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
