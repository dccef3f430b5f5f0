import XCTest
@testable import ScriptCore

final class BuiltinsRegExpTests: XCTestCase {
  private func program(_ pattern: String, _ flags: String = "") throws -> RegexProgram {
    try RegexProgram(pattern: pattern, flags: flags)
  }

  private func firstMatch(_ pattern: String, _ flags: String = "", in s: String) throws -> String? {
    let p = try program(pattern, flags)
    let u = Array(s.utf16)
    for i in 0...u.count {
      if let caps = try p.match(u, at: i) { return String(decoding: u[caps[0]..<caps[1]], as: UTF16.self) }
    }
    return nil
  }

  func testMatching() throws {
    XCTAssertEqual(try firstMatch("a(b|c)+d", in: "xabcbd"), "abcbd")
    XCTAssertEqual(try firstMatch("\\d{2,}", in: "a1b234"), "234")
    XCTAssertEqual(try firstMatch("(\\w+)\\s\\1", in: "say hello hello"), "hello hello")
    XCTAssertEqual(try firstMatch("HELLO", "i", in: "oh hello"), "hello")
    XCTAssertEqual(try firstMatch("^b", "m", in: "a\nb"), "b")
    XCTAssertNil(try firstMatch("^b", in: "a\nb"))
    XCTAssertEqual(try firstMatch("[^\\s,]+", in: " ,x1,"), "x1")
    XCTAssertEqual(try firstMatch("(?<word>[a-z]+)-\\k<word>", in: "ab-ab"), "ab-ab")
    XCTAssertEqual(try firstMatch("a.*?b", in: "aXbYb"), "aXb")
  }

  func testSyntaxErrorsAreScriptErrors() {
    for (pattern, message) in [
      ("(", "Unterminated group"), ("a)", "Unmatched ')'"), ("*a", "Nothing to repeat"),
      ("[b-a]", "Range out of order in character class"), ("a{3,1}", "numbers out of order in {} quantifier"),
      ("\\", "\\ at end of pattern"), ("[a", "Unterminated character class"), ("\\u{110000}", "Invalid Unicode escape"),
    ] {
      assertScriptError(.syntaxError, "Invalid regular expression: /\(pattern)/: \(message)") {
        try RegexProgram(pattern: pattern, flags: "")
      }
    }
  }

  /// Pathological patterns end in a RangeError instead of exhausting the stack or the CPU.
  func testBudgetsEndInRangeErrors() throws {
    let p = try program("(a|b)*c")
    let long = Array(String(repeating: "ab", count: 50_000).utf16)
    assertScriptError(.rangeError, "Maximum regular expression backtracking exceeded") { try p.match(long, at: 0, stepBudget: 10_000_000) as Any }
    let catastrophic = try program("(a+)+$")
    let input = Array((String(repeating: "a", count: 40) + "!").utf16)
    assertScriptError(.rangeError, "Maximum regular expression backtracking exceeded") {
      try catastrophic.match(input, at: 0, stepBudget: 200_000) as Any
    }
  }
}
