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
  func match(_ input: [UInt16], at start: Int, stepBudget: Int = RegexMatcher.defaultStepBudget) throws -> [Int]? {
    try RegexMatcher(program: self, input: input, stepBudget: stepBudget).attempt(at: start)
  }

  /// The first match starting at or after `from` (only at `from` when
  /// `sticky`), reusing one matcher and skipping positions whose first code
  /// unit cannot start a match.
  func search(_ input: [UInt16], from: Int, sticky: Bool) throws -> [Int]? {
    let m = RegexMatcher(program: self, input: input, stepBudget: RegexMatcher.defaultStepBudget)
    let first = firstUnit
    var i = from
    while i <= input.count {
      if let f = first, !sticky {
        // Jump to the next occurrence of the literal the pattern starts with.
        while i < input.count && input[i] != f { i += 1 }
        if i >= input.count { return nil }
      }
      if let caps = try m.attempt(at: i) { return caps }
      if sticky { return nil }
      i += 1
    }
    return nil
  }

  /// The code unit every match must begin with, when the pattern starts with
  /// a case-sensitive literal.
  private lazy var firstUnit: UInt16? = {
    guard !ignoreCase else { return nil }
    var node = root
    while true {
      switch node {
      case .char(let c): return c
      case .sequence(let nodes):
        guard let f = nodes.first else { return nil }
        node = f
      case .group(let inner, _): node = inner
      case .repetition(let inner, let min, _, _) where min > 0: node = inner
      default: return nil
      }
    }
  }()
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
  /// Backtracking steps one match attempt may take (catastrophic patterns stop here).
  static let defaultStepBudget = 10_000_000
  let stepBudget: Int
  /// The lowest stack address matching may use (nested continuations grow the stack).
  private let stackFloor: UInt

  init(program: RegexProgram, input: [UInt16], stepBudget: Int) {
    self.program = program
    self.input = input
    self.stepBudget = stepBudget
    self.captures = Array(repeating: -1, count: (program.groupCount + 1) * 2)
    self.stackFloor = RegexMatcher.currentStackFloor()
  }

  /// How much stack one match may use below where it started: safe on an
  /// 8 MiB main thread, far inside the interpreter's 64 MiB and 1 GiB stacks.
  static let stackBudget: UInt = 4 << 20

  private static func currentStackFloor() -> UInt {
    var marker: UInt8 = 0
    let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    return here > stackBudget ? here - stackBudget : 0
  }

  /// Capture positions of a match starting exactly at `start`, or nil; the
  /// matcher can be reused for the next position.
  func attempt(at start: Int) throws -> [Int]? {
    for k in captures.indices { captures[k] = -1 }
    steps = 0
    let found = run(program.root, start) { end in
      captures[0] = start
      captures[1] = end
      return true
    }
    if exhausted {
      throw ScriptThrow.rangeError("Maximum regular expression backtracking exceeded")
    }
    return found ? captures : nil
  }

  @inline(__always)
  private func stackIsLow() -> Bool {
    var marker: UInt8 = 0
    return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } < stackFloor
  }

  private func same(_ a: UInt16, _ b: UInt16) -> Bool {
    if a == b { return true }
    return program.ignoreCase && caseVariants(a).contains(b)
  }

  func run(_ node: RegexProgram.Node, _ i: Int, _ k: (Int) -> Bool) -> Bool {
    steps += 1
    if steps > stepBudget || stackIsLow() {
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
      if isSingleUnit(inner) {
        return repeatSingle(inner, min: min, max: max, greedy: greedy, i, k)
      }
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

  private func isSingleUnit(_ node: RegexProgram.Node) -> Bool {
    switch node {
    case .char, .any, .set: return true
    default: return false
    }
  }

  private func matchesUnit(_ node: RegexProgram.Node, _ c: UInt16) -> Bool {
    switch node {
    case .char(let x): return same(c, x)
    case .any: return program.dotAll || !isLineTerminator(c)
    case .set(let s): return s.contains(c, ignoreCase: program.ignoreCase)
    default: return false
    }
  }

  /// `x*`, `[a-z]+`, `.{2,5}?` over one code unit per iteration: count the run
  /// once, then try the continuation from the longest (or shortest) length,
  /// without one nested call per character.
  private func repeatSingle(
    _ node: RegexProgram.Node, min: Int, max: Int, greedy: Bool, _ i: Int, _ k: (Int) -> Bool
  ) -> Bool {
    var n = 0
    while n < max && i + n < input.count && matchesUnit(node, input[i + n]) { n += 1 }
    if n < min { return false }
    if greedy {
      var c = n
      while c >= min {
        steps += 1
        if steps > stepBudget { exhausted = true }
        if exhausted { return false }
        if k(i + c) { return true }
        c -= 1
      }
      return false
    }
    var c = min
    while c <= n {
      steps += 1
      if steps > stepBudget { exhausted = true }
      if exhausted { return false }
      if k(i + c) { return true }
      c += 1
    }
    return false
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
        if j == i {
          // An empty iteration past the minimum ends the loop; below it, the
          // remaining required iterations would match empty too.
          if count >= min { return false }
          return repeatNode(node, min: min, max: max, greedy: greedy, count: min, j, k)
        }
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
