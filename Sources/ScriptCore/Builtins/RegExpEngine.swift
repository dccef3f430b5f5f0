// A backtracking regular-expression engine with JS syntax and semantics over
// UTF-16 code units: alternation, greedy and lazy quantifiers, classes,
// capturing/non-capturing/named groups, backreferences, lookahead, ^ $ \b,
// and the flags i, m, s, g, y (u is accepted; patterns still match by code unit).

/// A compiled pattern.
final class RegexProgram {
  indirect enum Node {
    case empty
    case char(UInt16)
    case any
    case set(CharSet)
    case sequence([Node])
    case alternation([Node])
    case group(Node, index: Int?)
    case repetition(Node, min: Int, max: Int, greedy: Bool)
    case lineStart, lineEnd
    case wordBoundary(negated: Bool)
    case backreference(Int)
    case lookahead(Node, negated: Bool)
  }

  let root: Node
  /// Capturing groups, not counting the whole match.
  let groupCount: Int
  /// Named groups in order of appearance.
  let groupNames: [(String, Int)]
  let ignoreCase: Bool
  let multiline: Bool
  let dotAll: Bool

  init(pattern: String, flags: String) throws {
    ignoreCase = flags.contains("i")
    multiline = flags.contains("m")
    dotAll = flags.contains("s")
    var parser = RegexParser(pattern: Array(pattern.utf16), source: pattern)
    root = try parser.parse()
    groupCount = parser.groupCount
    groupNames = parser.names
  }

  /// Capture positions (start, end pairs; -1 when unset) of a match starting
  /// exactly at `start`, or nil. Throws when the backtracking budget runs out.
  func match(_ input: [UInt16], at start: Int) throws -> [Int]? {
    let m = RegexMatcher(program: self, input: input)
    let found = m.run(root, start) { end in
      m.captures[0] = start
      m.captures[1] = end
      return true
    }
    if m.exhausted {
      throw ScriptThrow.rangeError("Maximum regular expression backtracking exceeded")
    }
    return found ? m.captures : nil
  }
}

/// A character class: ranges of code units, possibly negated.
struct CharSet {
  var ranges: [(UInt16, UInt16)] = []
  var negated = false

  func contains(_ c: UInt16, ignoreCase: Bool) -> Bool {
    var hit = ranges.contains { c >= $0.0 && c <= $0.1 }
    if !hit && ignoreCase {
      for alt in caseVariants(c) where alt != c {
        if ranges.contains(where: { alt >= $0.0 && alt <= $0.1 }) {
          hit = true
          break
        }
      }
    }
    return hit != negated
  }

  static let digits = CharSet(ranges: [(48, 57)])
  static let word = CharSet(ranges: [(48, 57), (65, 90), (95, 95), (97, 122)])
  static let space = CharSet(ranges: [
    (9, 13), (32, 32), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
    (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
  ])
}

/// The upper- and lower-case forms of a code unit (itself when none).
func caseVariants(_ c: UInt16) -> [UInt16] {
  if c < 128 {
    if c >= 65 && c <= 90 { return [c, c + 32] }
    if c >= 97 && c <= 122 { return [c, c - 32] }
    return [c]
  }
  guard let scalar = Unicode.Scalar(UInt32(c)) else { return [c] }
  var out = [c]
  for mapped in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
    let u = Array(mapped.utf16)
    if u.count == 1 && !out.contains(u[0]) { out.append(u[0]) }
  }
  return out
}

private func isWordUnit(_ c: UInt16) -> Bool {
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c == 95 || (c >= 97 && c <= 122)
}

private func isLineTerminator(_ c: UInt16) -> Bool {
  c == 10 || c == 13 || c == 0x2028 || c == 0x2029
}

// MARK: - Matching

/// One match attempt: continuation-passing backtracking with a step budget.
final class RegexMatcher {
  let program: RegexProgram
  let input: [UInt16]
  var captures: [Int]
  var steps = 0
  var exhausted = false
  static let stepBudget = 20_000_000

  init(program: RegexProgram, input: [UInt16]) {
    self.program = program
    self.input = input
    self.captures = Array(repeating: -1, count: (program.groupCount + 1) * 2)
  }

  private func same(_ a: UInt16, _ b: UInt16) -> Bool {
    if a == b { return true }
    return program.ignoreCase && caseVariants(a).contains(b)
  }

  func run(_ node: RegexProgram.Node, _ i: Int, _ k: (Int) -> Bool) -> Bool {
    steps += 1
    if steps > RegexMatcher.stepBudget {
      exhausted = true
      return false
    }
    if exhausted { return false }
    switch node {
    case .empty:
      return k(i)
    case .char(let c):
      return i < input.count && same(input[i], c) && k(i + 1)
    case .any:
      guard i < input.count else { return false }
      if !program.dotAll && isLineTerminator(input[i]) { return false }
      return k(i + 1)
    case .set(let s):
      return i < input.count && s.contains(input[i], ignoreCase: program.ignoreCase) && k(i + 1)
    case .sequence(let nodes):
      return sequence(nodes, 0, i, k)
    case .alternation(let options):
      for option in options where run(option, i, k) { return true }
      return false
    case .group(let inner, let index):
      guard let g = index else { return run(inner, i, k) }
      return run(inner, i) { j in
        let saved = (captures[2 * g], captures[2 * g + 1])
        captures[2 * g] = i
        captures[2 * g + 1] = j
        if k(j) { return true }
        captures[2 * g] = saved.0
        captures[2 * g + 1] = saved.1
        return false
      }
    case .repetition(let inner, let min, let max, let greedy):
      return repeatNode(inner, min: min, max: max, greedy: greedy, count: 0, i, k)
    case .lineStart:
      if i == 0 || (program.multiline && isLineTerminator(input[i - 1])) { return k(i) }
      return false
    case .lineEnd:
      if i == input.count || (program.multiline && isLineTerminator(input[i])) { return k(i) }
      return false
    case .wordBoundary(let negated):
      let before = i > 0 && isWordUnit(input[i - 1])
      let after = i < input.count && isWordUnit(input[i])
      return ((before != after) != negated) && k(i)
    case .backreference(let g):
      let s = captures[2 * g]
      let e = captures[2 * g + 1]
      if s < 0 || e < 0 { return k(i) }
      let n = e - s
      guard i + n <= input.count else { return false }
      for d in 0..<n where !same(input[i + d], input[s + d]) { return false }
      return k(i + n)
    case .lookahead(let inner, let negated):
      let saved = captures
      let matched = run(inner, i) { _ in true }
      if negated {
        captures = saved
        return !matched && k(i)
      }
      if !matched { return false }
      if k(i) { return true }
      captures = saved
      return false
    }
  }

  private func sequence(_ nodes: [RegexProgram.Node], _ index: Int, _ i: Int, _ k: (Int) -> Bool) -> Bool {
    if index == nodes.count { return k(i) }
    return run(nodes[index], i) { j in sequence(nodes, index + 1, j, k) }
  }

  private func clearCaptures(in node: RegexProgram.Node) {
    switch node {
    case .group(let inner, let index):
      if let g = index {
        captures[2 * g] = -1
        captures[2 * g + 1] = -1
      }
      clearCaptures(in: inner)
    case .sequence(let nodes), .alternation(let nodes): nodes.forEach(clearCaptures)
    case .repetition(let inner, _, _, _), .lookahead(let inner, _): clearCaptures(in: inner)
    default: break
    }
  }

  private func repeatNode(
    _ node: RegexProgram.Node, min: Int, max: Int, greedy: Bool, count: Int, _ i: Int, _ k: (Int) -> Bool
  ) -> Bool {
    // Each iteration starts with the body's captures cleared, as JS does.
    func iterate() -> Bool {
      let saved = captures
      clearCaptures(in: node)
      let ok = run(node, i) { j in
        // An iteration past the minimum that consumes nothing ends the loop.
        if j == i && count >= min { return false }
        return repeatNode(node, min: min, max: max, greedy: greedy, count: count + 1, j, k)
      }
      if !ok { captures = saved }
      return ok
    }
    if count < min { return iterate() }
    if greedy {
      if count < max && iterate() { return true }
      return k(i)
    }
    if k(i) { return true }
    return count < max && iterate()
  }
}

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
          guard let d = hexValue(h) else { throw fail("Invalid Unicode escape") }
          v = v * 16 + UInt32(d)
          pos += 1
        }
        pos += 1
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
