// The lexer: turns source scalars into tokens, one at a time, on demand.
//
// Two JavaScript tokens depend on what the parser expects: `/` starts a
// regular expression where an operand is expected and is division elsewhere,
// and `}` resumes a template literal when it closes a `${` substitution. The
// lexer always reads the plain punctuator; the parser asks it to read the
// token again (`rescanRegex`, `rescanTemplateContinuation`) when it knows better.

/// A syntax error found while lexing or parsing, before it becomes a `Diagnostic`.
struct PendingDiagnostic {
  var message: String
  var range: SourceRange
  /// True when the error exists only because the input ended too early.
  var incomplete: Bool
}

final class Lexer {
  let scalars: [Unicode.Scalar]
  private(set) var pos = 0
  private var line = 1
  private var lineStart = 0
  var diagnostics: [PendingDiagnostic] = []

  init(file: SourceFile) {
    scalars = file.scalars
    // A leading `#!` line (a Unix interpreter line) is ignored.
    if scalars.count >= 2, scalars[0] == "#", scalars[1] == "!" {
      while pos < scalars.count, !isLineTerminator(scalars[pos]) { pos += 1 }
    }
  }

  // MARK: - Positions

  /// The current position.
  var location: SourceLocation {
    SourceLocation(line: line, column: pos - lineStart + 1, offset: pos)
  }

  /// Moves back (or forward) to `loc`, a position previously produced by this lexer.
  func reset(to loc: SourceLocation) {
    pos = loc.offset
    line = loc.line
    lineStart = loc.offset - (loc.column - 1)
  }

  private func report(_ message: String, _ range: SourceRange, incomplete: Bool = false) {
    diagnostics.append(PendingDiagnostic(message: message, range: range, incomplete: incomplete))
  }

  @inline(__always)
  private func peekScalar(_ ahead: Int = 0) -> Unicode.Scalar? {
    let i = pos + ahead
    return i < scalars.count ? scalars[i] : nil
  }

  /// Consumes one scalar, keeping the line count (only `\n` starts a new line,
  /// as in `SourceFile.line`).
  @inline(__always)
  private func bump() {
    if scalars[pos] == "\n" {
      line += 1
      lineStart = pos + 1
    }
    pos += 1
  }

  // MARK: - Trivia

  /// Skips white space and comments; returns true when a line terminator was crossed.
  private func skipTrivia() -> Bool {
    var newline = false
    while pos < scalars.count {
      let c = scalars[pos]
      if isLineTerminator(c) {
        newline = true
        bump()
      } else if isWhiteSpace(c) {
        pos += 1
      } else if c == "/", let n = peekScalar(1), n == "/" {
        while pos < scalars.count, !isLineTerminator(scalars[pos]) { pos += 1 }
      } else if c == "/", let n = peekScalar(1), n == "*" {
        let start = location
        pos += 2
        var closed = false
        while pos < scalars.count {
          if scalars[pos] == "*", let n = peekScalar(1), n == "/" {
            pos += 2
            closed = true
            break
          }
          if isLineTerminator(scalars[pos]) { newline = true }
          bump()
        }
        if !closed {
          report("unterminated comment", SourceRange(start), incomplete: true)
        }
      } else {
        break
      }
    }
    return newline
  }

  // MARK: - Tokens

  /// Reads the next token (a `/` is always read as division here).
  func next() -> Token {
    var newline = skipTrivia()
    while true {
      let start = location
      guard pos < scalars.count else {
        var t = Token(.eof, "", SourceRange(start))
        t.newlineBefore = true
        return t
      }
      let c = scalars[pos]
      var token: Token
      if isIdentifierStart(c) || c == "\\" {
        token = lexName(start)
      } else if isDecimalDigit(c) || (c == "." && peekScalar(1).map(isDecimalDigit) == true) {
        token = lexNumber(start)
      } else if c == "\"" || c == "'" {
        token = lexString(start, quote: c)
      } else if c == "`" {
        pos += 1
        token = lexTemplateChunk(start)
      } else if let p = lexPunctuator() {
        token = Token(.punct, p, SourceRange(start: start, end: location))
      } else {
        // Invalid characters: one diagnostic for a run of them, then go on.
        while pos < scalars.count {
          let d = scalars[pos]
          if isIdentifierStart(d) || isDecimalDigit(d) || d == "\\" || isWhiteSpace(d)
            || isLineTerminator(d) || d == "\"" || d == "'" || d == "`" || isPunctuatorStart(d)
          { break }
          pos += 1
        }
        report("unexpected character \(describeScalar(c))", SourceRange(start: start, end: location))
        if skipTrivia() { newline = true }
        continue
      }
      token.newlineBefore = newline
      return token
    }
  }

  /// How a diagnostic names a character: `'@'`, or `U+200B` for invisible ones,
  /// with a hint for typographic quotes pasted from a book or web page.
  private func describeScalar(_ c: Unicode.Scalar) -> String {
    switch c {
    case "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}":
      return "'\(c)' (a typographic quote: use ' or \" for strings)"
    default:
      break
    }
    switch c.properties.generalCategory {
    case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .unassigned,
      .privateUse, .surrogate, .nonspacingMark, .enclosingMark:
      let hex = String(c.value, radix: 16, uppercase: true)
      return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    default:
      return "'\(c)'"
    }
  }

  // MARK: - Names

  private func lexName(_ start: SourceLocation) -> Token {
    // Fast path: a plain ASCII name.
    var end = pos
    while end < scalars.count, scalars[end].value < 0x80, isIdentifierPart(scalars[end]) { end += 1 }
    if end > pos, end == scalars.count || (scalars[end].value < 0x80 && scalars[end] != "\\") {
      pos = end
      return Token(.name, sourceText(start.offset, end), SourceRange(start: start, end: location))
    }
    var text = String.UnicodeScalarView()
    var escaped = false
    var first = true
    while pos < scalars.count {
      let c = scalars[pos]
      if c == "\\" {
        let escStart = location
        pos += 1
        escaped = true
        guard peekScalar() == "u" else {
          report("invalid escape in identifier", SourceRange(escStart))
          break
        }
        pos += 1
        guard let v = readUnicodeEscapeValue(), let sc = Unicode.Scalar(v),
          first ? isIdentifierStart(sc) : isIdentifierPart(sc)
        else {
          report("invalid unicode escape in identifier", SourceRange(start: escStart, end: location))
          continue
        }
        text.append(sc)
      } else if first ? isIdentifierStart(c) : isIdentifierPart(c) {
        text.append(c)
        pos += 1
      } else {
        break
      }
      first = false
    }
    var t = Token(.name, String(text), SourceRange(start: start, end: location))
    t.escaped = escaped
    return t
  }

  // MARK: - Numbers

  private func lexNumber(_ start: SourceLocation) -> Token {
    var value: Double = 0
    let c = scalars[pos]
    if c == "0", let r = peekScalar(1), let radix = radixFor(r) {
      pos += 2
      var digits = 0
      var lastWasSeparator = false
      while pos < scalars.count {
        let d = scalars[pos]
        if d == "_" {
          if digits == 0 || lastWasSeparator {
            report("numeric separators are only allowed between digits", SourceRange(location))
          }
          lastWasSeparator = true
          pos += 1
          continue
        }
        guard let v = digitValue(d), v < radix else { break }
        value = value * Double(radix) + Double(v)
        digits += 1
        lastWasSeparator = false
        pos += 1
      }
      if lastWasSeparator {
        report("numeric separators are only allowed between digits", SourceRange(location))
      }
      if digits == 0 {
        report("missing digits after '0\(r)'", SourceRange(start: start, end: location))
      }
    } else {
      var text = ""
      var sawSeparatorIssue = false
      func digitsRun() -> Int {
        var n = 0
        var lastSep = false
        while pos < scalars.count {
          let d = scalars[pos]
          if d == "_" {
            if n == 0 || lastSep { sawSeparatorIssue = true }
            lastSep = true
            pos += 1
            continue
          }
          guard isDecimalDigit(d) else { break }
          text.unicodeScalars.append(d)
          n += 1
          lastSep = false
          pos += 1
        }
        if lastSep { sawSeparatorIssue = true }
        return n
      }
      let intDigits = digitsRun()
      if intDigits > 1, text.first == "0" {
        report("numbers cannot start with '0' (legacy octal literals are not allowed)",
               SourceRange(start: start, end: location))
      }
      if peekScalar() == "." {
        pos += 1
        text += "."
        _ = digitsRun()
      }
      if let e = peekScalar(), e == "e" || e == "E" {
        pos += 1
        text += "e"
        if let sgn = peekScalar(), sgn == "+" || sgn == "-" {
          text.unicodeScalars.append(sgn)
          pos += 1
        }
        if digitsRun() == 0 {
          report("missing exponent digits in numeric literal", SourceRange(start: start, end: location))
          text += "0"
        }
      }
      if sawSeparatorIssue {
        report("numeric separators are only allowed between digits", SourceRange(start: start, end: location))
      }
      value = Double(text) ?? 0
    }
    if let n = peekScalar(), n == "n" {
      pos += 1
      report("bigint literals are not supported", SourceRange(start: start, end: location))
    } else if let n = peekScalar(), isIdentifierStart(n) || isDecimalDigit(n) {
      report("identifier starts immediately after numeric literal", SourceRange(location))
      while let n = peekScalar(), isIdentifierPart(n) { pos += 1 }
    }
    let end = location
    var t = Token(.number, sourceText(start.offset, end.offset), SourceRange(start: start, end: end))
    t.number = value
    return t
  }

  private func radixFor(_ c: Unicode.Scalar) -> Int? {
    switch c {
    case "x", "X": return 16
    case "o", "O": return 8
    case "b", "B": return 2
    default: return nil
    }
  }

  private func sourceText(_ from: Int, _ to: Int) -> String {
    var v = String.UnicodeScalarView()
    v.append(contentsOf: scalars[from..<min(to, scalars.count)])
    return String(v)
  }

  // MARK: - Strings and templates

  private func lexString(_ start: SourceLocation, quote: Unicode.Scalar) -> Token {
    pos += 1
    var out = String.UnicodeScalarView()
    while true {
      guard pos < scalars.count else {
        report("unterminated string literal", SourceRange(start), incomplete: true)
        break
      }
      let c = scalars[pos]
      if c == quote {
        pos += 1
        break
      }
      if c == "\\" {
        pos += 1
        readEscape(into: &out, inTemplate: false)
      } else if c == "\n" || c == "\r" {
        report("unterminated string literal", SourceRange(start))
        break
      } else {
        // Copy a run of ordinary characters at once.
        let runStart = pos
        pos += 1
        while pos < scalars.count {
          let d = scalars[pos]
          if d == quote || d == "\\" || d == "\n" || d == "\r" { break }
          pos += 1
        }
        out.append(contentsOf: scalars[runStart..<pos])
      }
    }
    let end = location
    var t = Token(.string, "", SourceRange(start: start, end: end))
    t.value = String(out)
    return t
  }

  /// Reads a template chunk; `pos` is just past the opening `` ` `` or the `}` that
  /// closes a substitution.
  private func lexTemplateChunk(_ start: SourceLocation, literalStart: SourceLocation? = nil) -> Token {
    var out = String.UnicodeScalarView()
    var tail = true
    var escapeErrors: [PendingDiagnostic] = []
    let rawStart = pos
    var rawEnd = pos
    while true {
      guard pos < scalars.count else {
        report("unterminated template literal", SourceRange(literalStart ?? start), incomplete: true)
        rawEnd = pos
        break
      }
      let c = scalars[pos]
      if c == "`" {
        rawEnd = pos
        pos += 1
        break
      }
      if c == "$", peekScalar(1) == "{" {
        rawEnd = pos
        pos += 2
        tail = false
        break
      }
      if c == "\\" {
        pos += 1
        // A bad escape is an error only in an untagged template (the parser
        // decides); a tag gets undefined for that chunk's cooked string.
        let before = diagnostics.count
        readEscape(into: &out, inTemplate: true)
        if diagnostics.count > before {
          escapeErrors += diagnostics[before...]
          diagnostics.removeSubrange(before...)
        }
      } else if c == "\r" {
        // \r\n and \r are normalised to \n in template values.
        pos += 1
        if peekScalar() == "\n" { bump() }
        out.append("\n")
      } else {
        out.append(c)
        bump()
      }
    }
    // The raw chunk (String.raw, `strings.raw`): as written, line ends as \n.
    var raw = String.UnicodeScalarView()
    var i = rawStart
    while i < rawEnd {
      if scalars[i] == "\r" {
        raw.append("\n")
        if i + 1 < rawEnd && scalars[i + 1] == "\n" { i += 1 }
      } else {
        raw.append(scalars[i])
      }
      i += 1
    }
    var t = Token(.template, "", SourceRange(start: start, end: location))
    t.value = String(out)
    t.raw = String(raw)
    t.escapeErrors = escapeErrors
    t.templateTail = tail
    return t
  }

  /// Reads the template chunk that starts at `token`, a `}` closing a
  /// substitution of the template literal that starts at `literalStart`.
  func rescanTemplateContinuation(_ token: Token, literalStart: SourceLocation? = nil) -> Token {
    reset(to: token.range.start)
    pos += 1
    var t = lexTemplateChunk(token.range.start, literalStart: literalStart)
    t.newlineBefore = token.newlineBefore
    return t
  }

  /// Reads an escape sequence; `pos` is just past the backslash.
  private func readEscape(into out: inout String.UnicodeScalarView, inTemplate: Bool) {
    let escStart = SourceLocation(line: line, column: pos - lineStart, offset: pos - 1)
    guard pos < scalars.count else { return }
    let c = scalars[pos]
    switch c {
    case "n": out.append("\n"); pos += 1
    case "t": out.append("\t"); pos += 1
    case "r": out.append("\r"); pos += 1
    case "b": out.append("\u{8}"); pos += 1
    case "f": out.append("\u{C}"); pos += 1
    case "v": out.append("\u{B}"); pos += 1
    case "0" where !(peekScalar(1).map(isDecimalDigit) ?? false):
      out.append("\u{0}")
      pos += 1
    case "0"..."9":
      pos += 1
      report(inTemplate ? "octal escape sequences are not allowed in template literals"
                        : "octal escape sequences are not allowed",
             SourceRange(start: escStart, end: location))
    case "x":
      pos += 1
      if let h1 = peekScalar().flatMap(hexValue), let h2 = peekScalar(1).flatMap(hexValue) {
        pos += 2
        out.append(Unicode.Scalar(UInt8(h1 * 16 + h2)))
      } else {
        report("invalid hexadecimal escape sequence", SourceRange(start: escStart, end: location))
      }
    case "u":
      pos += 1
      guard let v = readUnicodeEscapeValue() else {
        report("invalid unicode escape sequence", SourceRange(start: escStart, end: location))
        return
      }
      if v >= 0xD800 && v <= 0xDBFF, peekScalar() == "\\", peekScalar(1) == "u" {
        // A surrogate pair written as two escapes becomes one scalar.
        let save = pos
        pos += 2
        if let low = readUnicodeEscapeValue(), low >= 0xDC00 && low <= 0xDFFF {
          let combined = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
          out.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
          return
        }
        pos = save
      }
      // Lone surrogates cannot live in a Swift string: they become U+FFFD.
      out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
    case "\r":
      pos += 1
      if peekScalar() == "\n" { bump() }
    case "\n", "\u{2028}", "\u{2029}":
      bump()
    default:
      out.append(c)
      bump()
    }
  }

  /// Reads `XXXX` or `{X...}` after `\u`; nil when malformed or above U+10FFFF.
  private func readUnicodeEscapeValue() -> UInt32? {
    if peekScalar() == "{" {
      pos += 1
      var v: UInt32 = 0
      var digits = 0
      while let c = peekScalar(), let h = hexValue(c) {
        v = v * 16 + UInt32(h)
        digits += 1
        pos += 1
        if v > 0x10FFFF { break }
      }
      guard digits > 0, v <= 0x10FFFF, peekScalar() == "}" else { return nil }
      pos += 1
      return v
    }
    var v: UInt32 = 0
    for i in 0..<4 {
      guard let c = peekScalar(i), let h = hexValue(c) else { return nil }
      v = v * 16 + UInt32(h)
    }
    pos += 4
    return v
  }

  // MARK: - Regular expressions

  /// Reads a regular expression literal starting at `token` (a `/` or `/=`).
  func rescanRegex(_ token: Token) -> Token {
    let start = token.range.start
    reset(to: start)
    pos += 1
    var pattern = String.UnicodeScalarView()
    var inClass = false
    var closed = false
    while pos < scalars.count {
      let c = scalars[pos]
      if isLineTerminator(c) { break }
      if c == "\\" {
        pattern.append(c)
        pos += 1
        if pos < scalars.count, !isLineTerminator(scalars[pos]) {
          pattern.append(scalars[pos])
          pos += 1
        }
        continue
      }
      if c == "[" { inClass = true } else if c == "]" { inClass = false } else if c == "/" && !inClass {
        pos += 1
        closed = true
        break
      }
      pattern.append(c)
      pos += 1
    }
    if !closed {
      report("unterminated regular expression literal", SourceRange(start),
             incomplete: pos >= scalars.count)
    }
    var flags = String.UnicodeScalarView()
    let flagStart = location
    while let c = peekScalar(), isIdentifierPart(c) {
      flags.append(c)
      pos += 1
    }
    let f = String(flags)
    if Set(f).count != f.count || !f.allSatisfy({ "dgimsuyv".contains($0) }) {
      report("invalid regular expression flags '\(f)'", SourceRange(start: flagStart, end: location))
    }
    var t = Token(.regex, sourceText(start.offset, pos), SourceRange(start: start, end: location))
    t.value = String(pattern)
    t.flags = f
    t.newlineBefore = token.newlineBefore
    return t
  }

  // MARK: - Punctuators

  /// Reads the longest punctuator at `pos`, or returns nil.
  private func lexPunctuator() -> String? {
    let c = scalars[pos]
    guard let candidates = punctuatorTable[c] else { return nil }
    for cand in candidates {
      var ok = true
      for (i, p) in cand.enumerated() where peekScalar(i) != p {
        ok = false
        break
      }
      if !ok { continue }
      // `?.` followed by a digit is `?` then a number (`a?.5:b`).
      if cand.count == 2, cand[0] == "?", cand[1] == ".",
         let d = peekScalar(2), isDecimalDigit(d) { continue }
      pos += cand.count
      var s = String.UnicodeScalarView()
      s.append(contentsOf: cand)
      return String(s)
    }
    return nil
  }
}

// MARK: - Character classes

private let punctuatorTable: [Unicode.Scalar: [[Unicode.Scalar]]] = {
  let all = [
    "{", "}", "(", ")", "[", "]", ";", ",", "~", ":",
    "??=", "??", "?.", "?", "...", ".",
    "<<=", "<<", "<=", "<", ">>>=", ">>>", ">>=", ">>", ">=", ">",
    "===", "==", "=>", "=", "!==", "!=", "!", "++", "+=", "+", "--", "-=", "-",
    "**=", "**", "*=", "*", "/=", "/", "%=", "%",
    "&&=", "&&", "&=", "&", "||=", "||", "|=", "|", "^=", "^",
  ]
  var table: [Unicode.Scalar: [[Unicode.Scalar]]] = [:]
  for p in all {
    let s = Array(p.unicodeScalars)
    table[s[0], default: []].append(s)
  }
  for k in table.keys { table[k]?.sort { $0.count > $1.count } }
  return table
}()

private func isPunctuatorStart(_ c: Unicode.Scalar) -> Bool { punctuatorTable[c] != nil }

@inline(__always)
func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
  c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}"
}

@inline(__always)
func isWhiteSpace(_ c: Unicode.Scalar) -> Bool {
  switch c.value {
  case 0x09, 0x0B, 0x0C, 0x20, 0xA0, 0xFEFF: return true
  case 0..<0x80: return false
  default: return c.properties.generalCategory == .spaceSeparator
  }
}

@inline(__always)
func isDecimalDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

func hexValue(_ c: Unicode.Scalar) -> Int? {
  switch c.value {
  case 0x30...0x39: return Int(c.value - 0x30)
  case 0x41...0x46: return Int(c.value - 0x41 + 10)
  case 0x61...0x66: return Int(c.value - 0x61 + 10)
  default: return nil
  }
}

private func digitValue(_ c: Unicode.Scalar) -> Int? { hexValue(c) }

@inline(__always)
func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
  let v = c.value
  if v < 0x80 {
    return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || v == 0x24 || v == 0x5F
  }
  return c.properties.isIDStart
}

@inline(__always)
func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
  let v = c.value
  if v < 0x80 {
    return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
      || v == 0x24 || v == 0x5F
  }
  return v == 0x200C || v == 0x200D || c.properties.isIDContinue
}
