// Regular-expression pattern syntax → `RegexProgram.Node` trees, with V8's
// error messages (`Invalid regular expression: /(/: Unterminated group`).

// MARK: - Parsing

/// Pattern syntax → nodes. Grammar (ECMAScript Annex B-free subset):
///   disjunction → alternative ("|" alternative)*
///   alternative → term*
///   term        → assertion | atom quantifier?
struct RegexParser {
  let pattern: [UInt16]
  let source: String
  var pos = 0
  var groupCount = 0
  var names: [(String, Int)] = []
  var pendingNamedReferences: [String] = []

  init(pattern: [UInt16], source: String) {
    self.pattern = pattern
    self.source = source
  }

  private func fail(_ message: String) -> ScriptThrow {
    .error(.syntaxError, "Invalid regular expression: /\(source)/: \(message)")
  }

  private var atEnd: Bool { pos >= pattern.count }
  private func peek(_ offset: Int = 0) -> UInt16? {
    pos + offset < pattern.count ? pattern[pos + offset] : nil
  }

  mutating func parse() throws -> RegexProgram.Node {
    // Count groups first so forward references (\2 before group 2) resolve.
    let node = try parseDisjunction()
    if !atEnd {
      throw fail(peek() == 41 ? "Unmatched ')'" : "Unexpected character")
    }
    for name in pendingNamedReferences where !names.contains(where: { $0.0 == name }) {
      throw fail("Invalid named capture referenced")
    }
    return node
  }

  // disjunction → alternative ("|" alternative)*
  private mutating func parseDisjunction() throws -> RegexProgram.Node {
    var options = [try parseAlternative()]
    while peek() == 124 {
      pos += 1
      options.append(try parseAlternative())
    }
    return options.count == 1 ? options[0] : .alternation(options)
  }

  // alternative → term*
  private mutating func parseAlternative() throws -> RegexProgram.Node {
    var terms: [RegexProgram.Node] = []
    while let c = peek(), c != 124, c != 41 {
      terms.append(try parseTerm())
    }
    if terms.isEmpty { return .empty }
    return terms.count == 1 ? terms[0] : .sequence(terms)
  }

  // term → assertion | atom quantifier?
  private mutating func parseTerm() throws -> RegexProgram.Node {
    guard let c = peek() else { return .empty }
    switch c {
    case 94:
      pos += 1
      return .lineStart
    case 36:
      pos += 1
      return .lineEnd
    case 42, 43, 63:
      throw fail("Nothing to repeat")
    case 123 where isQuantifierBrace():
      throw fail("Nothing to repeat")
    default:
      break
    }
    if c == 92, let n = peek(1), n == 98 || n == 66 {
      pos += 2
      return .wordBoundary(negated: n == 66)
    }
    var isLookahead = false
    if c == 40, peek(1) == 63, let k = peek(2), k == 61 || k == 33 {
      isLookahead = true
    }
    if c == 40, peek(1) == 63, peek(2) == 60, let k = peek(3), k == 61 || k == 33 {
      throw fail("Lookbehind assertions are not supported")
    }
    let atom = try parseAtom()
    if isLookahead { return atom }  // lookaheads cannot be quantified
    return try parseQuantifier(atom)
  }

  private func isQuantifierBrace() -> Bool {
    var i = pos + 1
    var sawDigit = false
    while i < pattern.count, pattern[i] >= 48, pattern[i] <= 57 {
      i += 1
      sawDigit = true
    }
    guard sawDigit, i < pattern.count else { return false }
    if pattern[i] == 125 { return true }
    guard pattern[i] == 44 else { return false }
    i += 1
    while i < pattern.count, pattern[i] >= 48, pattern[i] <= 57 { i += 1 }
    return i < pattern.count && pattern[i] == 125
  }

  private mutating func readInt() -> Int? {
    var n = 0
    var any = false
    while let c = peek(), c >= 48, c <= 57 {
      n = min(n * 10 + Int(c - 48), 1_000_000_000)
      pos += 1
      any = true
    }
    return any ? n : nil
  }

  private mutating func parseQuantifier(_ atom: RegexProgram.Node) throws -> RegexProgram.Node {
    guard let c = peek() else { return atom }
    var minCount = 0
    var maxCount = Int.max
    switch c {
    case 42: pos += 1
    case 43:
      pos += 1
      minCount = 1
    case 63:
      pos += 1
      maxCount = 1
    case 123 where isQuantifierBrace():
      pos += 1
      minCount = readInt() ?? 0
      if peek() == 44 {
        pos += 1
        maxCount = readInt() ?? Int.max
      } else {
        maxCount = minCount
      }
      pos += 1  // "}"
      if maxCount < minCount { throw fail("numbers out of order in {} quantifier") }
    default:
      return atom
    }
    var greedy = true
    if peek() == 63 {
      pos += 1
      greedy = false
    }
    return .repetition(atom, min: minCount, max: maxCount, greedy: greedy)
  }

  private mutating func parseAtom() throws -> RegexProgram.Node {
    guard let c = peek() else { return .empty }
    switch c {
    case 46:
      pos += 1
      return .any
    case 91: return .set(try parseClass())
    case 40: return try parseGroup()
    case 92: return try parseEscape()
    default:
      pos += 1
      return .char(c)
    }
  }

  private mutating func parseGroup() throws -> RegexProgram.Node {
    pos += 1  // "("
    var index: Int?
    var lookahead: Bool?
    if peek() == 63 {
      switch peek(1) {
      case 58: pos += 2
      case 61:
        pos += 2
        lookahead = false
      case 33:
        pos += 2
        lookahead = true
      case 60:
        pos += 2
        var name: [UInt16] = []
        while let c = peek(), c != 62 {
          name.append(c)
          pos += 1
        }
        guard peek() == 62, !name.isEmpty else { throw fail("Invalid capture group name") }
        pos += 1
        groupCount += 1
        index = groupCount
        let n = String(decoding: name, as: UTF16.self)
        if names.contains(where: { $0.0 == n }) { throw fail("Duplicate capture group name") }
        names.append((n, groupCount))
      default:
        throw fail("Invalid group")
      }
    } else {
      groupCount += 1
      index = groupCount
    }
    let inner = try parseDisjunction()
    guard peek() == 41 else { throw fail("Unterminated group") }
    pos += 1
    if let negated = lookahead { return .lookahead(inner, negated: negated) }
    return .group(inner, index: index)
  }

  private mutating func parseEscape() throws -> RegexProgram.Node {
    pos += 1  // "\"
    guard let c = peek() else { throw fail("\\ at end of pattern") }
    switch c {
    case 100: pos += 1; return .set(CharSet.digits)
    case 68: pos += 1; return .set(negate(CharSet.digits))
    case 119: pos += 1; return .set(CharSet.word)
    case 87: pos += 1; return .set(negate(CharSet.word))
    case 115: pos += 1; return .set(CharSet.space)
    case 83: pos += 1; return .set(negate(CharSet.space))
    case 49...57:
      let save = pos
      let n = readInt() ?? 0
      if n <= max(groupCount, countAllGroups()) { return .backreference(n) }
      pos = save
      return .char(try parseCharacterEscape())
    case 107 where peek(1) == 60:
      pos += 2
      var name: [UInt16] = []
      while let ch = peek(), ch != 62 {
        name.append(ch)
        pos += 1
      }
      pos += 1
      let n = String(decoding: name, as: UTF16.self)
      pendingNamedReferences.append(n)
      return .backreference(namedGroupIndex(n))
    default:
      return .char(try parseCharacterEscape())
    }
  }

  /// The index of named group `name`, counting groups in the whole pattern.
  private func namedGroupIndex(_ name: String) -> Int {
    if let found = names.first(where: { $0.0 == name }) { return found.1 }
    // A forward reference: scan ahead for `(?<name>`.
    var index = 0
    var i = 0
    let target = Array(("(?<" + name + ">").utf16)
    while i < pattern.count {
      if pattern[i] == 92 {
        i += 2
        continue
      }
      if pattern[i] == 40 {
        let isCapturing = i + 1 >= pattern.count || pattern[i + 1] != 63
          || (i + 2 < pattern.count && pattern[i + 2] == 60 && i + 3 < pattern.count
            && pattern[i + 3] != 61 && pattern[i + 3] != 33)
        if isCapturing { index += 1 }
        if i + target.count <= pattern.count && Array(pattern[i..<(i + target.count)]) == target { return index }
      }
      i += 1
    }
    return 0
  }

  /// Every capturing group in the pattern (for deciding whether `\N` is a backreference).
  private func countAllGroups() -> Int {
    var n = 0
    var i = 0
    var inClass = false
    while i < pattern.count {
      let c = pattern[i]
      if c == 92 {
        i += 2
        continue
      }
      if c == 91 { inClass = true } else if c == 93 { inClass = false }
      if !inClass && c == 40 && (i + 1 >= pattern.count || pattern[i + 1] != 63
        || (i + 2 < pattern.count && pattern[i + 2] == 60 && i + 3 < pattern.count
          && pattern[i + 3] != 61 && pattern[i + 3] != 33))
      {
        n += 1
      }
      i += 1
    }
    return n
  }

  private func negate(_ s: CharSet) -> CharSet {
    var t = s
    t.negated.toggle()
    return t
  }

  /// One escaped character (`\n`, `\x41`, `\u0041`, `\u{1F600}` as its lead unit, `\.`).
  private mutating func parseCharacterEscape() throws -> UInt16 {
    guard let c = peek() else { throw fail("\\ at end of pattern") }
    pos += 1
    switch c {
    case 110: return 10
    case 116: return 9
    case 114: return 13
    case 118: return 11
    case 102: return 12
    case 48: return 0
    case 99:
      if let l = peek(), (l >= 65 && l <= 90) || (l >= 97 && l <= 122) {
        pos += 1
        return l % 32
      }
      return 92
    case 120:
      if let v = hexDigits(2) { return v }
      return 120
    case 117:
      if peek() == 123 {
        pos += 1
        var v: UInt32 = 0
        while let h = peek(), h != 125 {
          guard let d = hexValue(h), v <= 0x10FFFF else { throw fail("Invalid Unicode escape") }
          v = v * 16 + UInt32(d)
          pos += 1
        }
        pos += 1
        guard v <= 0x10FFFF else { throw fail("Invalid Unicode escape") }
        return UInt16(truncatingIfNeeded: v > 0xFFFF ? 0xD800 + ((v - 0x10000) >> 10) : v)
      }
      if let v = hexDigits(4) { return v }
      return 117
    default:
      return c
    }
  }

  private func hexValue(_ c: UInt16) -> Int? {
    switch c {
    case 48...57: return Int(c - 48)
    case 65...70: return Int(c - 55)
    case 97...102: return Int(c - 87)
    default: return nil
    }
  }

  private mutating func hexDigits(_ n: Int) -> UInt16? {
    guard pos + n <= pattern.count else { return nil }
    var v = 0
    for k in 0..<n {
      guard let d = hexValue(pattern[pos + k]) else { return nil }
      v = v * 16 + d
    }
    pos += n
    return UInt16(v)
  }

  // class → "[" "^"? (classAtom ("-" classAtom)?)* "]"
  private mutating func parseClass() throws -> CharSet {
    pos += 1  // "["
    var set = CharSet()
    if peek() == 94 {
      pos += 1
      set.negated = true
    }
    while true {
      guard let c = peek() else { throw fail("Unterminated character class") }
      if c == 93 {
        pos += 1
        return set
      }
      let lo = try parseClassAtom()
      if peek() == 45, let next = peek(1), next != 93 {
        pos += 1
        let hi = try parseClassAtom()
        guard case .unit(let a) = lo, case .unit(let b) = hi else {
          // `[\d-x]`: the dash is literal.
          add(lo, to: &set)
          set.ranges.append((45, 45))
          add(hi, to: &set)
          continue
        }
        if a > b { throw fail("Range out of order in character class") }
        set.ranges.append((a, b))
      } else {
        add(lo, to: &set)
      }
    }
  }

  private enum ClassAtom {
    case unit(UInt16)
    case set(CharSet)
  }

  private func add(_ atom: ClassAtom, to set: inout CharSet) {
    switch atom {
    case .unit(let u): set.ranges.append((u, u))
    case .set(let s):
      if !s.negated {
        set.ranges += s.ranges
      } else {
        // The complement of the ranges, over all code units.
        var start: UInt16 = 0
        for r in s.ranges.sorted(by: { $0.0 < $1.0 }) {
          if r.0 > start { set.ranges.append((start, r.0 - 1)) }
          if r.1 == UInt16.max { return }
          start = max(start, r.1 + 1)
        }
        set.ranges.append((start, UInt16.max))
      }
    }
  }

  private mutating func parseClassAtom() throws -> ClassAtom {
    guard let c = peek() else { throw fail("Unterminated character class") }
    if c != 92 {
      pos += 1
      return .unit(c)
    }
    pos += 1
    guard let e = peek() else { throw fail("\\ at end of pattern") }
    switch e {
    case 100: pos += 1; return .set(CharSet.digits)
    case 68: pos += 1; return .set(negate(CharSet.digits))
    case 119: pos += 1; return .set(CharSet.word)
    case 87: pos += 1; return .set(negate(CharSet.word))
    case 115: pos += 1; return .set(CharSet.space)
    case 83: pos += 1; return .set(negate(CharSet.space))
    case 98: pos += 1; return .unit(8)
    case 45: pos += 1; return .unit(45)
    default: return .unit(try parseCharacterEscape())
    }
  }
}
