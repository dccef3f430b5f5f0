import XCTest
@testable import ScriptCore

final class LexerTests: XCTestCase {
  /// All tokens of `source` (division, never regex) up to the end of input.
  func tokens(_ source: String) -> [Token] {
    let lexer = Lexer(file: SourceFile(name: "t", text: source))
    var out: [Token] = []
    while true {
      let t = lexer.next()
      if t.kind == .eof { break }
      out.append(t)
      if out.count > 10_000 { break }
    }
    return out
  }

  /// The cooked value of a one-string program.
  func string(_ literal: String) -> String? {
    let r = Parser.parse(SourceFile(name: "t", text: literal))
    guard r.diagnostics.isEmpty, let s = r.program.body.first,
      case .expression(let e) = s.kind, case .string(let v) = e.kind
    else { return nil }
    return v
  }

  func number(_ literal: String) -> Double? {
    let t = tokens(literal)
    guard t.count == 1, t[0].kind == .number else { return nil }
    return t[0].number
  }

  func testPunctuatorsLongestMatch() {
    let t = tokens("a >>>= b ?? c ??= d ?.e ... => **= === !== &&= ||= ?.5")
    XCTAssertEqual(t.map(\.text), ["a", ">>>=", "b", "??", "c", "??=", "d", "?.", "e", "...", "=>",
                                   "**=", "===", "!==", "&&=", "||=", "?", ".5"])
  }

  func testNumbers() {
    XCTAssertEqual(number("42"), 42)
    XCTAssertEqual(number(".5"), 0.5)
    XCTAssertEqual(number("5."), 5)
    XCTAssertEqual(number("1e-7"), 1e-7)
    XCTAssertEqual(number("1E+3"), 1000)
    XCTAssertEqual(number("0xFF"), 255)
    XCTAssertEqual(number("0o17"), 15)
    XCTAssertEqual(number("0b1010"), 10)
    XCTAssertEqual(number("1_000_000"), 1_000_000)
    XCTAssertEqual(number("0x_1"), 1)  // reported, still lexed
    XCTAssertEqual(number("0"), 0)
    XCTAssertEqual(number("0.1"), 0.1)
    XCTAssertEqual(number("1e400"), .infinity)
    XCTAssertEqual(number("0xFFFFFFFFFFFFFFFFFF"), 4.722366482869645e21)
  }

  func testStringEscapes() {
    XCTAssertEqual(string(#"'\n\t\r\b\f\v\0'"#), "\n\t\r\u{8}\u{C}\u{B}\u{0}")
    XCTAssertEqual(string(#"'\x41\u0042\u{43}\u{1F600}'"#), "ABC😀")
    XCTAssertEqual(string(#"'\'\"\\'"#), "'\"\\")
    XCTAssertEqual(string(#""\q\$""#), "q$")
    XCTAssertEqual(string("'a\\\nb'"), "ab")
    XCTAssertEqual(string("'a\\\r\nb'"), "ab")
    XCTAssertEqual(string(#"'\uD83D\uDE00'"#), "😀")
    XCTAssertEqual(string(#"'\uD83D'"#), "\u{FFFD}")
    XCTAssertEqual(string(#"'\uDE00x'"#), "\u{FFFD}x")
    XCTAssertEqual(string("'a\u{0}b'"), "a\u{0}b")
    XCTAssertEqual(string("'\u{2028}'"), "\u{2028}")
    XCTAssertEqual(errors(#"'\1'"#), ["1:2: octal escape sequences are not allowed"])
    XCTAssertEqual(errors(#"'\u12'"#), ["1:2: invalid unicode escape sequence"])
  }

  func testTemplates() {
    XCTAssertEqual(ast("`a\\n${1}\\u0041`"), "(template \"a\\n\" 1 \"A\")")
    XCTAssertEqual(ast("`line1\r\nline2`"), "(template \"line1\\nline2\")")
    XCTAssertEqual(ast("`${ {a: 1}.a }`"), "(template \"\" (. (object (: a 1)) a) \"\")")
    XCTAssertEqual(ast("`$ {x} $`"), "(template \"$ {x} $\")")
    XCTAssertEqual(ast("`a${`b${`c`}`}`"), "(template \"a\" (template \"b\" (template \"c\") \"\") \"\")")
  }

  func testRegexVersusDivision() {
    XCTAssertEqual(ast("x = a / b / c"), "(= x (/ (/ a b) c))")
    XCTAssertEqual(ast("x = (a) / 2"), "(= x (/ a 2))")
    XCTAssertEqual(ast("x = [/a/, /b/g]"), "(= x (array /a/ /b/g))")
    XCTAssertEqual(ast("if (/^x/.test(s)) {}"), "(if (call (. /^x/ test) s) (block))")
    XCTAssertEqual(ast("x = a\n/b/g"), "(= x (/ (/ a b) g))")
    XCTAssertEqual(ast("s.replace(/[/\\]]+/g, '')"), "(call (. s replace) /[/\\]]+/g \"\")")
    XCTAssertEqual(ast("x /= 2"), "(/= x 2)")
    XCTAssertEqual(ast("return_ = 1 / 2 /\n3"), "(= return_ (/ (/ 1 2) 3))")
  }

  func testIdentifiersAndKeywords() {
    let t = tokens("if \\u0069f café $ _x1 ℮x")
    XCTAssertEqual(t.map(\.text), ["if", "if", "café", "$", "_x1", "℮x"])
    XCTAssertFalse(t[0].escaped)
    XCTAssertTrue(t[1].escaped)
    XCTAssertTrue(t[0].isWord("if"))
    XCTAssertFalse(t[1].isWord("if"))
  }

  func testCommentsAndNewlines() {
    let t = tokens("a // c\nb /* x\n y */ c /* z */ d\r\ne\u{2028}f")
    XCTAssertEqual(t.map(\.text), ["a", "b", "c", "d", "e", "f"])
    XCTAssertEqual(t.map(\.newlineBefore), [false, true, true, false, true, true])
    XCTAssertEqual(t[4].range.start.line, 4)
    XCTAssertEqual(t[4].range.start.column, 1)
    XCTAssertEqual(t[2].range.start.line, 3)
    XCTAssertEqual(t[2].range.start.column, 7)
  }

  func testShebangIsIgnored() {
    XCTAssertEqual(tokens("#!/usr/bin/env tl\nx").map(\.text), ["x"])
  }

  func testInvalidCharacters() {
    XCTAssertEqual(errors("a \u{0}\u{0} b"), ["1:3: unexpected character U+0000"])
    XCTAssertEqual(errors("x = 1 @ 2"), ["1:7: unexpected character '@'"])
  }
}
