// How `console.log` and the REPL show values: Node's `util.inspect` layout
// (depth 2, breakLength 128, compact 3, array grouping, `[Circular *1]`).
// The structure follows Node's formatValue/formatRaw/reduceToSingleString so
// the same inputs break lines in the same places.

extension Interpreter {
  /// The Node-style rendering of `value` (strings quoted), for the REPL echo.
  /// With `colors`, ANSI styles as Node's REPL uses them (numbers yellow,
  /// strings green, `undefined` grey, functions cyan).
  public func inspect(_ value: Value, colors: Bool) -> String {
    var inspector = Inspector(interpreter: self, colors: colors)
    return inspector.format(value, 0)
  }

  /// `inspect` laid out for a terminal `breakLength` columns wide (Node's REPL
  /// passes its width; console.log uses 128).
  public func inspect(_ value: Value, colors: Bool, breakLength: Int) -> String {
    var inspector = Inspector(interpreter: self, colors: colors)
    inspector.breakLength = max(breakLength, 16)
    return inspector.format(value, 0)
  }

  /// `inspect` with a depth limit (`console.dir(x, {depth})`, `%o`); nil = unlimited.
  /// `showHidden` adds non-enumerable own properties as `[key]: value`.
  public func inspect(_ value: Value, colors: Bool, depth: Int?, showHidden: Bool = false) -> String {
    var inspector = Inspector(interpreter: self, colors: colors)
    inspector.depthLimit = depth ?? Int.max
    inspector.showHidden = showHidden
    return inspector.format(value, 0)
  }
}

/// One run of the inspect algorithm: options plus the state Node keeps in `ctx`.
struct Inspector {
  enum Style { case special, number, boolean, undefined, null, string, date, regexp, name }

  let interpreter: Interpreter
  let colors: Bool
  var depthLimit = 2
  /// Nesting beyond which `{depth: null}` output is cut short, as Node does on stack overflow.
  static let maxNesting = 200
  /// Also show non-enumerable own properties as `[key]: value` (`%o`).
  var showHidden = false
  var breakLength = 128
  var compact = 3
  var maxArrayLength = 100
  var maxStringLength = 10_000
  var indentationLvl = 0
  var currentDepth = 0
  var seen: [JSObject] = []
  var circular: [ObjectIdentifier: Int] = [:]

  init(interpreter: Interpreter, colors: Bool) {
    self.interpreter = interpreter
    self.colors = colors
  }

  func stylize(_ s: String, _ style: Style) -> String {
    guard colors else { return s }
    let codes: (Int, Int)
    switch style {
    case .special: codes = (36, 39)
    case .number, .boolean: codes = (33, 39)
    case .undefined: codes = (90, 39)
    case .null: codes = (1, 22)
    case .string: codes = (32, 39)
    case .date: codes = (35, 39)
    case .regexp: codes = (31, 39)
    case .name: return s
    }
    return "\u{1B}[\(codes.0)m\(s)\u{1B}[\(codes.1)m"
  }

  // MARK: - Values

  mutating func format(_ value: Value, _ recurseTimes: Int) -> String {
    switch value {
    case .undefined: return stylize("undefined", .undefined)
    case .null: return stylize("null", .null)
    case .bool(let b): return stylize(b ? "true" : "false", .boolean)
    case .number(let n): return stylize(inspectNumber(n), .number)
    case .string(let s): return formatString(s)
    case .object(let o): return formatObject(o, recurseTimes)
    }
  }

  func formatString(_ full: String) -> String {
    var s = full
    var trailer = ""
    let fullLength = full.utf16.count
    if fullLength > maxStringLength {
      // Node cuts long strings at 10,000 code units: `'aaa'... 5 more characters`.
      s = text(Array(full.utf16.prefix(maxStringLength)))
      let remaining = fullLength - maxStringLength
      trailer = "... \(remaining) more character\(remaining > 1 ? "s" : "")"
    }
    let length = s.utf16.count
    if length > 16, length > breakLength - indentationLvl - 4, s.contains("\n") {
      // Long strings with line breaks: one quoted piece per line, joined with `+`.
      var pieces: [String] = []
      var current = ""
      for ch in s {
        current.append(ch)
        if ch == "\n" {
          pieces.append(current)
          current = ""
        }
      }
      if !current.isEmpty { pieces.append(current) }
      let joiner = " +\n" + String(repeating: " ", count: indentationLvl + 2)
      return pieces.map { stylize(quoteJSString($0), .string) }.joined(separator: joiner) + trailer
    }
    return stylize(quoteJSString(s), .string) + trailer
  }

  mutating func formatObject(_ o: JSObject, _ recurseTimes: Int) -> String {
    if let custom = o.inspect(interpreter, depth: recurseTimes, colors: colors) { return custom }
    if seen.contains(where: { $0 === o }) {
      let id = ObjectIdentifier(o)
      let index: Int
      if let i = circular[id] {
        index = i
      } else {
        index = circular.count + 1
        circular[id] = index
      }
      return stylize("[Circular *\(index)]", .special)
    }
    return formatRaw(o, recurseTimes)
  }

  // MARK: - Objects

  private enum Extras { case object, array }

  mutating func formatRaw(_ o: JSObject, _ recurseTimesIn: Int) -> String {
    var recurseTimes = recurseTimesIn
    let constructor = constructorName(o)
    var keys: [String]
    if let array = o as? JSArray {
      // Only the named keys: listing every index of a 10^7-element array took minutes.
      let named = array.storage.orderedKeys.filter { arrayIndex($0) == nil }
      keys = showHidden
        ? ["length"] + named : named.filter { array.ownProperty($0)?.enumerable == true }
    } else {
      keys = showHidden ? o.ownKeys() : interpreter.enumerableOwnKeys(o)
    }
    var base = ""
    var braces = ("{", "}")
    var extras = Extras.object
    var formatter: (inout Inspector) -> [String] = { _ in [] }

    if let array = o as? JSArray {
      keys = keys.filter { arrayIndex($0) == nil }
      let prefix = constructor == "Array" ? "" : prefixFor(constructor, tag: "", fallback: "Array", size: "(\(array.elements.count))")
      braces = (prefix + "[", "]")
      if array.elements.isEmpty && keys.isEmpty { return braces.0 + "]" }
      extras = .array
      formatter = { $0.formatArrayElements(array, recurseTimes) }
    } else if let map = o as? JSMap {
      braces = (prefixFor(constructor, tag: "Map", fallback: "Map", size: "(\(map.table.count))") + "{", "}")
      if map.table.count == 0 && keys.isEmpty { return braces.0 + "}" }
      formatter = { $0.formatMapEntries(map, recurseTimes) }
    } else if let set = o as? JSSet {
      braces = (prefixFor(constructor, tag: "Set", fallback: "Set", size: "(\(set.table.count))") + "{", "}")
      if set.table.count == 0 && keys.isEmpty { return braces.0 + "}" }
      formatter = { $0.formatSetEntries(set, recurseTimes) }
    } else if let f = o as? JSFunction {
      base = functionBase(f, constructor: constructor)
      keys = keys.filter { $0 != "prototype" }
      if keys.isEmpty { return stylize(base, .special) }
    } else if let r = o as? JSRegExp {
      base = r.display
      keys = keys.filter { $0 != "lastIndex" }
      if keys.isEmpty { return stylize(base, .regexp) }
    } else if let d = o as? JSDate {
      base = d.time.isNaN ? "Invalid Date" : isoString(d.time)
      if keys.isEmpty { return stylize(base, .date) }
    } else if let w = o as? JSPrimitiveObject {
      var inner = Inspector(interpreter: interpreter, colors: colors)
      let shown = inner.format(w.primitive, 0)
      let type: String
      switch w.primitive {
      case .number: type = "Number"
      case .string: type = "String"
      default: type = "Boolean"
      }
      base = "[\(type): \(shown)]"
      if case .string = w.primitive { keys = keys.filter { arrayIndex($0) == nil } }
      if keys.isEmpty { return stylize(base, w.primitive.typeName == "string" ? .string : .number) }
    } else if isError(o) {
      base = errorBase(o)
      // Node hides name/message/stack keys whose text the stack already shows.
      keys = keys.filter { key in
        guard key == "stack" || key == "message" || key == "name" else { return true }
        guard case .value(.string(let v))? = o.ownProperty(key)?.slot else { return true }
        return !base.contains(v)
      }
      if keys.isEmpty { return base }
    } else if let weak = o as? JSWeakCollection {
      // Node cannot list weak entries either.
      braces.0 = (constructor ?? weak.className) + " {"
      formatter = { [$0.stylize("<items unknown>", .special)] }
    } else if let promise = o as? PromiseObject {
      let name = constructor ?? "Promise"
      braces.0 = (name == "Promise" ? "Promise" : name + " [Promise]") + " {"
      formatter = { inspector in
        inspector.indentationLvl += 2
        defer { inspector.indentationLvl -= 2 }
        switch promise.state {
        case .pending: return [inspector.stylize("<pending>", .special)]
        case .fulfilled(let v): return [inspector.format(v, recurseTimes)]
        case .rejected(let v): return [inspector.stylize("<rejected>", .special) + " " + inspector.format(v, recurseTimes)]
        }
      }
    } else if let it = o as? IteratorObject {
      braces = ("Object [\(it.kind)] {", "}")
      if keys.isEmpty { return braces.0 + "}" }
    } else {
      if let c = constructor {
        if c != "Object" {
          braces.0 = c + " {"
        } else if let tagged = o as? TaggedNamespace {
          braces.0 = "Object [\(tagged.tag)] {"
        }
      } else {
        braces.0 = "[Object: null prototype] {"
      }
      if keys.isEmpty { return braces.0 + "}" }
    }

    if recurseTimes > depthLimit {
      let name: String
      if o is JSArray { name = constructor ?? "Array" } else if o is JSMap { name = constructor ?? "Map" } else if o is JSSet { name = constructor ?? "Set" } else { name = constructor ?? "Object" }
      return stylize(constructor == nil ? name : "[\(name)]", .special)
    }
    // Node stops where its stack runs out; here the cut keeps the layout work (which grows
    // with depth times output size) from running for minutes on a deep chain.
    if seen.count >= Inspector.maxNesting {
      let name = constructor ?? (o is JSArray ? "Array" : "Object")
      return stylize(
        "[\(name): Inspection interrupted prematurely. Maximum call stack size exceeded.]", .special)
    }
    recurseTimes += 1
    seen.append(o)
    currentDepth = recurseTimes
    var output = formatter(&self)
    for key in keys {
      output.append(formatProperty(o, key, recurseTimes, extras))
    }
    seen.removeLast()

    if let index = circular[ObjectIdentifier(o)] {
      let reference = stylize("<ref *\(index)>", .special)
      base = base.isEmpty ? reference : reference + " " + base
    }
    return reduceToSingleString(output, base: base, braces: braces, extras: extras, recurseTimes, o)
  }

  mutating func formatArrayElements(_ array: JSArray, _ recurseTimes: Int) -> [String] {
    let count = array.elements.count
    let shown = min(maxArrayLength, count)
    var output: [String] = []
    output.reserveCapacity(shown + 1)
    indentationLvl += 2
    for i in 0..<shown where i < array.elements.count {
      output.append(format(array.elements[i], recurseTimes))
    }
    indentationLvl -= 2
    let remaining = count - shown
    if remaining > 0 { output.append("... \(remaining) more item\(remaining > 1 ? "s" : "")") }
    return output
  }

  mutating func formatMapEntries(_ map: JSMap, _ recurseTimes: Int) -> [String] {
    var output: [String] = []
    indentationLvl += 2
    for (k, v) in map.table.liveEntries {
      output.append(format(k, recurseTimes) + " => " + format(v, recurseTimes))
    }
    indentationLvl -= 2
    return output
  }

  mutating func formatSetEntries(_ set: JSSet, _ recurseTimes: Int) -> [String] {
    var output: [String] = []
    indentationLvl += 2
    for (k, _) in set.table.liveEntries { output.append(format(k, recurseTimes)) }
    indentationLvl -= 2
    return output
  }

  private mutating func formatProperty(_ o: JSObject, _ key: String, _ recurseTimes: Int, _ extras: Extras) -> String {
    let str: String
    if let p = o.ownProperty(key) {
      switch p.slot {
      case .value(let v):
        indentationLvl += 2
        str = format(v, recurseTimes)
        indentationLvl -= 2
      case .accessor(let g, let s):
        str = stylize(g != nil ? (s != nil ? "[Getter/Setter]" : "[Getter]") : (s != nil ? "[Setter]" : "undefined"), .special)
      }
    } else {
      str = stylize("undefined", .undefined)
    }
    var name = isIdentifierKey(key) ? stylize(key, .name) : stylize(quoteJSString(key), .string)
    if showHidden, o.ownProperty(key)?.enumerable == false { name = "[" + key + "]" }
    return name + ": " + str
  }

  // MARK: - Layout

  private mutating func reduceToSingleString(
    _ outputIn: [String], base: String, braces: (String, String), extras: Extras,
    _ recurseTimes: Int, _ value: JSObject
  ) -> String {
    var output = outputIn
    let entries = output.count
    if extras == .array && entries > 6 {
      output = groupArrayElements(output, value as? JSArray)
    }
    if currentDepth - recurseTimes < compact && entries == output.count {
      let start = output.count + indentationLvl + braces.0.count + base.count + 10
      if isBelowBreakLength(output, start: start, base: base) {
        let joined = output.joined(separator: ", ")
        if !joined.contains("\n") {
          return (base.isEmpty ? "" : base + " ") + braces.0 + " " + joined + " " + braces.1
        }
      }
    }
    let indentation = "\n" + String(repeating: " ", count: indentationLvl)
    return (base.isEmpty ? "" : base + " ") + braces.0 + indentation + "  "
      + output.joined(separator: "," + indentation + "  ") + indentation + braces.1
  }

  private func visibleLength(_ s: String) -> Int {
    guard colors else { return s.count }
    var n = 0
    var inEscape = false
    for ch in s {
      if inEscape {
        if ch == "m" { inEscape = false }
      } else if ch == "\u{1B}" {
        inEscape = true
      } else {
        n += 1
      }
    }
    return n
  }

  private func isBelowBreakLength(_ output: [String], start: Int, base: String) -> Bool {
    var total = output.count + start
    if total + output.count > breakLength { return false }
    for entry in output {
      total += visibleLength(entry)
      if total > breakLength { return false }
    }
    return base.isEmpty || !base.contains("\n")
  }

  /// Node's column layout for arrays of more than six short entries.
  private func groupArrayElements(_ output: [String], _ array: JSArray?) -> [String] {
    var totalLength = 0
    var maxLength = 0
    var outputLength = output.count
    if let a = array, a.elements.count > maxArrayLength, outputLength > maxArrayLength {
      outputLength -= 1  // the "... more items" entry is not grouped
    }
    let separatorSpace = 2
    var dataLen: [Int] = []
    dataLen.reserveCapacity(outputLength)
    for i in 0..<outputLength {
      let len = visibleLength(output[i])
      dataLen.append(len)
      totalLength += len + separatorSpace
      if maxLength < len { maxLength = len }
    }
    let actualMax = maxLength + separatorSpace
    guard actualMax * 3 + indentationLvl < breakLength,
      Double(totalLength) / Double(actualMax) > 5 || maxLength <= 6
    else { return output }
    let averageBias = (Double(actualMax) - Double(totalLength) / Double(output.count)).squareRoot()
    let biasedMax = max(Double(actualMax) - 3 - averageBias, 1)
    let columns = min(
      Int((((2.5 * biasedMax * Double(outputLength)).squareRoot()) / biasedMax).rounded(.toNearestOrAwayFromZero)),
      (breakLength - indentationLvl) / actualMax,
      compact * 4,
      15)
    if columns <= 1 { return output }
    var maxLineLength: [Int] = []
    for i in 0..<columns {
      var lineLength = 0
      var j = i
      while j < outputLength {
        if dataLen[j] > lineLength { lineLength = dataLen[j] }
        j += columns
      }
      maxLineLength.append(lineLength + separatorSpace)
    }
    var padStart = true
    for i in 0..<output.count {
      if let a = array, i < a.elements.count, case .number = a.elements[i] { continue }
      padStart = false
      break
    }
    var rows: [String] = []
    var i = 0
    while i < outputLength {
      let maxIndex = min(i + columns, outputLength)
      var line = ""
      var j = i
      while j < maxIndex - 1 {
        let cell = output[j] + ", "
        let width = maxLineLength[j - i] + output[j].count - dataLen[j]
        line += padStart ? leftPad(cell, width) : rightPad(cell, width)
        j += 1
      }
      if padStart {
        let width = maxLineLength[j - i] + output[j].count - dataLen[j] - separatorSpace
        line += leftPad(output[j], width)
      } else {
        line += output[j]
      }
      rows.append(line)
      i += columns
    }
    if outputLength < output.count { rows.append(output[outputLength]) }
    return rows
  }

  private func leftPad(_ s: String, _ width: Int) -> String {
    let n = width - s.count
    return n > 0 ? String(repeating: " ", count: n) + s : s
  }

  private func rightPad(_ s: String, _ width: Int) -> String {
    let n = width - s.count
    return n > 0 ? s + String(repeating: " ", count: n) : s
  }

  // MARK: - Names

  /// The name of the nearest `constructor` on the prototype chain whose
  /// prototype the object inherits from; nil for null-prototype objects.
  func constructorName(_ o: JSObject) -> String? {
    var current: JSObject? = o
    while let obj = current {
      if let p = obj.ownProperty("constructor"), case .value(.object(let c)) = p.slot,
        let f = c as? JSFunction
      {
        let name = functionName(f)
        if !name.isEmpty { return name }
      }
      current = obj.prototype
    }
    if o.prototype == nil { return nil }
    return o.className
  }

  private func prefixFor(_ constructor: String?, tag: String, fallback: String, size: String) -> String {
    guard let c = constructor else {
      if !tag.isEmpty && tag != fallback { return "[\(fallback)\(size): null prototype] [\(tag)] " }
      return "[\(fallback)\(size): null prototype] "
    }
    if !tag.isEmpty && c != tag { return "\(c)\(size) [\(tag)] " }
    return "\(c)\(size) "
  }

  func functionName(_ f: JSFunction) -> String {
    if let p = f.ownProperty("name"), case .value(.string(let s)) = p.slot { return s }
    return f.name
  }

  private func functionBase(_ f: JSFunction, constructor: String?) -> String {
    let name = functionName(f)
    if f.isClassConstructor {
      var base = "class " + (name.isEmpty ? "(anonymous)" : name)
      if let c = constructor, c != "Function" { base += " [\(c)]" }
      if let parent = f.prototype as? JSFunction {
        let superName = functionName(parent)
        if !superName.isEmpty { base += " extends " + superName }
      }
      return "[\(base)]"
    }
    var type = "Function"
    if let script = f as? ScriptFunction, script.code.isAsync { type = "AsyncFunction" }
    var base = "[" + type
    if constructor == nil { base += " (null prototype)" }
    base += name.isEmpty ? " (anonymous)" : ": " + name
    base += "]"
    if let c = constructor, c != type, c != "Function" { base += " " + c }
    return base
  }

  func isError(_ o: JSObject) -> Bool {
    var p = o.prototype
    while let proto = p {
      if proto === interpreter.realm.errorPrototype { return true }
      p = proto.prototype
    }
    return o === interpreter.realm.errorPrototype ? false : o.className == "Error"
  }

  private func errorBase(_ o: JSObject) -> String {
    var text: String
    if case .string(let stack) = (try? interpreter.get(.object(o), "stack")) ?? .undefined, !stack.isEmpty {
      text = stack
    } else {
      let name = (try? interpreter.get(.object(o), "name")).flatMap { $0.asString } ?? "Error"
      let message = (try? interpreter.get(.object(o), "message")).flatMap { $0.asString } ?? ""
      text = "[" + (message.isEmpty ? name : name + ": " + message) + "]"
    }
    if indentationLvl > 0 {
      let pad = String(repeating: " ", count: indentationLvl)
      text = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + pad)
    }
    return text
  }
}

// MARK: - Shared text helpers

/// Node's `-0`-aware number display (`console.log(-0)` shows `-0`).
func inspectNumber(_ n: Double) -> String {
  if n == 0 && n.sign == .minus { return "-0" }
  return formatNumber(n)
}

/// A property key shown bare (`a`, `_x1`) rather than quoted (`'a-b'`).
func isIdentifierKey(_ key: String) -> Bool {
  guard let first = key.unicodeScalars.first else { return false }
  func isStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }
  guard isStart(first) else { return false }
  return key.unicodeScalars.allSatisfy { isStart($0) || ($0 >= "0" && $0 <= "9") }
}

/// A string literal as Node prints it: single quotes unless the text holds
/// one (then double quotes, or backticks when it holds both).
func quoteJSString(_ s: String) -> String {
  var quote: Character = "'"
  if s.contains("'") {
    if !s.contains("\"") {
      quote = "\""
    } else if !s.contains("`") && !s.contains("${") {
      quote = "`"
    }
  }
  var out = String(quote)
  for u in s.unicodeScalars {
    switch u {
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    case "\u{0B}": out += "\\x0B"
    case "\\": out += "\\\\"
    default:
      if Character(u) == quote {
        out += "\\" + String(quote)
      } else if u.value < 0x20 || u.value == 0x7F {
        out += "\\x" + hex2(u.value)
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  out.append(quote)
  return out
}

private func hex2(_ v: UInt32) -> String {
  let digits = Array("0123456789ABCDEF")
  return String(digits[Int(v >> 4) & 15]) + String(digits[Int(v) & 15])
}
