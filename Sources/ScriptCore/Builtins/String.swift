import Foundation  // Unicode normalization forms

// String: conversion, fromCharCode/fromCodePoint/raw, and the prototype
// methods. JS strings are UTF-16: positions and lengths are in UTF-16 code
// units, so each method converts at its edges (`units`/`text`).

@inline(__always)
func units(_ s: String) -> [UInt16] { Array(s.utf16) }

@inline(__always)
func text<C: Collection>(_ u: C) -> String where C.Element == UInt16 {
  String(decoding: u, as: UTF16.self)
}

/// The UTF-16 code unit at offset `i` (in range), without copying the string:
/// Swift keeps UTF-16 breadcrumbs, so repeated offsets into one string are cheap.
@inline(__always)
func unit(_ s: String, _ i: Int) -> UInt16 {
  let u = s.utf16
  return u[u.index(u.startIndex, offsetBy: i)]
}

/// The first index of `needle` in `hay` at or after `from`, or nil.
func indexOf(_ hay: [UInt16], _ needle: [UInt16], from: Int) -> Int? {
  let n = needle.count
  if n == 0 { return min(max(from, 0), hay.count) }
  guard hay.count >= n else { return nil }
  var i = max(from, 0)
  let first = needle[0]
  while i + n <= hay.count {
    if hay[i] == first {
      var j = 1
      while j < n && hay[i + j] == needle[j] { j += 1 }
      if j == n { return i }
    }
    i += 1
  }
  return nil
}

/// The last index of `needle` in `hay` at or before `from`, or nil.
func lastIndexOf(_ hay: [UInt16], _ needle: [UInt16], from: Int) -> Int? {
  let n = needle.count
  var i = min(from, hay.count - n)
  while i >= 0 {
    if Array(hay[i..<(i + n)]) == needle { return i }
    i -= 1
  }
  return nil
}

extension Builtins {
  static func installString(_ realm: Realm) {
    let ctor = realm.defineConstructor(
      "String", arity: 1, prototype: realm.stringPrototype,
      call: { call in
        if call.arguments.count == 0 { return .string("") }
        return .string(try call.interpreter.toString(call.arguments[0]))
      },
      construct: { interp, args, newTarget in
        let s = args.count == 0 ? "" : try interp.toString(args[0])
        return .object(JSPrimitiveObject(
          prototype: interp.realm.prototype(for: newTarget, default: interp.realm.stringPrototype),
          primitive: .string(s)))
      })
    realm.install(stringStatics, into: ctor, prefix: "String.")
    realm.install(stringMethods, into: realm.stringPrototype, prefix: "String.prototype.")
  }

  /// `this` as a string (primitive, String object, or converted), as the
  /// generic String.prototype methods read it.
  static func thisString(_ call: NativeCall, _ method: String) throws -> String {
    switch call.this {
    case .string(let s): return s
    case .undefined, .null:
      throw ScriptThrow.typeError("String.prototype.\(method) called on null or undefined")
    case .object(let o as JSPrimitiveObject):
      if case .string(let s) = o.primitive { return s }
      return try call.interpreter.toString(o.primitive)
    default: return try call.interpreter.toString(call.this)
    }
  }

  private static func argString(_ call: NativeCall, _ i: Int) throws -> String {
    try call.interpreter.toString(call.arguments[i])
  }

  static let stringStatics: [NativeEntry] = [
    .function("fromCharCode", arity: 1) { call in
      var out: [UInt16] = []
      for v in call.arguments.values {
        let d = try call.interpreter.toNumber(v)
        out.append(d.isFinite ? UInt16(truncatingIfNeeded: Int64(d.truncatingRemainder(dividingBy: 65536))) : 0)
      }
      return .string(text(out))
    },
    .function("fromCodePoint", arity: 1) { call in
      var out = ""
      for v in call.arguments.values {
        let d = try call.interpreter.toNumber(v)
        guard d == d.rounded(), d >= 0, d <= 0x10FFFF else {
          throw ScriptThrow.rangeError("Invalid code point \(try call.interpreter.toString(v))")
        }
        if let u = Unicode.Scalar(UInt32(d)) { out.unicodeScalars.append(u) } else { out += "\u{FFFD}" }
      }
      return .string(out)
    },
    .function("raw", arity: 1) { call in
      let interp = call.interpreter
      let strings = try interp.get(call.arguments[0], "raw")
      let count = Int(try interp.toInteger(interp.get(strings, "length")))
      var out = ""
      for i in 0..<max(count, 0) {
        out += try interp.toString(interp.get(strings, String(i)))
        if i + 1 < count && i + 1 < call.arguments.count { out += try interp.toString(call.arguments[i + 1]) }
      }
      return .string(out)
    },
  ]

  static let stringMethods: [NativeEntry] = [
    .function("at", arity: 1) { call in
      let s = try thisString(call, "at")
      let d = try call.interpreter.toInteger(call.arguments[0])
      let n = s.utf16.count
      let i = d < 0 ? Double(n) + d : d
      guard i >= 0, i < Double(n) else { return .undefined }
      return .string(text([unit(s, Int(i))]))
    },
    .function("charAt", arity: 1) { call in
      let s = try thisString(call, "charAt")
      let d = try call.interpreter.toInteger(call.arguments[0])
      guard d >= 0, d < Double(s.utf16.count) else { return .string("") }
      return .string(text([unit(s, Int(d))]))
    },
    .function("charCodeAt", arity: 1) { call in
      let s = try thisString(call, "charCodeAt")
      let d = try call.interpreter.toInteger(call.arguments[0])
      guard d >= 0, d < Double(s.utf16.count) else { return .number(.nan) }
      return .number(Double(unit(s, Int(d))))
    },
    .function("codePointAt", arity: 1) { call in
      let s = try thisString(call, "codePointAt")
      let d = try call.interpreter.toInteger(call.arguments[0])
      let n = s.utf16.count
      guard d >= 0, d < Double(n) else { return .undefined }
      let i = Int(d)
      let hi = unit(s, i)
      if UTF16.isLeadSurrogate(hi), i + 1 < n {
        let lo = unit(s, i + 1)
        if UTF16.isTrailSurrogate(lo) {
          return .number(Double(0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)))
        }
      }
      return .number(Double(hi))
    },
    .function("concat", arity: 1) { call in
      var s = try thisString(call, "concat")
      for v in call.arguments.values { try appendString(&s, try call.interpreter.toString(v)) }
      return .string(s)
    },
    .function("endsWith", arity: 1) { call in
      let u = units(try thisString(call, "endsWith"))
      let search = units(try argString(call, 0))
      let end = try call.interpreter.relativeIndexNonNegative(call.arguments[1], length: u.count, default: u.count)
      let start = end - search.count
      guard start >= 0 else { return false }
      return .bool(Array(u[start..<end]) == search)
    },
    .function("includes", arity: 1) { call in
      let u = units(try thisString(call, "includes"))
      let from = try call.interpreter.relativeIndexNonNegative(call.arguments[1], length: u.count, default: 0)
      return .bool(indexOf(u, units(try argString(call, 0)), from: from) != nil)
    },
    .function("indexOf", arity: 1) { call in
      let u = units(try thisString(call, "indexOf"))
      let from = try call.interpreter.relativeIndexNonNegative(call.arguments[1], length: u.count, default: 0)
      return .number(Double(indexOf(u, units(try argString(call, 0)), from: from) ?? -1))
    },
    .function("lastIndexOf", arity: 1) { call in
      let u = units(try thisString(call, "lastIndexOf"))
      var from = u.count
      if !call.arguments[1].isUndefined {
        let d = try call.interpreter.toNumber(call.arguments[1])
        if !d.isNaN { from = Int(max(0, min(Double(u.count), d.rounded(.towardZero)))) }
      }
      return .number(Double(lastIndexOf(u, units(try argString(call, 0)), from: from) ?? -1))
    },
    .function("localeCompare", arity: 1) { call in
      let a = try thisString(call, "localeCompare")
      let b = try argString(call, 0)
      var numeric = false
      var baseSensitivity = false
      if let opts = call.arguments[2].asObject {
        numeric = try call.interpreter.get(.object(opts), "numeric").isTruthy
        let s = try call.interpreter.get(.object(opts), "sensitivity")
        baseSensitivity = s.asString == "base" || s.asString == "accent"
      }
      return .number(Double(localeCompare(a, b, numeric: numeric, ignoreCase: baseSensitivity)))
    },
    .function("match", arity: 1) { call in
      let s = try thisString(call, "match")
      let r = try regExpArgument(call, call.arguments[0], flags: "")
      return try regexMatch(call.interpreter, r, s)
    },
    .function("matchAll", arity: 1) { call in
      let s = try thisString(call, "matchAll")
      let r = try regExpArgument(call, call.arguments[0], flags: "g")
      return try regexMatchAll(call.interpreter, r, s)
    },
    .function("normalize", arity: 0) { call in
      let s = try thisString(call, "normalize")
      let form = call.arguments[0].isUndefined ? "NFC" : try argString(call, 0)
      switch form {
      case "NFC": return .string(s.precomposedStringWithCanonicalMapping)
      case "NFD": return .string(s.decomposedStringWithCanonicalMapping)
      case "NFKC": return .string(s.precomposedStringWithCompatibilityMapping)
      case "NFKD": return .string(s.decomposedStringWithCompatibilityMapping)
      default: throw ScriptThrow.rangeError("The normalization form should be one of NFC, NFD, NFKC, NFKD.")
      }
    },
    .function("padEnd", arity: 2) { call in try pad(call, atStart: false) },
    .function("padStart", arity: 2) { call in try pad(call, atStart: true) },
    .function("repeat", arity: 1) { call in
      let s = try thisString(call, "repeat")
      let n = try call.interpreter.toInteger(call.arguments[0])
      guard n >= 0, n.isFinite else { throw ScriptThrow.rangeError("Invalid count value: \(formatNumber(n))") }
      guard Double(s.utf16.count) * n < 536_870_888 else { throw ScriptThrow.rangeError("Invalid string length") }
      return .string(String(repeating: s, count: Int(n)))
    },
    .function("replace", arity: 2) { call in try replace(call, all: false) },
    .function("replaceAll", arity: 2) { call in try replace(call, all: true) },
    .function("search", arity: 1) { call in
      let s = try thisString(call, "search")
      return try regexSearch(try regExpArgument(call, call.arguments[0], flags: ""), s)
    },
    .function("slice", arity: 2) { call in
      let u = units(try thisString(call, "slice"))
      let start = try call.interpreter.relativeIndex(call.arguments[0], length: u.count, default: 0)
      let end = try call.interpreter.relativeIndex(call.arguments[1], length: u.count, default: u.count)
      return .string(start < end ? text(u[start..<end]) : "")
    },
    .function("split", arity: 2) { call in
      let s = try thisString(call, "split")
      let interp = call.interpreter
      var limit = Int.max
      if !call.arguments[1].isUndefined {
        let d = try interp.toNumber(call.arguments[1])
        limit = d.isFinite ? Int(UInt32(truncatingIfNeeded: Int64(d.truncatingRemainder(dividingBy: 4_294_967_296)))) : 0
      }
      if call.arguments[0].isUndefined { return .object(interp.realm.newArray(limit == 0 ? [] : [.string(s)])) }
      if case .object(let r as JSRegExp) = call.arguments[0] { return try regexSplit(interp, r, s, limit: limit) }
      let sep = units(try interp.toString(call.arguments[0]))
      let u = units(s)
      var parts: [Value] = []
      if limit == 0 { return .object(interp.realm.newArray()) }
      if sep.isEmpty {
        for c in u.prefix(limit) { parts.append(.string(text([c]))) }
        return .object(interp.realm.newArray(parts))
      }
      var start = 0
      while parts.count < limit, let i = indexOf(u, sep, from: start) {
        parts.append(.string(text(u[start..<i])))
        start = i + sep.count
      }
      if parts.count < limit { parts.append(.string(text(u[start...]))) }
      return .object(interp.realm.newArray(parts))
    },
    .function("startsWith", arity: 1) { call in
      let u = units(try thisString(call, "startsWith"))
      let search = units(try argString(call, 0))
      let start = try call.interpreter.relativeIndexNonNegative(call.arguments[1], length: u.count, default: 0)
      guard start + search.count <= u.count else { return false }
      return .bool(Array(u[start..<(start + search.count)]) == search)
    },
    .function("substr", arity: 2) { call in
      let u = units(try thisString(call, "substr"))
      let start = try call.interpreter.relativeIndex(call.arguments[0], length: u.count, default: 0)
      var length = u.count - start
      if !call.arguments[1].isUndefined {
        length = Int(max(0, min(Double(length), try call.interpreter.toInteger(call.arguments[1]))))
      }
      return .string(length > 0 ? text(u[start..<(start + length)]) : "")
    },
    .function("substring", arity: 2) { call in
      let u = units(try thisString(call, "substring"))
      let a = try call.interpreter.relativeIndexNonNegative(call.arguments[0], length: u.count, default: 0)
      let b = try call.interpreter.relativeIndexNonNegative(call.arguments[1], length: u.count, default: u.count)
      return .string(text(u[min(a, b)..<max(a, b)]))
    },
    .function("toLocaleLowerCase", arity: 0) { call in .string(try thisString(call, "toLocaleLowerCase").lowercased()) },
    .function("toLocaleUpperCase", arity: 0) { call in .string(try thisString(call, "toLocaleUpperCase").uppercased()) },
    .function("toLowerCase", arity: 0) { call in .string(try thisString(call, "toLowerCase").lowercased()) },
    .function("toString", arity: 0) { call in .string(try thisStringStrict(call, "toString")) },
    .function("toUpperCase", arity: 0) { call in .string(try thisString(call, "toUpperCase").uppercased()) },
    .function("trim", arity: 0) { call in .string(try thisString(call, "trim").trimmingJSWhitespace()) },
    .function("trimEnd", arity: 0) { call in .string(trimJS(try thisString(call, "trimEnd"), start: false, end: true)) },
    .function("trimStart", arity: 0) { call in .string(trimJS(try thisString(call, "trimStart"), start: true, end: false)) },
    .function("valueOf", arity: 0) { call in .string(try thisStringStrict(call, "valueOf")) },
  ]

  /// A RegExp argument as is, anything else compiled as a pattern (`'a.c'` → `/a.c/`).
  private static func regExpArgument(_ call: NativeCall, _ v: Value, flags: String) throws -> JSRegExp {
    if case .object(let r as JSRegExp) = v { return r }
    let source = v.isUndefined ? "(?:)" : try call.interpreter.toString(v)
    let proto = (call.interpreter.realm.globalObject.getDataValue("RegExp").asObject?.getDataValue("prototype")).flatMap { $0.asObject }
    return try JSRegExp(prototype: proto, source: source, flags: flags)
  }

  /// `this` for toString/valueOf, which accept only strings and String objects.
  private static func thisStringStrict(_ call: NativeCall, _ method: String) throws -> String {
    if case .string(let s) = call.this { return s }
    if case .object(let o as JSPrimitiveObject) = call.this, case .string(let s) = o.primitive { return s }
    throw ScriptThrow.typeError("String.prototype.\(method) requires that 'this' be a String")
  }

  private static func pad(_ call: NativeCall, atStart: Bool) throws -> Value {
    let s = try thisString(call, atStart ? "padStart" : "padEnd")
    let target = try call.interpreter.toInteger(call.arguments[0])
    let filler = call.arguments[1].isUndefined ? [UInt16(32)] : units(try argString(call, 1))
    let u = units(s)
    guard target > Double(u.count), !filler.isEmpty else { return .string(s) }
    guard target < 536_870_888 else { throw ScriptThrow.rangeError("Invalid string length") }
    let needed = Int(target) - u.count
    var fill: [UInt16] = []
    fill.reserveCapacity(needed)
    while fill.count < needed { fill.append(filler[fill.count % filler.count]) }
    return .string(atStart ? text(fill + u) : text(u + fill))
  }

  /// `replace`/`replaceAll` with a string pattern; the replacement is a
  /// function `(match, offset, string)` or a string with `$&`, `` $` ``, `$'`, `$$`.
  private static func replace(_ call: NativeCall, all: Bool) throws -> Value {
    let interp = call.interpreter
    let s = try thisString(call, all ? "replaceAll" : "replace")
    if case .object(let r as JSRegExp) = call.arguments[0] {
      return try regexReplace(interp, r, s, call.arguments[1], all: all)
    }
    let u = units(s)
    let pattern = units(try interp.toString(call.arguments[0]))
    let replacer = call.arguments[1].asObject as? JSFunction
    let template = replacer == nil ? units(try interp.toString(call.arguments[1])) : []
    var matches: [Int] = []
    var from = 0
    while let i = indexOf(u, pattern, from: from) {
      matches.append(i)
      if !all { break }
      from = i + max(pattern.count, 1)
      if from > u.count { break }
    }
    if matches.isEmpty { return .string(s) }
    var out: [UInt16] = []
    var last = 0
    for m in matches {
      out += u[last..<m]
      if let f = replacer {
        let r = try f.call(interp, this: .undefined, arguments: [.string(text(pattern)), .number(Double(m)), .string(s)])
        out += units(try interp.toString(r))
      } else {
        out += expandTemplate(template, match: pattern, position: m, subject: u)
      }
      last = m + pattern.count
    }
    out += u[last...]
    return .string(text(out))
  }

  private static func expandTemplate(_ t: [UInt16], match: [UInt16], position: Int, subject: [UInt16]) -> [UInt16] {
    var out: [UInt16] = []
    var i = 0
    while i < t.count {
      if t[i] == 0x24, i + 1 < t.count {
        switch t[i + 1] {
        case 0x24: out.append(0x24)
        case 0x26: out += match
        case 0x60: out += subject[0..<position]
        case 0x27: out += subject[min(position + match.count, subject.count)...]
        default:
          out.append(t[i])
          i += 1
          continue
        }
        i += 2
        continue
      }
      out.append(t[i])
      i += 1
    }
    return out
  }

  private static func trimJS(_ s: String, start: Bool, end: Bool) -> String {
    let trimmed = s.trimmingJSWhitespace()
    if trimmed.isEmpty { return "" }
    if start && end { return trimmed }
    // Locate the trimmed text inside the original to keep the other side.
    let u = units(s)
    let t = units(trimmed)
    guard let at = indexOf(u, t, from: 0) else { return trimmed }
    if start { return text(u[at...]) }
    return text(u[..<(at + t.count)])
  }

  /// A small stand-in for ICU collation: case-insensitive first, then lower
  /// case before upper case, then code units.
  /// With `numeric`, runs of digits compare by value (`'item2' < 'item10'`).
  static func localeCompare(_ a: String, _ b: String, numeric: Bool = false, ignoreCase: Bool = false) -> Int {
    let la = a.lowercased()
    let lb = b.lowercased()
    if la != lb {
      let x = Array(la.unicodeScalars)
      let y = Array(lb.unicodeScalars)
      if numeric {
        var i = 0
        var j = 0
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
        while i < x.count && j < y.count {
          if isDigit(x[i]) && isDigit(y[j]) {
            var ni = i
            var nj = j
            while ni < x.count && isDigit(x[ni]) { ni += 1 }
            while nj < y.count && isDigit(y[nj]) { nj += 1 }
            let dx = String(String.UnicodeScalarView(x[i..<ni])).drop { $0 == "0" }
            let dy = String(String.UnicodeScalarView(y[j..<nj])).drop { $0 == "0" }
            if dx.count != dy.count { return dx.count < dy.count ? -1 : 1 }
            if dx != dy { return dx < dy ? -1 : 1 }
            i = ni
            j = nj
            continue
          }
          if x[i] != y[j] { return localeCompare(String(String.UnicodeScalarView(x[i...])), String(String.UnicodeScalarView(y[j...]))) }
          i += 1
          j += 1
        }
        if i < x.count || j < y.count { return i < x.count ? 1 : -1 }
      }
      for (p, q) in zip(x, y) where p != q {
        let pa = p.properties.isAlphabetic || (p.value >= 48 && p.value <= 57)
        let qa = q.properties.isAlphabetic || (q.value >= 48 && q.value <= 57)
        if pa != qa { return pa ? 1 : -1 }  // punctuation sorts before letters and digits
        return p.value < q.value ? -1 : 1
      }
      return x.count < y.count ? -1 : 1
    }
    if ignoreCase { return 0 }
    for (p, q) in zip(a.unicodeScalars, b.unicodeScalars) where p != q {
      return p.properties.isLowercase ? -1 : 1
    }
    return 0
  }
}

extension Interpreter {
  /// A position argument clamped to `0...length` (negative counts as 0).
  func relativeIndexNonNegative(_ v: Value, length: Int, default fallback: Int) throws -> Int {
    if v.isUndefined { return fallback }
    let d = try toInteger(v)
    return Int(max(0, min(Double(length), d)))
  }
}
