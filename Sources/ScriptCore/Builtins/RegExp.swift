// RegExp objects and the regex forms of String's match, matchAll, replace,
// replaceAll, search and split. Regex literals reach here through the
// interpreter's `makeRegExp` hook.

/// A `RegExp` instance. `lastIndex` is an ordinary own data property.
public final class JSRegExp: JSObject {
  public let source: String
  public let flags: String
  let program: RegexProgram

  init(prototype: JSObject?, source: String, flags: String) throws {
    let valid: Set<Character> = ["d", "g", "i", "m", "s", "u", "y"]
    var seen = Set<Character>()
    for f in flags {
      guard valid.contains(f), seen.insert(f).inserted else {
        throw ScriptThrow.error(.syntaxError, "Invalid flags supplied to RegExp constructor '\(flags)'")
      }
    }
    self.source = source.isEmpty ? "(?:)" : source
    self.flags = String(flags.sorted())
    self.program = try RegexProgram(pattern: source, flags: flags)
    super.init(prototype: prototype)
    defineOwn("lastIndex", Property(.number(0), enumerable: false, writable: true, configurable: false))
  }

  public override var className: String { "RegExp" }

  var isGlobal: Bool { flags.contains("g") }
  var isSticky: Bool { flags.contains("y") }

  /// `/source/flags`.
  public var display: String { "/\(source)/\(flags)" }
}

/// One successful match: capture positions over the subject's code units.
struct RegexMatch {
  let captures: [Int]
  var start: Int { captures[0] }
  var end: Int { captures[1] }

  func group(_ g: Int, in subject: [UInt16]) -> Value {
    let s = captures[2 * g]
    let e = captures[2 * g + 1]
    guard s >= 0, e >= s else { return .undefined }
    return .string(text(subject[s..<e]))
  }
}

extension Builtins {
  static func installRegExp(_ interpreter: Interpreter) {
    let realm = interpreter.realm
    let proto = realm.newObject()
    realm.defineConstructor(
      "RegExp", arity: 2, prototype: proto,
      call: { call in
        if case .object(_ as JSRegExp) = call.arguments[0], call.arguments[1].isUndefined { return call.arguments[0] }
        return try makeRegExp(call.interpreter, call.arguments[0], call.arguments[1], prototype: proto)
      },
      construct: { interp, args, newTarget in
        try makeRegExp(interp, args[0], args[1], prototype: interp.realm.prototype(for: newTarget, default: proto))
      })
    realm.install(regExpMethods, into: proto, prefix: "RegExp.prototype.")
    interpreter.makeRegExp = { pattern, flags in
      .object(try JSRegExp(prototype: proto, source: pattern, flags: flags))
    }
  }

  private static func makeRegExp(_ interp: Interpreter, _ pattern: Value, _ flags: Value, prototype: JSObject) throws -> Value {
    var source = ""
    var f = ""
    if case .object(let r as JSRegExp) = pattern {
      source = r.source
      f = r.flags
    } else if !pattern.isUndefined {
      source = try interp.toString(pattern)
    }
    if !flags.isUndefined { f = try interp.toString(flags) }
    return .object(try JSRegExp(prototype: prototype, source: source, flags: f))
  }

  static func thisRegExp(_ call: NativeCall, _ method: String) throws -> JSRegExp {
    if case .object(let r as JSRegExp) = call.this { return r }
    throw ScriptThrow.typeError("RegExp.prototype.\(method) requires that 'this' be a RegExp object")
  }

  /// The first match at or after `from` (exactly at `from` when sticky).
  static func search(_ r: JSRegExp, _ subject: [UInt16], from: Int) throws -> RegexMatch? {
    guard from <= subject.count, let caps = try r.program.search(subject, from: from, sticky: r.isSticky) else { return nil }
    return RegexMatch(captures: caps)
  }

  /// RegExpBuiltinExec: honours and updates `lastIndex` for global and sticky regexes.
  static func exec(_ interp: Interpreter, _ r: JSRegExp, _ subject: [UInt16]) throws -> RegexMatch? {
    let usesLastIndex = r.isGlobal || r.isSticky
    var start = 0
    if usesLastIndex {
      let li = try interp.toInteger(interp.get(.object(r), "lastIndex"))
      if li > Double(subject.count) {
        try interp.set(.object(r), "lastIndex", .number(0))
        return nil
      }
      start = Int(max(0, li))
    }
    guard let m = try search(r, subject, from: start) else {
      if usesLastIndex { try interp.set(.object(r), "lastIndex", .number(0)) }
      return nil
    }
    if usesLastIndex { try interp.set(.object(r), "lastIndex", .number(Double(m.end))) }
    return m
  }

  /// The array `exec` returns: matched text and groups, plus `index`, `input`, `groups`.
  static func matchArray(_ interp: Interpreter, _ r: JSRegExp, _ m: RegexMatch, _ subject: [UInt16]) -> Value {
    var items: [Value] = []
    for g in 0...r.program.groupCount { items.append(m.group(g, in: subject)) }
    let a = interp.realm.newArray(items)
    a.put("index", .number(Double(m.start)))
    a.put("input", .string(text(subject)))
    if r.program.groupNames.isEmpty {
      a.put("groups", .undefined)
    } else {
      let groups = JSObject(prototype: nil)
      for (name, index) in r.program.groupNames { groups.put(name, m.group(index, in: subject)) }
      a.put("groups", .object(groups))
    }
    return .object(a)
  }

  static let regExpMethods: [NativeEntry] = [
    .function("exec", arity: 1) { call in
      let r = try thisRegExp(call, "exec")
      let subject = units(try call.interpreter.toString(call.arguments[0]))
      guard let m = try exec(call.interpreter, r, subject) else { return .null }
      return matchArray(call.interpreter, r, m, subject)
    },
    .getter("dotAll") { _, this in .bool((this.asObject as? JSRegExp)?.flags.contains("s") ?? false) },
    .getter("flags") { _, this in .string((this.asObject as? JSRegExp)?.flags ?? "") },
    .getter("global") { _, this in .bool((this.asObject as? JSRegExp)?.isGlobal ?? false) },
    .getter("hasIndices") { _, this in .bool((this.asObject as? JSRegExp)?.flags.contains("d") ?? false) },
    .getter("ignoreCase") { _, this in .bool((this.asObject as? JSRegExp)?.flags.contains("i") ?? false) },
    .getter("multiline") { _, this in .bool((this.asObject as? JSRegExp)?.flags.contains("m") ?? false) },
    .getter("source") { _, this in .string((this.asObject as? JSRegExp)?.source ?? "(?:)") },
    .getter("sticky") { _, this in .bool((this.asObject as? JSRegExp)?.isSticky ?? false) },
    .function("test", arity: 1) { call in
      let r = try thisRegExp(call, "test")
      return .bool(try exec(call.interpreter, r, units(try call.interpreter.toString(call.arguments[0]))) != nil)
    },
    .function("toString", arity: 0) { call in .string(try thisRegExp(call, "toString").display) },
    .getter("unicode") { _, this in .bool((this.asObject as? JSRegExp)?.flags.contains("u") ?? false) },
  ]

  // MARK: - String methods with a RegExp argument

  /// `str.match(re)`: the exec result, or every match's text with `g`.
  static func regexMatch(_ interp: Interpreter, _ r: JSRegExp, _ s: String) throws -> Value {
    let subject = units(s)
    guard r.isGlobal else {
      guard let m = try exec(interp, r, subject) else { return .null }
      return matchArray(interp, r, m, subject)
    }
    try interp.set(.object(r), "lastIndex", .number(0))
    var found: [Value] = []
    while let m = try exec(interp, r, subject) {
      found.append(m.group(0, in: subject))
      if m.end == m.start { try interp.set(.object(r), "lastIndex", .number(Double(m.end + 1))) }
    }
    return found.isEmpty ? .null : .object(interp.realm.newArray(found))
  }

  /// `str.matchAll(re)`: an iterator of exec results (the regex must be global).
  static func regexMatchAll(_ interp: Interpreter, _ r: JSRegExp, _ s: String) throws -> Value {
    guard r.isGlobal else {
      throw ScriptThrow.typeError("String.prototype.matchAll called with a non-global RegExp argument")
    }
    let subject = units(s)
    let copy = try JSRegExp(prototype: r.prototype, source: r.source, flags: r.flags)
    try interp.set(.object(copy), "lastIndex", interp.get(.object(r), "lastIndex"))
    return .object(interp.realm.newIterator(kind: "RegExp String Iterator") {
      guard let m = try exec(interp, copy, subject) else { return nil }
      if m.end == m.start { try interp.set(.object(copy), "lastIndex", .number(Double(m.end + 1))) }
      return matchArray(interp, copy, m, subject)
    })
  }

  /// `str.replace(re, replacement)` / `replaceAll`: all matches with `g`.
  static func regexReplace(_ interp: Interpreter, _ r: JSRegExp, _ s: String, _ replacement: Value, all: Bool) throws -> Value {
    if all && !r.isGlobal {
      throw ScriptThrow.typeError("replaceAll must be called with a global RegExp")
    }
    let subject = units(s)
    var matches: [RegexMatch] = []
    if r.isGlobal {
      try interp.set(.object(r), "lastIndex", .number(0))
      while let m = try exec(interp, r, subject) {
        matches.append(m)
        if m.end == m.start { try interp.set(.object(r), "lastIndex", .number(Double(m.end + 1))) }
      }
    } else if let m = try exec(interp, r, subject) {
      matches.append(m)
    }
    let replacer = replacement.asObject as? JSFunction
    let template = replacer == nil ? units(try interp.toString(replacement)) : []
    var out: [UInt16] = []
    var last = 0
    for m in matches {
      if m.start < last { continue }
      out += subject[last..<m.start]
      if let f = replacer {
        var args: [Value] = []
        for g in 0...r.program.groupCount { args.append(m.group(g, in: subject)) }
        args.append(.number(Double(m.start)))
        args.append(.string(s))
        if !r.program.groupNames.isEmpty {
          let groups = interp.realm.newObject()
          for (name, index) in r.program.groupNames { groups.put(name, m.group(index, in: subject)) }
          args.append(.object(groups))
        }
        out += units(try interp.toString(f.call(interp, this: .undefined, arguments: args)))
      } else {
        out += expandRegexTemplate(template, m, r, subject)
      }
      last = m.end
    }
    out += subject[last...]
    return .string(text(out))
  }

  /// GetSubstitution: `$&`, `` $` ``, `$'`, `$$`, `$1`...`$99`, `$<name>`.
  private static func expandRegexTemplate(_ t: [UInt16], _ m: RegexMatch, _ r: JSRegExp, _ subject: [UInt16]) -> [UInt16] {
    func groupUnits(_ g: Int) -> [UInt16] {
      if case .string(let s) = m.group(g, in: subject) { return units(s) }
      return []
    }
    var out: [UInt16] = []
    var i = 0
    let groups = r.program.groupCount
    while i < t.count {
      guard t[i] == 36, i + 1 < t.count else {
        out.append(t[i])
        i += 1
        continue
      }
      let n = t[i + 1]
      switch n {
      case 36:
        out.append(36)
        i += 2
      case 38:
        out += subject[m.start..<m.end]
        i += 2
      case 96:
        out += subject[0..<m.start]
        i += 2
      case 39:
        out += subject[m.end...]
        i += 2
      case 48...57:
        var g = Int(n - 48)
        var width = 2
        if i + 2 < t.count, t[i + 2] >= 48, t[i + 2] <= 57, g * 10 + Int(t[i + 2] - 48) <= groups {
          g = g * 10 + Int(t[i + 2] - 48)
          width = 3
        }
        if g >= 1 && g <= groups {
          out += groupUnits(g)
          i += width
        } else {
          out.append(36)
          i += 1
        }
      case 60 where !r.program.groupNames.isEmpty:
        if let close = t[(i + 2)...].firstIndex(of: 62) {
          let name = text(t[(i + 2)..<close])
          if let (_, g) = r.program.groupNames.first(where: { $0.0 == name }) { out += groupUnits(g) }
          i = close + 1
        } else {
          out.append(36)
          i += 1
        }
      default:
        out.append(36)
        i += 1
      }
    }
    return out
  }

  /// `str.search(re)`: the first match's index or -1 (ignores and keeps `lastIndex`).
  static func regexSearch(_ r: JSRegExp, _ s: String) throws -> Value {
    guard let m = try search(r, units(s), from: 0) else { return .number(-1) }
    return .number(Double(m.start))
  }

  /// `str.split(re, limit)`: pieces between matches, captures spliced in.
  static func regexSplit(_ interp: Interpreter, _ r: JSRegExp, _ s: String, limit: Int) throws -> Value {
    let subject = units(s)
    var parts: [Value] = []
    if limit == 0 { return .object(interp.realm.newArray()) }
    if subject.isEmpty {
      return .object(interp.realm.newArray(try r.program.match(subject, at: 0) == nil ? [.string("")] : []))
    }
    var p = 0  // end of the last piece's separator
    var q = 0  // where the next separator match is tried
    let matcher = RegexMatcher(program: r.program, input: subject, stepBudget: RegexMatcher.defaultStepBudget)
    while q < subject.count {
      guard let caps = try matcher.attempt(at: q) else {
        q += 1
        continue
      }
      let m = RegexMatch(captures: caps)
      if m.end == p {
        q += 1
        continue
      }
      parts.append(.string(text(subject[p..<q])))
      if parts.count == limit { return .object(interp.realm.newArray(parts)) }
      for g in stride(from: 1, through: r.program.groupCount, by: 1) {
        parts.append(m.group(g, in: subject))
        if parts.count == limit { return .object(interp.realm.newArray(parts)) }
      }
      p = m.end
      q = p
    }
    parts.append(.string(text(subject[p...])))
    return .object(interp.realm.newArray(parts))
  }
}
