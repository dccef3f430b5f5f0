// JSON.parse (V8's error wording, optional reviver) and JSON.stringify
// (indent, replacer function or key list, toJSON, cycle detection).

extension Builtins {
  static func installJSON(_ realm: Realm) {
    let json = TaggedNamespace(prototype: realm.objectPrototype, tag: "JSON")
    realm.install(jsonEntries, into: json, prefix: "JSON.")
    realm.defineGlobal("JSON", .object(json))
  }

  static let jsonEntries: [NativeEntry] = [
    .function("parse", arity: 2) { call in
      let interp = call.interpreter
      let text = try interp.toString(call.arguments[0])
      var parser = JSONParser(text: text, realm: interp.realm)
      let value = try parser.parseDocument()
      guard case .object(let reviverObject) = call.arguments[1], let reviver = reviverObject as? JSFunction else {
        return value
      }
      let root = interp.realm.newObject()
      root.put("", value)
      return try interp.revive(root, "", reviver)
    },
    .function("stringify", arity: 3) { call in
      guard let s = try call.interpreter.jsonStringify(
        call.arguments[0], replacer: call.arguments[1], indent: call.arguments[2])
      else { return .undefined }
      return .string(s)
    },
  ]
}

// MARK: - Parsing

struct JSONParser {
  /// The text as UTF-8: structural characters are ASCII, and strings without
  /// escapes become `String`s straight from their bytes.
  let bytes: [UInt8]
  let realm: Realm
  var pos = 0
  var depth = 0

  init(text: String, realm: Realm) {
    bytes = Array(text.utf8)
    self.realm = realm
  }

  /// A byte offset as the UTF-16 position V8 reports.
  private func position(_ p: Int) -> Int {
    String(decoding: bytes[0..<min(p, bytes.count)], as: UTF8.self).utf16.count
  }

  private func unexpected() -> ScriptThrow {
    guard pos < bytes.count else { return .error(.syntaxError, "Unexpected end of JSON input") }
    let c = bytes[pos]
    let at = position(pos)
    if c == 0x22 { return .error(.syntaxError, "Unexpected string in JSON at position \(at)") }
    if (c >= 0x30 && c <= 0x39) || c == 0x2D {
      return .error(.syntaxError, "Unexpected number in JSON at position \(at)")
    }
    var end = pos + 1
    while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
    let token = String(decoding: bytes[pos..<end], as: UTF8.self)
    return .error(.syntaxError, "Unexpected token \(token) in JSON at position \(at)")
  }

  private mutating func skipSpace() {
    while pos < bytes.count {
      switch bytes[pos] {
      case 0x20, 0x09, 0x0A, 0x0D: pos += 1
      default: return
      }
    }
  }

  mutating func parseDocument() throws -> Value {
    skipSpace()
    let v = try parseValue()
    skipSpace()
    if pos < bytes.count { throw unexpected() }
    return v
  }

  private mutating func parseValue() throws -> Value {
    skipSpace()
    guard pos < bytes.count else { throw unexpected() }
    switch bytes[pos] {
    case 0x7B: return try parseObject()
    case 0x5B: return try parseArray()
    case 0x22: return .string(try parseString())
    case 0x74: return try literal("true", .bool(true))
    case 0x66: return try literal("false", .bool(false))
    case 0x6E: return try literal("null", .null)
    case 0x2D, 0x30...0x39: return try parseNumber()
    default: throw unexpected()
    }
  }

  private mutating func literal(_ word: String, _ value: Value) throws -> Value {
    for u in word.utf8 {
      guard pos < bytes.count, bytes[pos] == u else { throw unexpected() }
      pos += 1
    }
    return value
  }

  private mutating func parseNumber() throws -> Value {
    let start = pos
    if bytes[pos] == 0x2D { pos += 1 }
    func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
    guard isDigit(pos) else { throw unexpected() }
    if bytes[pos] == 0x30 {
      pos += 1
    } else {
      while isDigit(pos) { pos += 1 }
    }
    if pos < bytes.count, bytes[pos] == 0x2E {
      pos += 1
      guard isDigit(pos) else { throw unexpected() }
      while isDigit(pos) { pos += 1 }
    }
    if pos < bytes.count, bytes[pos] == 0x65 || bytes[pos] == 0x45 {
      pos += 1
      if pos < bytes.count, bytes[pos] == 0x2B || bytes[pos] == 0x2D { pos += 1 }
      guard isDigit(pos) else { throw unexpected() }
      while isDigit(pos) { pos += 1 }
    }
    let text = String(decoding: bytes[start..<pos], as: UTF8.self)
    return .number(Double(text) ?? .nan)
  }

  private mutating func parseString() throws -> String {
    pos += 1  // opening quote
    let start = pos
    // Fast path: no escapes.
    while pos < bytes.count {
      let c = bytes[pos]
      if c == 0x22 {
        pos += 1
        return String(decoding: bytes[start..<(pos - 1)], as: UTF8.self)
      }
      if c == 0x5C || c < 0x20 { break }
      pos += 1
    }
    var out = Array(bytes[start..<pos])
    var pendingUnits: [UInt16] = []  // \u escapes, joined so surrogate pairs combine
    func flush() {
      if pendingUnits.isEmpty { return }
      out.append(contentsOf: String(decoding: pendingUnits, as: UTF16.self).utf8)
      pendingUnits.removeAll()
    }
    while true {
      guard pos < bytes.count else { throw unexpected() }
      let c = bytes[pos]
      if c == 0x22 {
        pos += 1
        flush()
        return String(decoding: out, as: UTF8.self)
      }
      if c < 0x20 { throw unexpected() }
      if c == 0x5C {
        pos += 1
        guard pos < bytes.count else { throw unexpected() }
        if bytes[pos] == 0x75 {
          var v: UInt16 = 0
          for _ in 0..<4 {
            pos += 1
            guard pos < bytes.count else { throw unexpected() }
            let h = bytes[pos]
            let d: UInt16
            switch h {
            case 0x30...0x39: d = UInt16(h - 0x30)
            case 0x41...0x46: d = UInt16(h - 0x37)
            case 0x61...0x66: d = UInt16(h - 0x57)
            default: throw unexpected()
            }
            v = v * 16 + d
          }
          pendingUnits.append(v)
          pos += 1
          continue
        }
        flush()
        switch bytes[pos] {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x2F: out.append(0x2F)
        case 0x62: out.append(0x08)
        case 0x66: out.append(0x0C)
        case 0x6E: out.append(0x0A)
        case 0x72: out.append(0x0D)
        case 0x74: out.append(0x09)
        default: throw unexpected()
        }
        pos += 1
        continue
      }
      flush()
      out.append(c)
      pos += 1
    }
  }

  private mutating func parseArray() throws -> Value {
    pos += 1
    depth += 1
    defer { depth -= 1 }
    if depth > 5000 { throw ScriptThrow.rangeError("Maximum call stack size exceeded") }
    var elements: [Value] = []
    skipSpace()
    if pos < bytes.count, bytes[pos] == 0x5D {
      pos += 1
      return .object(realm.newArray())
    }
    while true {
      elements.append(try parseValue())
      skipSpace()
      guard pos < bytes.count else { throw unexpected() }
      if bytes[pos] == 0x2C {
        pos += 1
        continue
      }
      if bytes[pos] == 0x5D {
        pos += 1
        return .object(realm.newArray(elements))
      }
      throw unexpected()
    }
  }

  private mutating func parseObject() throws -> Value {
    pos += 1
    depth += 1
    defer { depth -= 1 }
    if depth > 5000 { throw ScriptThrow.rangeError("Maximum call stack size exceeded") }
    let o = realm.newObject()
    skipSpace()
    if pos < bytes.count, bytes[pos] == 0x7D {
      pos += 1
      return .object(o)
    }
    while true {
      skipSpace()
      guard pos < bytes.count, bytes[pos] == 0x22 else { throw unexpected() }
      let key = try parseString()
      skipSpace()
      guard pos < bytes.count, bytes[pos] == 0x3A else { throw unexpected() }
      pos += 1
      let v = try parseValue()
      if key == "__proto__" {
        o.storage.setValue(key, v)
      } else {
        o.defineOwn(key, Property(v))
      }
      skipSpace()
      guard pos < bytes.count else { throw unexpected() }
      if bytes[pos] == 0x2C {
        pos += 1
        continue
      }
      if bytes[pos] == 0x7D {
        pos += 1
        return .object(o)
      }
      throw unexpected()
    }
  }
}

// MARK: - Reviver and stringify

extension Interpreter {
  /// JSON.parse's InternalizeJSONProperty: children first, then the holder's key.
  func revive(_ holder: JSObject, _ key: String, _ reviver: JSFunction) throws -> Value {
    let value = try get(.object(holder), key)
    if case .object(let o) = value {
      let keys = o is JSArray ? (o as? JSArray)?.elements.indices.map(String.init) ?? [] : enumerableOwnKeys(o)
      for k in keys {
        let v = try revive(o, k, reviver)
        if v.isUndefined { o.deleteOwn(k) } else { o.defineOwn(k, Property(v)) }
      }
    }
    return try reviver.call(self, this: .object(holder), arguments: [.string(key), value])
  }

  /// `JSON.stringify(value, replacer, indent)`; nil when the result is `undefined`.
  public func jsonStringify(_ value: Value, replacer: Value, indent: Value) throws -> String? {
    var writer = JSONWriter(interpreter: self)
    if case .object(let r) = replacer {
      if let f = r as? JSFunction {
        writer.replacerFunction = f
      } else if let list = r as? JSArray {
        var keys: [String] = []
        for item in list.elements {
          var key: String?
          switch item {
          case .string(let s): key = s
          case .number(let n): key = formatNumber(n)
          case .object(let o as JSPrimitiveObject): key = try toString(o.primitive)
          default: key = nil
          }
          if let k = key, !keys.contains(k) { keys.append(k) }
        }
        writer.allowedKeys = keys
      }
    }
    var space = indent
    if case .object(let o as JSPrimitiveObject) = indent { space = o.primitive }
    switch space {
    case .number(let n):
      let count = max(0, min(10, n.isFinite ? Int(n) : (n > 0 ? 10 : 0)))
      writer.gap = String(repeating: " ", count: count)
    case .string(let s): writer.gap = String(s.prefix(10))
    default: break
    }
    let wrapper = realm.newObject()
    wrapper.put("", value)
    return try writer.serialize(holder: wrapper, key: "", value: value, indent: "")
  }
}

struct JSONWriter {
  let interpreter: Interpreter
  var replacerFunction: JSFunction?
  var allowedKeys: [String]?
  var gap = ""
  var stack: [JSObject] = []

  init(interpreter: Interpreter) { self.interpreter = interpreter }

  /// SerializeJSONProperty. `key` is only built when toJSON or a replacer needs it.
  mutating func serialize(
    holder: JSObject, key: @autoclosure () -> String, value valueIn: Value, indent: String
  ) throws -> String? {
    var value = valueIn
    if case .object(let o) = value, let p = o.lookup("toJSON") {
      var toJSON = Value.undefined
      switch p.slot {
      case .value(let v): toJSON = v
      case .accessor(let g, _): if let g = g { toJSON = try g.call(interpreter, this: value, arguments: []) }
      }
      if case .object(let f as JSFunction) = toJSON {
        value = try f.call(interpreter, this: value, arguments: [.string(key())])
      }
    }
    if let r = replacerFunction {
      value = try r.call(interpreter, this: .object(holder), arguments: [.string(key()), value])
    }
    if case .object(let w as JSPrimitiveObject) = value {
      value = w.primitive.typeName == "boolean" ? w.primitive : (w.primitive.typeName == "number"
        ? .number(try interpreter.toNumber(value)) : .string(try interpreter.toString(value)))
    }
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .string(let s): return jsonQuote(s)
    case .number(let n): return n.isFinite ? formatNumber(n) : "null"
    case .undefined: return nil
    case .object(let o):
      if o is JSFunction { return nil }
      if stack.contains(where: { $0 === o }) {
        throw ScriptThrow.typeError("Converting circular structure to JSON")
      }
      // V8 runs out of stack on structures nested this deep.
      if stack.count >= maxJoinDepth {
        throw ScriptThrow.rangeError("Maximum call stack size exceeded")
      }
      stack.append(o)
      defer { stack.removeLast() }
      let inner = indent + gap
      if let a = o as? JSArray {
        if a.elements.isEmpty { return "[]" }
        var parts: [String] = []
        var i = 0
        while i < a.elements.count {
          parts.append(try serialize(holder: a, key: String(i), value: a.elements[i], indent: inner) ?? "null")
          i += 1
        }
        if gap.isEmpty { return "[" + parts.joined(separator: ",") + "]" }
        return "[\n" + inner + parts.joined(separator: ",\n" + inner) + "\n" + indent + "]"
      }
      var parts: [String] = []
      if allowedKeys == nil, type(of: o) == JSObject.self, !o.storage.keys.contains(where: { arrayIndex($0) != nil }) {
        // A plain object whose keys are all in insertion order: walk its storage.
        for (k, p) in zip(o.storage.keys, o.storage.properties) where p.enumerable {
          let v: Value
          switch p.slot {
          case .value(let x): v = x
          case .accessor(let g, _): v = try g.map { try $0.call(interpreter, this: .object(o), arguments: []) } ?? .undefined
          }
          guard let s = try serialize(holder: o, key: k, value: v, indent: inner) else { continue }
          parts.append(jsonQuote(k) + (gap.isEmpty ? ":" : ": ") + s)
        }
        if parts.isEmpty { return "{}" }
        if gap.isEmpty { return "{" + parts.joined(separator: ",") + "}" }
        return "{\n" + inner + parts.joined(separator: ",\n" + inner) + "\n" + indent + "}"
      }
      let keys = allowedKeys ?? interpreter.enumerableOwnKeys(o)
      for k in keys {
        let v = try interpreter.get(.object(o), k)
        guard let s = try serialize(holder: o, key: k, value: v, indent: inner) else { continue }
        parts.append(jsonQuote(k) + (gap.isEmpty ? ":" : ": ") + s)
      }
      if parts.isEmpty { return "{}" }
      if gap.isEmpty { return "{" + parts.joined(separator: ",") + "}" }
      return "{\n" + inner + parts.joined(separator: ",\n" + inner) + "\n" + indent + "}"
    }
  }
}

/// A JSON string literal (`"a\nb"`), escaping as `JSON.stringify` does.
public func jsonQuote(_ s: String) -> String {
  if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
  var out = "\""
  out.reserveCapacity(s.utf8.count + 2)
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    default:
      if u.value < 0x20 {
        let hex = String(u.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  out += "\""
  return out
}
