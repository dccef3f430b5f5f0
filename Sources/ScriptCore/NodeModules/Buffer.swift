// Node's `Buffer`, kept small: a byte array that `fs.readFileSync` returns
// without an encoding and that `fs.writeFileSync` accepts. Indexable, with
// `length`, iteration, `toString(encoding)`, `equals`, `slice`/`subarray`
// (copies, where Node's share memory) and `toJSON`; printed as Node prints
// it, `<Buffer 68 69>`. The global `Buffer` has `from`, `alloc`, `concat`,
// `isBuffer` and `byteLength`.

/// Bytes visible to scripts as a Node `Buffer`. Host code (image decoding in
/// the bindings) reads `bytes` directly.
public final class BufferObject: JSObject {
  /// The buffer's contents.
  public var bytes: [UInt8]

  init(prototype: JSObject?, bytes: [UInt8]) {
    self.bytes = bytes
    super.init(prototype: prototype)
  }

  public override var className: String { "Buffer" }

  public override func ownProperty(_ key: String) -> Property? {
    if let i = arrayIndex(key) {
      return Int(i) < bytes.count
        ? Property(.number(Double(bytes[Int(i)])), configurable: false) : nil
    }
    return storage.find(key)
  }

  @discardableResult
  public override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if let i = arrayIndex(key) {
      // As a Uint8Array: out-of-range writes are ignored, values wrap modulo 256.
      if Int(i) < bytes.count, case .value(.number(let d)) = property.slot {
        bytes[Int(i)] =
          d.isFinite ? UInt8(truncatingIfNeeded: Int64(d.rounded(.towardZero)) & 0xff) : 0
      }
      return true
    }
    return super.defineOwn(key, property)
  }

  public override func ownKeys() -> [String] {
    bytes.indices.map { String($0) } + storage.orderedKeys
  }

  public override func makeIterator(_ interpreter: Interpreter) -> (() throws -> Value?)? {
    var i = 0
    return { [self] in
      guard i < bytes.count else { return nil }
      defer { i += 1 }
      return .number(Double(bytes[i]))
    }
  }

  /// `<Buffer 68 65 6c 6c 6f>`, at most 50 bytes shown, as Node.
  public override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let shown = bytes.prefix(50).map { b in
      let s = String(b, radix: 16)
      return s.count == 1 ? "0" + s : s
    }
    var text = "<Buffer" + (shown.isEmpty ? "" : " " + shown.joined(separator: " "))
    if bytes.count > 50 { text += " ... \(bytes.count - 50) more bytes" }
    return text + ">"
  }
}

// MARK: - Encodings

/// The text encodings `Buffer` and `fs` accept.
enum TextEncoding: String {
  case utf8, latin1, ascii, hex, base64

  /// Node's names for an encoding (`'utf-8'`, `'binary'`); nil for unknown names.
  init?(name: String) {
    switch name.lowercased() {
    case "utf8", "utf-8": self = .utf8
    case "latin1", "binary": self = .latin1
    case "ascii": self = .ascii
    case "hex": self = .hex
    case "base64": self = .base64
    default: return nil
    }
  }

  func decode(_ bytes: ArraySlice<UInt8>) -> String {
    switch self {
    case .utf8: return String(decoding: bytes, as: UTF8.self)
    case .latin1: return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    case .ascii: return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0 & 0x7f) }))
    case .hex:
      let digits = Array("0123456789abcdef")
      return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    case .base64: return Base64.encode(bytes)
    }
  }

  func encode(_ text: String) -> [UInt8] {
    switch self {
    case .utf8: return Array(text.utf8)
    case .latin1, .ascii: return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    case .hex:
      // As Node: stops at the first pair that is not hex.
      var out: [UInt8] = []
      let chars = Array(text.utf8)
      var i = 0
      while i + 1 < chars.count, let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) {
        out.append(hi << 4 | lo)
        i += 2
      }
      return out
    case .base64: return Base64.decode(text)
    }
  }

  private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c - 48
    case 97...102: return c - 87
    case 65...70: return c - 55
    default: return nil
    }
  }
}

/// Base64 (RFC 4648); decoding accepts the URL-safe alphabet and skips other
/// characters, as Node's does.
enum Base64 {
  static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: ArraySlice<UInt8>) -> String {
    var out: [UInt8] = []
    var i = bytes.startIndex
    while i < bytes.endIndex {
      let n = min(3, bytes.endIndex - i)
      var chunk: UInt32 = 0
      for j in 0..<3 { chunk = chunk << 8 | UInt32(j < n ? bytes[i + j] : 0) }
      for j in 0..<4 {
        out.append(j <= n ? alphabet[Int((chunk >> (18 - 6 * UInt32(j))) & 63)] : UInt8(ascii: "="))
      }
      i += n
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var accumulator: UInt32 = 0
    var bits = 0
    for c in text.utf8 {
      let v: UInt32
      switch c {
      case 65...90: v = UInt32(c - 65)
      case 97...122: v = UInt32(c - 71)
      case 48...57: v = UInt32(c + 4)
      case 43, 45: v = 62
      case 47, 95: v = 63
      case 61: return out
      default: continue
      }
      accumulator = accumulator << 6 | v
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8((accumulator >> UInt32(bits)) & 0xff))
      }
    }
    return out
  }
}

// MARK: - Prototype and global

/// The realm's `Buffer.prototype`, and conversions between script values and bytes.
final class BufferSupport {
  unowned let realm: Realm
  let prototype: JSObject

  init(realm: Realm) {
    self.realm = realm
    prototype = JSObject(prototype: realm.objectPrototype)
  }

  func make(_ bytes: [UInt8]) -> BufferObject {
    BufferObject(prototype: prototype, bytes: bytes)
  }

  /// The bytes of a string (in `encoding`), a Buffer, a typed array (its
  /// elements' machine bytes, little-endian, as Node writes them) or an array
  /// of numbers; nil for anything else.
  func bytes(of value: Value, encoding: TextEncoding, interpreter: Interpreter) throws -> [UInt8]? {
    switch value {
    case .string(let s): return encoding.encode(s)
    case .object(let b as BufferObject): return b.bytes
    case .object(let o):
      let width: Int
      switch o.className {
      case "Uint8Array", "Int8Array", "Uint8ClampedArray": width = 1
      case "Float32Array", "Int32Array", "Uint32Array": width = 4
      case "Array": width = 0
      default: return nil
      }
      let items = try interpreter.collect(value).map { try interpreter.toNumber($0) }
      if width <= 1 { return items.map { UInt8(truncatingIfNeeded: Int64($0.isFinite ? $0 : 0)) } }
      var out: [UInt8] = []
      out.reserveCapacity(items.count * 4)
      for d in items {
        let word: UInt32 =
          o.className == "Float32Array"
          ? Float(d).bitPattern : UInt32(truncatingIfNeeded: Int64(d.isFinite ? d : 0))
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))) }
      }
      return out
    default: return nil
    }
  }

  /// An encoding argument (`'utf8'`); utf8 when missing. Unknown names fail
  /// with Buffer's error, or with fs's when `forFS` (Node words them differently).
  static func encoding(_ value: Value, _ interp: Interpreter, forFS: Bool = false) throws
    -> TextEncoding
  {
    guard case .string(let name) = value else {
      if value.isNullish { return .utf8 }
      throw interp.invalidArgType("encoding", expected: "of type string", got: value)
    }
    guard let e = TextEncoding(name: name) else {
      if forFS {
        throw interp.nodeError(
          .typeError, code: "ERR_INVALID_ARG_VALUE",
          "The argument 'encoding' is invalid encoding. Received '\(name)'")
      }
      throw interp.nodeError(.typeError, code: "ERR_UNKNOWN_ENCODING", "Unknown encoding: \(name)")
    }
    return e
  }

  func installGlobal() {
    let ctor = realm.newFunction("Buffer", arity: 2) { _ in
      throw ScriptThrow.typeError(
        "Buffer() is not supported by tl: use Buffer.from or Buffer.alloc")
    }
    ctor.defineOwn("prototype", Property(.object(prototype), enumerable: false, writable: false))
    prototype.defineOwn("constructor", Property(.object(ctor), enumerable: false))
    realm.install(staticEntries, into: ctor, prefix: "Buffer.")
    realm.install(methodEntries, into: prototype, prefix: "Buffer.prototype.")
    realm.globalObject.defineOwn("Buffer", Property(.object(ctor), enumerable: false))
  }

  private func this(_ call: NativeCall) throws -> BufferObject {
    guard case .object(let o) = call.this, let b = o as? BufferObject else {
      throw ScriptThrow.typeError("argument must be a buffer")
    }
    return b
  }

  /// `start`/`end` arguments clamped to the buffer, as `slice` reads them.
  private func range(_ call: NativeCall, _ b: BufferObject, from i: Int) throws -> Range<Int> {
    let n = b.bytes.count
    let start = try call.interpreter.relativeIndex(call.arguments[i], length: n, default: 0)
    let end = try call.interpreter.relativeIndex(call.arguments[i + 1], length: n, default: n)
    return start..<max(start, end)
  }

  private var staticEntries: [NativeEntry] {
    [
      .function("alloc", arity: 2) { [unowned self] call in
        let n = try call.arguments.integer(0, name: "size")
        guard n >= 0, n <= 1 << 31 else {
          throw call.interpreter.nodeError(
            .rangeError, code: "ERR_OUT_OF_RANGE",
            "The value of \"size\" is out of range. It must be >= 0 && <= 2147483648. Received \(n)"
          )
        }
        let fill = call.arguments[1].asNumber.map { UInt8(truncatingIfNeeded: Int($0)) } ?? 0
        return .object(make([UInt8](repeating: fill, count: n)))
      },
      .function("byteLength", arity: 2) { call in
        let e = try BufferSupport.encoding(call.arguments[1], call.interpreter)
        if case .object(let b as BufferObject) = call.arguments[0] {
          return .number(Double(b.bytes.count))
        }
        return .number(Double(e.encode(try call.arguments.string(0, name: "string")).count))
      },
      .function("concat", arity: 1) { [unowned self] call in
        let list = try call.arguments.array(0, name: "list")
        var out: [UInt8] = []
        for item in list.elements {
          guard case .object(let b as BufferObject) = item else {
            throw call.interpreter.invalidArgType(
              "list[\(out.count)]", expected: "an instance of Buffer or Uint8Array", got: item)
          }
          out += b.bytes
        }
        return .object(make(out))
      },
      .function("from", arity: 2) { [unowned self] call in
        let e = try BufferSupport.encoding(call.arguments[1], call.interpreter)
        guard
          let bytes = try bytes(of: call.arguments[0], encoding: e, interpreter: call.interpreter)
        else {
          throw call.interpreter.invalidArgType(
            "first argument",
            expected:
              "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object",
            got: call.arguments[0])
        }
        return .object(make(bytes))
      },
      .function("isBuffer", arity: 1) { call in
        if case .object(let o) = call.arguments[0], o is BufferObject { return true }
        return false
      },
    ]
  }

  private var methodEntries: [NativeEntry] {
    [
      .getter("length") { _, this in
        guard case .object(let b as BufferObject) = this else { return .undefined }
        return .number(Double(b.bytes.count))
      },
      .function("equals", arity: 1) { [unowned self] call in
        let b = try this(call)
        guard case .object(let other as BufferObject) = call.arguments[0] else {
          throw call.interpreter.invalidArgType(
            "otherBuffer", expected: "an instance of Buffer or Uint8Array", got: call.arguments[0])
        }
        return .bool(b.bytes == other.bytes)
      },
      .function("slice", arity: 2) { [unowned self] call in
        let b = try this(call)
        return .object(make(Array(b.bytes[try range(call, b, from: 0)])))
      },
      .function("subarray", arity: 2) { [unowned self] call in
        let b = try this(call)
        return .object(make(Array(b.bytes[try range(call, b, from: 0)])))
      },
      .function("toJSON", arity: 0) { [unowned self] call in
        let b = try this(call)
        let o = realm.newObject()
        o.put("type", "Buffer")
        o.put("data", .object(realm.newArray(b.bytes.map { .number(Double($0)) })))
        return .object(o)
      },
      .function("toString", arity: 3) { [unowned self] call in
        let b = try this(call)
        let e = try BufferSupport.encoding(call.arguments[0], call.interpreter)
        return .string(e.decode(b.bytes[try range(call, b, from: 1)]))
      },
    ]
  }
}
