import XCTest
@testable import ScriptCore

final class DiagnosticTests: XCTestCase {
  func incomplete(_ source: String) -> Bool {
    Parser.parse(SourceFile(name: "<repl>", text: source)).isIncomplete
  }

  // MARK: - Messages and positions

  func testMessages() {
    XCTAssertEqual(errors("const y = f(a b);"), ["1:14: expected ')' after arguments, found 'b'"])
    XCTAssertEqual(errors("foo(\n\n  // more to come\n"), ["1:5: unexpected end of input"])
    // A missing closer is reported where it belongs: after the last good token.
    XCTAssertEqual(errors("foo(a, b\nlet x = 1"), ["1:9: expected ')' after arguments, found 'let'"])
    XCTAssertEqual(errors("const a"), ["1:7: missing initializer in const declaration"])
    XCTAssertEqual(errors("const [a] = x, {b}"), ["1:16: missing initializer in destructuring declaration"])
    XCTAssertEqual(errors("x = 'abc"), ["1:5: unterminated string literal"])
    XCTAssertEqual(errors("1 = 2"), ["1:1: invalid assignment target"])
    XCTAssertEqual(errors("f() = 2"), ["1:1: invalid assignment target"])
    XCTAssertEqual(errors("a?.b = 1"), ["1:1: invalid assignment target"])
    XCTAssertEqual(errors("[a + 1] = x"), ["1:2: invalid destructuring target"])
    XCTAssertEqual(errors("(a + 1) => 2"), ["1:2: invalid destructuring target"])
    XCTAssertEqual(errors("x++ ++"), ["1:7: unexpected end of input"].map { _ in
      "1:4: expected ';' after expression, found '++'" })
    XCTAssertEqual(errors("1 2"), ["1:2: expected ';' after expression, found '2'"])
    XCTAssertEqual(errors("let let = 1"), ["1:5: 'let' cannot be used as a variable name"])
    XCTAssertEqual(errors("a ?? b || c"), ["1:8: cannot mix '??' with '||' or '&&' without parentheses"])
    XCTAssertEqual(errors("a && b ?? c"), ["1:8: cannot mix '??' with '||' or '&&' without parentheses"])
    XCTAssertEqual(errors("-2 ** 2"), ["1:1: unary operator before '**' needs parentheses"])
    XCTAssertEqual(errors("x = {a = 1}"), ["1:6: invalid shorthand property initializer ('=' is only valid in destructuring)"])
    XCTAssertEqual(errors("return 1"), ["1:1: 'return' is only valid inside functions"])
    XCTAssertEqual(errors("break"), ["1:1: 'break' is only valid inside a loop or switch"])
    XCTAssertEqual(errors("for (;;) { continue foo }"), ["1:21: undefined label 'foo'"])
    XCTAssertEqual(errors("throw\nnew Error()"), ["2:1: no line break is allowed after 'throw'"])
    XCTAssertEqual(errors("function() {}"), ["1:9: expected function name after 'function', found '('"])
    XCTAssertEqual(errors("x = 08"), ["1:5: numbers cannot start with '0' (legacy octal literals are not allowed)"])
    XCTAssertEqual(errors("x = 3in y"), ["1:6: identifier starts immediately after numeric literal"])
    XCTAssertEqual(errors("x = 1__0"), ["1:5: numeric separators are only allowed between digits"])
    XCTAssertEqual(errors("x = 0x"), ["1:5: missing digits after '0x'"])
    XCTAssertEqual(errors("x = 'a\\x4'"), ["1:7: invalid hexadecimal escape sequence"])
    XCTAssertEqual(errors("x = '\\u{110000}'"), ["1:6: invalid unicode escape sequence"])
    XCTAssertEqual(errors("x = /a/gg"), ["1:8: invalid regular expression flags 'gg'"])
    XCTAssertEqual(errors("x = /abc\n"), ["1:5: unterminated regular expression literal"])
    XCTAssertEqual(errors("x = #"), ["1:5: unexpected character '#'"])
    XCTAssertEqual(errors("function f(a, ...b, c) {}"), ["1:19: a rest parameter must be last"])
    XCTAssertEqual(errors("class A { constructor() {} constructor() {} }"),
                   ["1:28: a class may only have one constructor"])
    XCTAssertEqual(errors("({ get x(a) {} })"), ["1:4: a getter must not have parameters"])
    XCTAssertEqual(errors("if (x) { import 'm' }"), ["1:10: import declarations may only appear at the top level"])
    XCTAssertEqual(errors("(a, b)"), [])
    XCTAssertEqual(errors("(a, ...b)"), ["1:10: expected '=>' after arrow function parameters, found end of input"])
    XCTAssertEqual(errors("new.target"), ["1:4: 'new.target' is not supported"])
    XCTAssertEqual(errors("function* g() {}"), ["1:9: generator functions are not supported"])
    XCTAssertEqual(errors("switch (x) { default: default: }"),
                   ["1:23: more than one default clause in switch statement"])
    XCTAssertEqual(errors("super.x"), ["1:1: 'super' is only valid inside methods"])
    XCTAssertEqual(errors("class A { constructor() { super() } }"),
                   ["1:27: 'super()' is only valid in the constructor of a class that extends another"])
    XCTAssertEqual(errors("function f() { super.x }"), ["1:16: 'super' is only valid inside methods"])
    XCTAssertEqual(errors("class A extends B { constructor() { super(); f(() => super.x) } m() { super.m() } }"), [])
    XCTAssertEqual(errors("({ m() { return super.m() } })"), [])
    XCTAssertEqual(errors("if (x) let y = 1"), ["1:8: a 'let' declaration cannot be the body of an if, loop or label"])
    XCTAssertEqual(errors("while (x) const y = 1"), ["1:11: a 'const' declaration cannot be the body of an if, loop or label"])
    XCTAssertEqual(errors("\\u0069f (x) {}"), ["1:1: keywords cannot contain escape sequences"])
    XCTAssertEqual(errors("const n: number = 1"),
                   ["1:8: type annotations are not supported (tl runs JavaScript, not TypeScript)"])
    XCTAssertEqual(errors("function f(a: string): void {}"),
                   ["1:13: type annotations are not supported (tl runs JavaScript, not TypeScript)"])
    XCTAssertEqual(errors("function f(a): void {}"),
                   ["1:14: type annotations are not supported (tl runs JavaScript, not TypeScript)"])
    XCTAssertEqual(errors("x = \u{201C}hi\u{201D}"),
                   ["1:5: unexpected character '\u{201C}' (a typographic quote: use ' or \" for strings)",
                    "1:8: unexpected character '\u{201D}' (a typographic quote: use ' or \" for strings)"])
    XCTAssertEqual(errors("x\u{200B} = 1"), ["1:2: unexpected character U+200B"])
    XCTAssertEqual(errors("delete x"), ["1:8: cannot delete a variable ('delete' needs a property)"])
  }

  /// Every parser and lexer message, with its position and whether it counts
  /// as incomplete input.
  func testMessageTable() {
    let table: [(String, [String], Bool)] = [
      ("import {default} from 'm'", ["1:16: 'default' must be renamed with 'as' in an import"], false),
      ("(a, if) => 1", ["1:5: expected expression, found 'if'"], false),
      ("continue", ["1:1: 'continue' is only valid inside a loop"], false),
      ("export * as ns from 'm'", ["1:10: 'export * as' is not supported"], false),
      ("async function f() { for await (x of y) {} }", ["1:26: 'for await' loops are not supported"], false),
      ("new super()", ["1:5: 'new super' is not allowed"], false),
      ("with (o) {}", ["1:1: 'with' statements are not allowed"], false),
      ("label: class A {}", ["1:8: a 'class' declaration cannot be the body of an if, loop or label"], false),
      ("class A { constructor = 1 }", ["1:11: a class field cannot be named 'constructor'"], false),
      ("[...a = 1] = b", ["1:5: a rest element cannot have a default value"], false),
      ("[...a, b] = c", ["1:5: a rest element must be last"], false),
      ("({...a, b} = c)", ["1:6: a rest property must be last"], false),
      ("({ set s(a, b) {} })", ["1:4: a setter must have exactly one parameter"], false),
      ("new (x => x)", [], false),
      ("new x => x", ["1:5: an arrow function cannot be called with 'new'"], false),
      ("function f() { x = 1", ["1:21: expected '}' to close function body, found end of input"], true),
      ("{ (", ["1:4: unexpected end of input"], true),
      ("export 1", ["1:7: expected declaration, 'default', '{' or '*' after 'export', found '1'"], false),
      ("a.", ["1:3: expected property name after '.', found end of input"], true),
      ("let {if} = o", ["1:6: expected variable name, found 'if'"], false),
      ("function f() { export const a = 1 }", ["1:16: export declarations may only appear at the top level"], false),
      ("for (const a, b of c) {}", ["1:6: only one variable may be declared in a for-of loop"], false),
      ("for (let x = 1 of y) {}", ["1:6: for-of loop variable declaration may not have an initializer"], false),
      ("({ *g() {} })", ["1:4: generator methods are not supported"], false),
      ("(a = 1 = 2) => 0", ["1:6: invalid assignment target"], false),
      ("({...{a}} = b)", ["1:6: invalid rest property target"], false),
      ("1++", ["1:1: invalid target for '++'"], false),
      ("++(a + b)", ["1:4: invalid target for '++'"], false),
      ("a: a: 1", ["1:4: label 'a' is already declared"], false),
      ("class A { static { } }", ["1:18: static initialization blocks are not supported"], false),
      ("a?.b`t`", ["1:5: tagged templates cannot be used in an optional chain"], false),
      ("class A { get constructor() {} }", ["1:15: the class constructor cannot be a getter, setter or async method"], false),
      ("for (;;) { continue nope }", ["1:21: undefined label 'nope'"], false),
      ("super", ["1:1: 'super' is only valid inside methods"], false),
      ("f(a, b c)", ["1:7: expected ')' after arguments, found 'c'"], false),
      ("function f(a b) {}", ["1:13: expected ',' or ')' after parameter, found 'b'"], false),
      ("[a b] = c", ["1:3: expected ',' or ']' after array element, found 'b'"], false),
      ("let [a b] = c", ["1:8: expected ',' or ']' in array pattern, found 'b'"], false),
      ("({a b})", ["1:4: expected ':' after property name, found 'b'"], false),
      ("x[1", ["1:4: expected ']' after index, found end of input"], true),
      ("switch (x) { foo }", ["1:14: expected 'case', 'default' or '}' in switch body, found 'foo'"], false),
      ("try {}", ["1:7: expected 'catch' or 'finally' after try block, found end of input"], true),
      ("class {}", ["1:6: expected class name after 'class', found '{'"], false),
      ("export", ["1:7: expected declaration, 'default', '{' or '*' after 'export', found end of input"], true),
      ("import", ["1:7: expected import clause after 'import', found end of input"], true),
      ("import x from 1", ["1:14: expected module name string after 'from', found '1'"], false),
      ("x = {1}", ["1:7: expected ':' after property name, found '}'"], false),
      ("123n", ["1:1: bigint literals are not supported"], false),
      ("\\u00", ["1:1: invalid unicode escape in identifier", "1:3: numbers cannot start with '0' (legacy octal literals are not allowed)"], false),
      ("a\\u0020b", ["1:2: invalid unicode escape in identifier"], false),
      ("0b", ["1:1: missing digits after '0b'"], false),
      ("1e+", ["1:1: missing exponent digits in numeric literal"], false),
      ("x = @", ["1:5: unexpected character '@'"], false),
      ("/* abc", ["1:1: unterminated comment"], true),
      ("`abc", ["1:1: unterminated template literal"], true),
      ("x = `a${1}b", ["1:5: unterminated template literal"], true),
      ("do {} until (x)", ["1:6: expected 'while' after do-while body, found 'until'"], false),
      ("for (let i = 0 i < 3; i++) {}", ["1:15: expected ';' after for loop initializer, found 'i'"], false),
      ("x = (1", ["1:7: expected ')' after expression, found end of input"], true),
      ("x = [1", ["1:7: expected ',' or ']' after array element, found end of input"], true),
      ("class A extends {}", ["1:19: expected '{' to open class body, found end of input"], true),
      ("a => {}\n.x", ["2:1: expected expression, found '.'"], false),
      ("async () => {}()", ["1:15: expected ';' after expression, found '('"], false),
      ("const {a} ", ["1:7: missing initializer in destructuring declaration"], false),
      ("if x {}", ["1:3: expected '(' after 'if', found 'x'"], false),
      ("else {}", ["1:1: expected expression, found 'else'"], false),
      ("catch (e) {}", ["1:1: expected expression, found 'catch'"], false),
    ]
    for (source, expected, isIncomplete) in table {
      XCTAssertEqual(errors(source), expected, source)
      XCTAssertEqual(incomplete(source), isIncomplete, source)
    }
  }

  func testRecoveryReportsSeveralErrors() {
    let src = """
      let a = = 1
      foo(1 2)
      const ok = 3
      x = )
      let b = 2
      """
    XCTAssertEqual(errors(src), [
      "1:9: expected expression, found '='",
      "2:6: expected ')' after arguments, found '2'",
      "4:5: expected expression, found ')'",
    ])
    let r = Parser.parse(SourceFile(name: "t", text: src))
    XCTAssertFalse(r.isIncomplete)
    // The good statements around the bad ones still parse.
    XCTAssertEqual(ASTPrinter.program(r.program), "(const (= ok 3)) (let (= b 2))")
  }

  func testRecoveryInsideBlocksAndMultilineExpressions() {
    let src = """
      function f() {
        let x = (1 +
          2 3)
        return x
      }
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 64 activation: 'relu' }),
        tf.layers.dense({ units: 6 })
      ]})
      g(
      """
    XCTAssertEqual(errors(src), [
      "3:6: expected ')' after expression, found '3'",
      "7:30: expected ',' or '}' after property, found 'activation'",
      "10:3: unexpected end of input",
    ])
  }

  func testRecoveryInSwitch() {
    let src = """
      switch (x) {
        case 1: a b
        case 2: c = )
        default: ok()
      }
      y = 1 2
      """
    XCTAssertEqual(errors(src), [
      "2:12: expected ';' after expression, found 'b'",
      "3:15: expected expression, found ')'",
      "6:6: expected ';' after expression, found '2'",
    ])
  }

  func testRecoveryInTemplate() {
    XCTAssertEqual(errors("x = `a${1 2}b`\ny = 1 2"), [
      "1:10: expected '}' after template substitution, found '2'",
      "2:6: expected ';' after expression, found '2'",
    ])
  }

  // MARK: - Incomplete input (REPL continuation)

  func testIncompleteInputs() {
    let incompleteInputs = [
      "foo(", "[1,", "`abc${", "'abc", "x +", "if (a)", "const a =", "{", "class A {", "() =>",
      "function f() {", "let x = {a: 1,", "f(a, b", "a.b.", "x ? y", "x ? y :", "while (true)",
      "for (let i = 0;", "`abc", "/* comment", "tf.sequential({ layers: [", "a =>", "async () =>",
      "switch (x) {", "try {", "try {} catch (e) {", "new ", "x = [1, 2,\n3", "import {a} from",
      "export default", "do {} while (", "`a${b}", "x &&", "!", "obj?.", "'abc\\",
    ]
    for s in incompleteInputs {
      let r = Parser.parse(SourceFile(name: "<repl>", text: s))
      XCTAssertTrue(r.isIncomplete, "\(s): \(r.diagnostics.map(\.description))")
      XCTAssertFalse(r.diagnostics.isEmpty, s)
    }
  }

  func testCompleteOrWrongInputs() {
    let notIncomplete = [
      ")", "1 2", "let let", "x = 1", "f()", "}", "]", "const a", "foo(1 2", "a ?? b ||",
      "'abc\n", "return", "x = #", "class { }", "1 = ", "let x = 1;", "",
      "function f() { await x", "{ let a = = 1",
    ]
    for s in notIncomplete {
      XCTAssertFalse(incomplete(s), "\(s): \(errors(s))")
    }
  }

  // MARK: - Robustness

  func testDeepNestingIsAnErrorNotACrash() {
    for open in ["(", "[", "{", "x = {a:", "-", "!", "new ", "`${", "a => ", "[...", "f("] {
      let count = ["(", "[", "{"].contains(open) ? 100_000 : 5_000
      let src = String(repeating: open, count: count) + "1"
      let r = Parser.parse(SourceFile(name: "deep", text: src))
      XCTAssertTrue(r.diagnostics.contains { $0.message == "nesting is too deep" },
                    "\(open): \(r.diagnostics.prefix(3).map(\.description))")
      XCTAssertFalse(r.isIncomplete, open)
    }
    let closed = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
    XCTAssertEqual(errors(closed), [])
  }

  func testLongChainsAreBounded() {
    let src = "x = 1" + String(repeating: " + 1", count: 50_000)
    let r = Parser.parse(SourceFile(name: "long", text: src))
    XCTAssertEqual(r.diagnostics.first?.message, "nesting is too deep")
    let calls = "x" + String(repeating: ".a", count: 50_000)
    XCTAssertEqual(Parser.parse(SourceFile(name: "c", text: calls)).diagnostics.first?.message,
                   "nesting is too deep")
  }

  func testHugeLine() {
    let big = "x = '" + String(repeating: "a", count: 10_000_000) + "'"
    let r = Parser.parse(SourceFile(name: "big", text: big))
    XCTAssertEqual(r.diagnostics.count, 0)
    let garbage = String(repeating: "\u{0}", count: 1_000_000)
    let g = Parser.parse(SourceFile(name: "nul", text: garbage))
    XCTAssertEqual(g.diagnostics.map(\.description), ["nul:1:1: error: unexpected character U+0000"])
  }

  func testUnterminatedEverything() {
    for s in ["'", "\"", "`", "`${", "/*", "/", "x = /", "{", "(", "[", "\\", "\\u", "0x", "1e",
              "class", "function", "import", "export", "for (", "a.", "?.", "...", "=>", "#!"] {
      _ = Parser.parse(SourceFile(name: "u", text: s))
    }
    XCTAssertEqual(errors("#!/usr/bin/env tl\nx = 1"), [])
  }

  func testManyErrorsAreCapped() {
    let src = String(repeating: "x = )\n", count: 500)
    let d = Parser.parse(SourceFile(name: "t", text: src)).diagnostics
    XCTAssertEqual(d.count, Parser.maxDiagnostics + 1)
    XCTAssertEqual(d.last?.message, "too many errors, stopping")
  }

  // MARK: - Rendering

  func testRender() {
    let file = SourceFile(name: "examples/xor.tl", text: "let x = 1\nconst y = f(a b);\n")
    let r = Parser.parse(file)
    XCTAssertEqual(DiagnosticFormatter.render(r.diagnostics, file: file, color: false), """
      examples/xor.tl:2:14: error: expected ')' after arguments, found 'b'
        2 | const y = f(a b);
          |              ^

      """)
    let colored = DiagnosticFormatter.render(r.diagnostics, file: file, color: true)
    XCTAssertTrue(colored.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    XCTAssertTrue(colored.contains("\u{1B}[1mexamples/xor.tl:2:14:\u{1B}[0m"))
  }

  func testRenderTabsAndLongLines() {
    let file = SourceFile(name: "t", text: "\tx = )")
    let out = DiagnosticFormatter.render(Parser.parse(file).diagnostics, file: file, color: false)
    XCTAssertEqual(out, "t:1:6: error: expected expression, found ')'\n  1 |   x = )\n    |       ^\n")
    let long = SourceFile(name: "l", text: String(repeating: "a+", count: 300) + ")")
    let lout = DiagnosticFormatter.render(Parser.parse(long).diagnostics, file: long, color: false)
    let lines = lout.split(separator: "\n")
    XCTAssertEqual(lines.count, 3)
    if lines.count == 3 {
      // The caret sits under the ')' even though the line was cut.
      let caret = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) }
      let paren = lines[1].firstIndex(of: ")").map { lines[1].distance(from: lines[1].startIndex, to: $0) }
      XCTAssertEqual(caret, paren)
    }
  }
}

final class ParserFuzzTests: XCTestCase {
  /// Mutates chapter-style code at random (deterministically) and parses every
  /// variant: the parser must neither crash nor hang, whatever it is given.
  func testRandomMutationsNeverCrash() {
    let base = """
      import * as tf from '@tensorflow/tfjs-node'
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 64, activation: 'relu', inputShape: [x.shape[1]] }),
      ]})
      async function train(xs, { epochs = 10, ...rest } = {}) {
        for (const [i, v] of xs.entries()) { if (v?.ok ?? false) continue; else break }
        const h = await model.fit(xs, ys, { epochs, callbacks: { onEpochEnd: (e, l) => log(`${e}: ${l.loss}`) } })
        return /a+b/g.test(h) ? h : null
      }
      class Knn extends Base { static create(k = 3) { return new Knn(k) } get n() { return this.#x } }
      switch (a) { case 1: x++; break; default: y-- }
      try { f() } catch ({ message }) { console.error(message) } finally { done() }
      """
    let pieces = ["(", ")", "{", "}", "[", "]", "`", "${", "'", "\"", "/", "=>", ",", ";", "\n",
                  "async", "await", "class", "...", "?.", "??", "=", "+", "*", "\\", "\u{0}", "/*"]
    var seed: UInt64 = 0x9E3779B97F4A7C15
    func random(_ n: Int) -> Int {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      return Int((seed >> 33) % UInt64(max(n, 1)))
    }
    let scalars = Array(base.unicodeScalars)
    for _ in 0..<400 {
      var s = scalars
      for _ in 0..<(1 + random(4)) {
        let at = random(s.count)
        switch random(3) {
        case 0: s.remove(at: at)
        case 1: s.insert(contentsOf: pieces[random(pieces.count)].unicodeScalars, at: at)
        default: s = Array(s[..<at])
        }
      }
      var text = String.UnicodeScalarView()
      text.append(contentsOf: s)
      let r = Parser.parse(SourceFile(name: "fuzz", text: String(text)))
      for d in r.diagnostics {
        XCTAssertGreaterThanOrEqual(d.range.start.line, 1)
        XCTAssertFalse(d.message.isEmpty)
      }
    }
  }
}
