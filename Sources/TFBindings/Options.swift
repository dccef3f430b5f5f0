// TF.js config objects (`tf.fused.conv2d({x, filter, strides, pad})`,
// `tf.layers.dense({units: 10, activation: 'relu'})`) read through the same
// checked accessors as positional arguments, by key, so a bad option is
// reported like a bad argument: `Argument 'units' passed to 'dense' must be a
// number, but got 'string'`. `rejectUnknown()` names a misspelt key.

import ScriptCore
import TensorEngine

/// A config object's known keys, read once (getters run) into an `Arguments` view.
struct Options {
  /// The known keys' values, in `keys` order (`undefined` when absent).
  let arguments: Arguments
  /// The enumerable own keys the object has that are not known.
  let unknownKeys: [String]
  private let known: [String]
  private let index: [String: Int]

  /// Reads `keys` from `value` (an object, or undefined/null for "no options").
  init(_ interp: Interpreter, _ value: Value, keys: [String], function: String) throws {
    var values: [Value] = []
    var unknown: [String] = []
    switch value {
    case .undefined, .null: break
    case .object(let o) where !(o is JSFunction) && !(o is JSArray):
      values = try keys.map { try interp.get(value, $0) }
      let knownSet = Set(keys)
      unknown = o.ownKeys().filter { o.ownProperty($0)?.enumerable == true && !knownSet.contains($0) }
    default:
      throw argumentError(
        "Argument 'args' passed to '\(function)' must be an object, but got "
          + "'\(Arguments.describeKind(value))'")
    }
    arguments = Arguments(values, function: function)
    unknownKeys = unknown
    known = keys
    index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
  }

  private func i(_ key: String) -> Int { index[key] ?? Int.max }

  /// The raw value of a known key.
  subscript(_ key: String) -> Value { arguments[i(key)] }

  /// A required tensor option.
  func tensor(_ key: String, dtype: DType? = nil) throws -> Tensor {
    try arguments.tensor(i(key), key, dtype: dtype)
  }

  /// An optional tensor option.
  func optionalTensor(_ key: String) throws -> Tensor? { try arguments.optionalTensor(i(key), key) }

  /// A number option with a default.
  func number(_ key: String, default fallback: Double) throws -> Double {
    try arguments.double(i(key), key, default: fallback)
  }

  /// An optional number option.
  func optionalNumber(_ key: String) throws -> Double? {
    try arguments.optionalNumber(i(key), name: key)
  }

  /// A whole-number option with a default.
  func int(_ key: String, default fallback: Int) throws -> Int {
    try arguments.int(i(key), key, default: fallback)
  }

  /// An optional string option.
  func string(_ key: String) throws -> String? { try arguments.optionalString(i(key), name: key) }

  /// A boolean option (JS-truthy) with a default.
  func flag(_ key: String, default fallback: Bool = false) -> Bool {
    arguments.flag(i(key), default: fallback)
  }

  /// An optional list of whole numbers (`shape`, `kernelSize` as a list).
  func intList(_ key: String) throws -> [Int]? {
    self[key].isNullish ? nil : try arguments.intList(i(key), key)
  }

  /// Throws for the first unknown key, suggesting the closest known one.
  func rejectUnknown() throws {
    guard let key = unknownKeys.first else { return }
    var message = "Unknown option '\(key)' passed to '\(arguments.function)'"
    if let near = closest(to: key, in: known) { message += " (did you mean '\(near)'?)" }
    throw argumentError(message)
  }
}

/// The candidate within edit distance 2 (1 for short names) of `word`, if any.
func closest(to word: String, in candidates: [String]) -> String? {
  let limit = word.count <= 3 ? 1 : 2
  var best: (String, Int)?
  for c in candidates {
    let d = editDistance(Array(word.lowercased()), Array(c.lowercased()))
    if d <= limit, best.map({ d < $0.1 }) ?? true { best = (c, d) }
  }
  return best?.0
}

private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + [Int](repeating: 0, count: b.count)
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    previous = current
  }
  return previous[b.count]
}
