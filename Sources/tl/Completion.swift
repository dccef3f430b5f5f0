// Tab completion, in plain Swift: which word is being completed, what it is a
// member of, and which names fit. The line editor only asks and shows.
//
//   console.l|      → members of `console` starting with "l"
//   [1].ma|         → Array.prototype members starting with "ma"
//   tf.layers.de|   → members of `tf.layers` starting with "de"
//   co|             → globals and keywords starting with "co"
//
// The receiver is never evaluated as code: only a dotted path of names (and
// literal `['key']`/`[0]` steps) is followed, through data properties, so
// completing cannot run a getter, a call or anything else with side effects.

/// What the text before `.` denotes, as far as completion needs to know.
enum CompletionReceiver: Equatable {
  /// `a.b.c`: a global followed by property names.
  case path([String])
  /// `[...]`: any array.
  case arrayLiteral
  /// `'...'`, `"..."` or `` `...` ``: any string.
  case stringLiteral
}

/// The word under the cursor and what it belongs to.
struct CompletionRequest: Equatable {
  /// nil at the start of a word (globals and keywords); otherwise the object
  /// whose members complete the word.
  var receiver: CompletionReceiver?
  /// The part of the name already typed.
  var prefix: String
  /// Where `prefix` starts, in Unicode scalars from the start of the text.
  var start: Int
}

/// Names a live session offers: the interpreter implements this.
protocol CompletionSource {
  /// Every global name: built-ins and the session's own declarations.
  func globalNames() -> [String]
  /// Member names of `receiver` (own and inherited), or nil when the path
  /// does not lead to a value through data properties alone.
  func memberNames(of receiver: CompletionReceiver) -> [String]?
}

/// Candidates for replacing the text from `start` (in Unicode scalars) to the cursor.
struct CompletionResult: Equatable {
  var start: Int
  var candidates: [String]
}

enum Completer {
  /// The words offered at the start of a name besides the globals.
  static let keywords: [String] = [
    "async", "await", "break", "case", "catch", "class", "const", "continue", "default",
    "delete", "do", "else", "export", "extends", "false", "finally", "for", "function", "if",
    "import", "in", "instanceof", "let", "new", "null", "of", "return", "static", "super",
    "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "yield",
  ]

  /// The candidates for the end of `text` (the input up to the cursor).
  static func complete(_ text: String, source: CompletionSource) -> CompletionResult? {
    if let commands = completeDotCommand(text) { return commands }
    guard let request = analyze(text) else { return nil }
    let names: [String]
    if let receiver = request.receiver {
      guard let members = source.memberNames(of: receiver) else { return nil }
      names = members
    } else {
      names = source.globalNames() + keywords
    }
    var seen = Set<String>()
    let candidates = names.filter {
      $0.hasPrefix(request.prefix) && isIdentifier($0) && seen.insert($0).inserted
    }.sorted()
    return CompletionResult(start: request.start, candidates: candidates)
  }

  /// `.he` at the start of the input → `help`: the REPL's dot-commands.
  static func completeDotCommand(_ text: String) -> CompletionResult? {
    let s = Array(text.unicodeScalars)
    var i = 0
    while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
    guard i < s.count, s[i] == "." else { return nil }
    let word = s[(i + 1)...]
    guard word.allSatisfy({ $0.properties.isLowercase }) else { return nil }
    let prefix = string(word)
    return CompletionResult(
      start: i + 1, candidates: DotCommand.names.filter { $0.hasPrefix(prefix) })
  }

  /// The longest prefix all `candidates` share ("" when there are none).
  static func commonPrefix(_ candidates: [String]) -> String {
    guard var prefix = candidates.first.map({ Array($0.unicodeScalars) }) else { return "" }
    for c in candidates.dropFirst() {
      let s = Array(c.unicodeScalars)
      var n = 0
      while n < prefix.count, n < s.count, prefix[n] == s[n] { n += 1 }
      prefix.removeSubrange(n...)
    }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: prefix)
    return String(out)
  }

  // MARK: - Finding the word and its receiver

  /// Works out what is being completed at the end of `text`; nil inside a
  /// string or comment, after a number, or after a receiver that would have
  /// to be evaluated (a call, a computed index).
  static func analyze(_ text: String) -> CompletionRequest? {
    let s = Array(text.unicodeScalars)
    if endsInsideStringOrComment(s) { return nil }
    var i = s.count
    while i > 0, isIdentifierPart(s[i - 1]) { i -= 1 }
    let prefix = string(s[i..<s.count])
    if let first = prefix.unicodeScalars.first, isDigit(first) { return nil }

    // Is the word a member name (`x.word`, `x?.word`)?
    guard i > 0, s[i - 1] == "." else {
      return CompletionRequest(receiver: nil, prefix: prefix, start: i)
    }
    var end = i - 1
    if end > 0 && s[end - 1] == "." { return nil }  // `...spread` or `..`: not a member
    if end > 0 && s[end - 1] == "?" { end -= 1 }
    guard let receiver = receiver(in: s, endingAt: end) else { return nil }
    return CompletionRequest(receiver: receiver, prefix: prefix, start: i)
  }

  /// Reads a receiver backwards from `end` (exclusive): `a.b['c'][0]`, `[...]` or a string literal.
  private static func receiver(in s: [Unicode.Scalar], endingAt end: Int) -> CompletionReceiver? {
    var steps: [String] = []  // property names, last first
    var k = end
    while true {
      guard k > 0 else { return nil }
      let c = s[k - 1]
      if isIdentifierPart(c) {
        var j = k
        while j > 0, isIdentifierPart(s[j - 1]) { j -= 1 }
        let name = string(s[j..<k])
        guard let first = name.unicodeScalars.first, !isDigit(first) else { return nil }
        steps.append(name)
        k = j
      } else if c == "]" {
        guard let open = matchingOpenBracket(s, close: k - 1) else { return nil }
        let inner = string(s[(open + 1)..<(k - 1)]).trimmed(of: " \t")
        if open == 0 || !endsOperand(s[open - 1]) {
          // An array literal: it must be the whole receiver.
          return steps.isEmpty ? .arrayLiteral : nil
        }
        guard let key = literalKey(inner) else { return nil }
        steps.append(key)
        k = open
        continue  // an index step is not preceded by a dot
      } else if c == "'" || c == "\"" || c == "`" {
        return steps.isEmpty && isStringLiteralEnd(s, close: k - 1) ? .stringLiteral : nil
      } else {
        return nil
      }
      // After a name: another `.` step, or the start of the path.
      if k > 0 && s[k - 1] == "." {
        if k > 1 && s[k - 2] == "." { return nil }
        k -= 1
        if k > 0 && s[k - 1] == "?" { k -= 1 }
        continue
      }
      if k > 0 && (s[k - 1] == "]" || s[k - 1] == ")") { return nil }
      return .path(steps.reversed())
    }
  }

  /// The index of the `[` that the `]` at `close` closes, skipping nested brackets and strings.
  private static func matchingOpenBracket(_ s: [Unicode.Scalar], close: Int) -> Int? {
    var depth = 0
    var i = close
    var quote: Unicode.Scalar?
    while i >= 0 {
      let c = s[i]
      if let q = quote {
        if c == q && !(i > 0 && s[i - 1] == "\\") { quote = nil }
      } else if c == "'" || c == "\"" || c == "`" {
        quote = c
      } else if c == "]" || c == ")" || c == "}" {
        depth += 1
      } else if c == "[" || c == "(" || c == "{" {
        depth -= 1
        if depth == 0 { return c == "[" ? i : nil }
      }
      i -= 1
    }
    return nil
  }

  /// True when a string literal closes at `close` and opens earlier on the line.
  private static func isStringLiteralEnd(_ s: [Unicode.Scalar], close: Int) -> Bool {
    endsInsideStringOrComment(Array(s[0..<close]))
  }

  /// `'key'`, `"key"` or a non-negative integer: the property key an index
  /// step names; nil for anything that would need evaluating.
  private static func literalKey(_ inner: String) -> String? {
    let u = Array(inner.unicodeScalars)
    if u.count >= 2, let q = u.first, q == "'" || q == "\"", u.last == q {
      let body = u[1..<(u.count - 1)]
      if body.contains(where: { $0 == q || $0 == "\\" }) { return nil }
      return string(body)
    }
    if !u.isEmpty, u.allSatisfy(isDigit), let n = UInt32(inner) { return String(n) }
    return nil
  }

  /// True when a character can end an operand, so a following `[` indexes it.
  private static func endsOperand(_ c: Unicode.Scalar) -> Bool {
    isIdentifierPart(c) || c == "]" || c == ")" || c == "'" || c == "\"" || c == "`"
  }

  /// Scans `s` from the start, tracking strings, templates and comments; true
  /// when the text ends inside one (no completion is offered there).
  static func endsInsideStringOrComment(_ s: [Unicode.Scalar]) -> Bool {
    var quote: Unicode.Scalar?
    var i = 0
    while i < s.count {
      let c = s[i]
      if let q = quote {
        if c == "\\" {
          i += 2
          continue
        }
        if c == q { quote = nil }
      } else if c == "'" || c == "\"" || c == "`" {
        quote = c
      } else if c == "/" && i + 1 < s.count && s[i + 1] == "/" {
        return true
      } else if c == "/" && i + 1 < s.count && s[i + 1] == "*" {
        var j = i + 2
        var closed = false
        while j + 1 < s.count {
          if s[j] == "*" && s[j + 1] == "/" {
            closed = true
            break
          }
          j += 1
        }
        if !closed { return true }
        i = j + 2
        continue
      }
      i += 1
    }
    return quote != nil
  }

  // MARK: - Characters

  static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
    c == "_" || c == "$" || c.properties.isAlphabetic || isDigit(c)
  }

  static func isDigit(_ c: Unicode.Scalar) -> Bool {
    c.value >= 48 && c.value <= 57
  }

  /// True for names that can follow a dot (`log`, `$x`), false for `0` or `a-b`.
  static func isIdentifier(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !isDigit(first) else { return false }
    return name.unicodeScalars.allSatisfy(isIdentifierPart)
  }

  private static func string<C: Collection>(_ scalars: C) -> String
  where C.Element == Unicode.Scalar {
    var v = String.UnicodeScalarView()
    v.append(contentsOf: scalars)
    return String(v)
  }
}

extension String {
  /// The string without leading and trailing characters from `set`.
  func trimmed(of set: String) -> String {
    let chars = Set(set.unicodeScalars)
    let u = Array(unicodeScalars)
    var a = 0
    var b = u.count
    while a < b, chars.contains(u[a]) { a += 1 }
    while b > a, chars.contains(u[b - 1]) { b -= 1 }
    var v = String.UnicodeScalarView()
    v.append(contentsOf: u[a..<b])
    return String(v)
  }
}
