// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Layer arguments and configs as one JSON-like value. The same type carries
// TF.js constructor args (camelCase keys, from bindings), Keras configs read
// from model.json (snake_case, camel-cased on load as TF.js does), and the
// output of getConfig()/toJSON(). Objects keep their key order.

/// A JSON-like config value, as TF.js layer args and Keras configs are.
public indirect enum ConfigValue {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([ConfigValue])
  case object(ConfigObject)
  /// A host object passed as an arg: an `Initializer`, `Regularizer`, `ActivationFunction`...
  case opaque(AnyObject)

  /// The number, if this is one.
  public var number: Double? {
    if case .number(let v) = self { return v }
    return nil
  }
  /// The string, if this is one.
  public var string: String? {
    if case .string(let v) = self { return v }
    return nil
  }
  /// The array, if this is one.
  public var array: [ConfigValue]? {
    if case .array(let v) = self { return v }
    return nil
  }
  /// The object, if this is one.
  public var object: ConfigObject? {
    if case .object(let v) = self { return v }
    return nil
  }
  /// True for `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// An int-array value for a shape with unknown (`null`) dimensions.
  public static func shape(_ dims: [Int?]) -> ConfigValue {
    .array(dims.map { $0.map { .number(Double($0)) } ?? .null })
  }
  /// An int-array value.
  public static func ints(_ v: [Int]) -> ConfigValue { .array(v.map { .number(Double($0)) }) }
  /// An int value.
  public static func int(_ v: Int) -> ConfigValue { .number(Double(v)) }
}

/// A config object: string keys in insertion order.
public struct ConfigObject {
  /// Keys in order.
  public private(set) var keys: [String] = []
  private var storage: [String: ConfigValue] = [:]

  /// An empty object.
  public init() {}

  /// An object from ordered pairs (later duplicates replace earlier values).
  public init(_ pairs: [(String, ConfigValue)]) {
    for (k, v) in pairs { self[k] = v }
  }

  /// Reads or writes a key; writing nil removes it.
  public subscript(key: String) -> ConfigValue? {
    get { storage[key] }
    set {
      if let newValue {
        if storage[key] == nil { keys.append(key) }
        storage[key] = newValue
      } else if storage[key] != nil {
        storage[key] = nil
        keys.removeAll { $0 == key }
      }
    }
  }

  /// The (key, value) pairs in order.
  public var pairs: [(String, ConfigValue)] { keys.map { ($0, storage[$0]!) } }

  /// True when the key is present and not null.
  public func has(_ key: String) -> Bool {
    if let v = storage[key], !v.isNull { return true }
    return false
  }
}

// MARK: - Typed reading of args

/// An exact integer from a JSON number (nil for fractions, non-finite or huge values).
public func exactInt(_ d: Double?) -> Int? {
  guard let d, d.isFinite, d == d.rounded(), Swift.abs(d) < 1e15 else { return nil }
  return Int(d)
}

extension ConfigObject {
  /// A number arg, nil when absent or null.
  public func double(_ key: String) throws -> Double? {
    guard let v = self[key], !v.isNull else { return nil }
    if case .number(let d) = v { return d }
    if case .bool(let b) = v { return b ? 1 : 0 }
    throw valueError("Expected a number for \(key), but got \(v.jsText)")
  }

  /// An integer arg, nil when absent or null.
  public func int(_ key: String) throws -> Int? {
    guard let d = try double(key) else { return nil }
    guard d.isFinite, d == d.rounded(), Swift.abs(d) < 1e15 else {
      throw valueError("Expected an integer for \(key), but got \(jsNumberText(d))")
    }
    return Int(d)
  }

  /// A boolean arg, nil when absent or null.
  public func bool(_ key: String) throws -> Bool? {
    guard let v = self[key], !v.isNull else { return nil }
    if case .bool(let b) = v { return b }
    if case .number(let d) = v { return d != 0 }
    throw valueError("Expected a boolean for \(key), but got \(v.jsText)")
  }

  /// A string arg, nil when absent or null.
  public func string(_ key: String) throws -> String? {
    guard let v = self[key], !v.isNull else { return nil }
    if case .string(let s) = v { return s }
    throw valueError("Expected a string for \(key), but got \(v.jsText)")
  }

  /// One int or a list of ints, expanded to `count` values (TF.js `normalizeArray`).
  public func intTuple(_ key: String, count: Int) throws -> [Int]? {
    guard let v = self[key], !v.isNull else { return nil }
    if case .number = v, let n = try int(key) { return Array(repeating: n, count: count) }
    guard let list = v.array else {
      throw valueError(
        "Expected an integer or an array of \(count) integers for \(key), "
          + "but got \(v.jsText)")
    }
    let ints = try list.map { item -> Int in
      guard let n = exactInt(item.number) else {
        throw valueError(
          "The \(key) argument must be an integer or tuple of integers. "
            + "Received: \(v.jsText)")
      }
      return n
    }
    if ints.count == 1 && count > 1 { return Array(repeating: ints[0], count: count) }
    guard ints.count == count else {
      throw valueError(
        "The \(key) argument must be an integer or tuple of \(count) integers. "
          + "Received: \(v.jsText)")
    }
    return ints
  }

  /// A list of ints, nil when absent or null.
  public func ints(_ key: String) throws -> [Int]? {
    guard let v = self[key], !v.isNull else { return nil }
    if case .number = v, let n = try int(key) { return [n] }
    guard let list = v.array else { throw valueError("Expected an array for \(key)") }
    return try list.map { item in
      guard let n = exactInt(item.number) else {
        throw valueError("Expected integers in \(key), but got \(v.jsText)")
      }
      return n
    }
  }

  /// A shape arg whose entries may be null (unknown), nil when absent or null.
  public func shape(_ key: String) throws -> [Int?]? {
    guard let v = self[key], !v.isNull else { return nil }
    guard let list = v.array else { throw valueError("Expected an array for \(key)") }
    return try list.map { item in
      if item.isNull { return nil }
      guard let n = exactInt(item.number), n >= -1 else {
        throw valueError("Expected non-negative integers or null in \(key), but got \(v.jsText)")
      }
      return n
    }
  }
}

// MARK: - Text

/// A number as JavaScript prints it (integers without a fraction).
func jsNumberText(_ d: Double) -> String {
  if d.isNaN { return "NaN" }
  if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
  if d == d.rounded(), Swift.abs(d) < 1e21 { return String(Int64(d)) }
  return "\(d)"
}

extension ConfigValue {
  /// JSON text (JavaScript `JSON.stringify`; opaque objects print as `{}`).
  public var jsText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let d): return d.isFinite ? jsNumberText(d) : "null"
    case .string(let s): return jsonQuote(s)
    case .array(let a): return "[" + a.map(\.jsText).joined(separator: ",") + "]"
    case .object(let o):
      return "{" + o.pairs.map { jsonQuote($0.0) + ":" + $0.1.jsText }.joined(separator: ",") + "}"
    case .opaque: return "{}"
    }
  }
}

/// A JSON string literal.
func jsonQuote(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if u.value < 0x20 {
        out += String(format: "\\u%04x", u.value)
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  return out + "\""
}

// MARK: - JSON parsing

extension ConfigValue {
  /// Parses JSON text, keeping object key order.
  public static func parseJSON(_ data: Data) throws -> ConfigValue {
    var p = JSONReader(bytes: [UInt8](data))
    p.skipSpace()
    let v = try p.value()
    p.skipSpace()
    if p.pos != p.bytes.count { throw p.error("Unexpected data after the JSON value") }
    return v
  }
}

/// A small JSON reader (RFC 8259) that keeps object key order.
private struct JSONReader {
  let bytes: [UInt8]
  var pos = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func error(_ what: String) -> LayersError {
    valueError("Invalid JSON: \(what) at byte \(pos)")
  }

  mutating func skipSpace() {
    while pos < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[pos]) { pos += 1 }
  }

  mutating func expect(_ word: String) throws {
    for b in word.utf8 {
      guard pos < bytes.count, bytes[pos] == b else { throw error("Expected \(word)") }
      pos += 1
    }
  }

  mutating func value() throws -> ConfigValue {
    guard pos < bytes.count else { throw error("Unexpected end") }
    switch bytes[pos] {
    case UInt8(ascii: "{"):
      pos += 1
      var obj = ConfigObject()
      skipSpace()
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
        pos += 1
        return .object(obj)
      }
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(":")
        skipSpace()
        obj[key] = try value()
        skipSpace()
        guard pos < bytes.count else { throw error("Unterminated object") }
        if bytes[pos] == UInt8(ascii: ",") {
          pos += 1
          continue
        }
        if bytes[pos] == UInt8(ascii: "}") {
          pos += 1
          return .object(obj)
        }
        throw error("Expected , or }")
      }
    case UInt8(ascii: "["):
      pos += 1
      var items: [ConfigValue] = []
      skipSpace()
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
        pos += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value())
        skipSpace()
        guard pos < bytes.count else { throw error("Unterminated array") }
        if bytes[pos] == UInt8(ascii: ",") {
          pos += 1
          continue
        }
        if bytes[pos] == UInt8(ascii: "]") {
          pos += 1
          return .array(items)
        }
        throw error("Expected , or ]")
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "N"):
      try expect("NaN")
      return .number(.nan)
    case UInt8(ascii: "I"):
      try expect("Infinity")
      return .number(.infinity)
    default:
      let start = pos
      if bytes[pos] == UInt8(ascii: "-"), pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "I")
      {
        pos += 1
        try expect("Infinity")
        return .number(-.infinity)
      }
      while pos < bytes.count, "+-0123456789.eE".utf8.contains(bytes[pos]) { pos += 1 }
      guard let d = Double(String(decoding: bytes[start..<pos], as: UTF8.self)) else {
        throw error("Unexpected character")
      }
      return .number(d)
    }
  }

  mutating func string() throws -> String {
    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
      throw error("Expected a string")
    }
    pos += 1
    var out = [UInt8]()
    while pos < bytes.count {
      let b = bytes[pos]
      pos += 1
      if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
      if b != UInt8(ascii: "\\") {
        out.append(b)
        continue
      }
      guard pos < bytes.count else { break }
      let e = bytes[pos]
      pos += 1
      switch e {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "u"):
        guard pos + 4 <= bytes.count,
          var code = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16)
        else { throw error("Bad \\u escape") }
        pos += 4
        if (0xD800..<0xDC00).contains(code), pos + 6 <= bytes.count,
          bytes[pos] == UInt8(ascii: "\\"),
          let low = UInt32(String(decoding: bytes[pos + 2..<pos + 6], as: UTF8.self), radix: 16)
        {
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          pos += 6
        }
        out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
      default: out.append(e)
      }
    }
    throw error("Unterminated string")
  }
}

// MARK: - Case conversion (TF.js generic_utils)

/// TF.js `toCamelCase`: `batch_input_shape` → `batchInputShape`.
public func toCamelCase(_ s: String) -> String {
  if s.count <= 1 || !s.contains("_") { return s }
  var out = ""
  var upper = false
  for c in s {
    if c == "_" {
      upper = true
      continue
    }
    out += upper ? c.uppercased() : String(c)
    upper = false
  }
  return out
}

/// TF.js `toSnakeCase`: `MaxPooling2D` → `max_pooling2d`,
/// `batchInputShape` → `batch_input_shape`.
public func toSnakeCase(_ s: String) -> String {
  func replace(_ text: String, _ pattern: String) -> String {
    guard let re = try? NSRegularExpression(pattern: pattern) else { return text }
    let range = NSRange(text.startIndex..., in: text)
    return re.stringByReplacingMatches(in: text, range: range, withTemplate: "$1_$2")
  }
  let out = replace(replace(s, "(.)([A-Z][a-z0-9]+)"), "([a-z])([A-Z])").lowercased()
  return out.hasPrefix("_") ? "private" + out : out
}

extension ConfigValue {
  /// The value with keys camel-cased and string values camel-cased except under `name`
  /// and layer-name references in `inboundNodes`/`inputLayers`/`outputLayers` (TF.js
  /// `convertPythonicToTs`).
  public func camelCased(key: String? = nil) -> ConfigValue {
    switch self {
    case .string(let s): return key == "name" ? self : .string(toCamelCase(s))
    case .array(let items):
      if let key, ["inboundNodes", "inputLayers", "outputLayers"].contains(key) {
        return .array(items.map { $0.camelCasedReference() })
      }
      return .array(items.map { $0.camelCased(key: key) })
    case .object(let o):
      return .object(
        ConfigObject(
          o.pairs.map { k, v in
            let ck = toCamelCase(k)
            return (ck, v.camelCased(key: ck))
          }))
    default: return self
    }
  }

  /// A node/reference list: strings at index 0 of arrays are layer names.
  private func camelCasedReference() -> ConfigValue {
    guard case .array(let items) = self else { return camelCased() }
    if let first = items.first, case .string = first {
      return .array([first] + items.dropFirst().map { $0.camelCased() })
    }
    return .array(items.map { $0.camelCasedReference() })
  }
}
