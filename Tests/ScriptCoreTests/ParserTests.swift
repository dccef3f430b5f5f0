import XCTest
@testable import ScriptCore

/// Parses `source` and returns the program as an S-expression; fails the test on any diagnostic.
func ast(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
  let r = Parser.parse(SourceFile(name: "t.tl", text: source))
  if !r.diagnostics.isEmpty {
    XCTFail("unexpected diagnostics: \(r.diagnostics.map(\.description))", file: file, line: line)
  }
  return ASTPrinter.program(r.program)
}

/// The diagnostics for `source` as `line:column: message`.
func errors(_ source: String) -> [String] {
  Parser.parse(SourceFile(name: "t.tl", text: source)).diagnostics.map {
    "\($0.range.start.line):\($0.range.start.column): \($0.message)"
  }
}

final class ParserTests: XCTestCase {
  func check(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(ast(source, file: file, line: line), expected, file: file, line: line)
  }

  // MARK: - Literals and primaries

  func testLiterals() {
    check("1; .5; 1e-7; 0x1F; 0o17; 0b101; 1_000", "1 0.5 1e-7 31 15 5 1000")
    check("'a\\nb'; \"q\\\"\"", "\"a\\nb\" \"q\\\"\"")
    check("true; false; null; this; undefined; NaN", "true false null this undefined NaN")
    check("`a${x}b${y + 1}c`", "(template \"a\" x \"b\" (+ y 1) \"c\")")
    check("`plain`", "(template \"plain\")")
    check("`a${`in${n}ner`}b`", "(template \"a\" (template \"in\" n \"ner\") \"b\")")
    check("x = /a+\\/[/]/gi", "(= x /a+\\/[/]/gi)")
    check("a / b / c", "(/ (/ a b) c)")
    check("f(/=x/)", "(call f /=x/)")
  }

  func testIdentifiers() {
    check("$x; _y; café; ǅx", "$x _y café ǅx")
    check("\\u0061bc", "abc")
    check("get; set; of; async; static", "get set of async static")
  }

  // MARK: - Operators

  func testPrecedence() {
    check("a + b * c - d", "(- (+ a (* b c)) d)")
    check("a ** b ** c", "(** a (** b c))")
    check("(-a) ** 2", "(** (- a) 2)")
    check("a || b && c", "(|| a (&& b c))")
    check("a ?? b", "(?? a b)")
    check("(a || b) ?? c", "(?? (|| a b) c)")
    check("a ? b : c ? d : e", "(? a b (? c d e))")
    check("a = b = c", "(= a (= b c))")
    check("x += 1; y ||= 2; z ??= 3; w **= 2", "(+= x 1) (||= y 2) (??= z 3) (**= w 2)")
    check("a < b == c > d", "(== (< a b) (> c d))")
    check("a in b instanceof C", "(instanceof (in a b) C)")
    check("a << 1 >>> 2 & 3 | 4 ^ 5", "(| (& (>>> (<< a 1) 2) 3) (^ 4 5))")
    check("!a; ~b; -c; +d; typeof e; void 0; delete o.p", "(! a) (~ b) (- c) (+ d) (typeof e) (void 0) (delete (. o p))")
    check("++i; i--; --a.b; a[0]++", "(++pre i) (post-- i) (--pre (. a b)) (post++ ([] a 0))")
    check("a, b, c", "(, a b c)")
  }

  func testMembersAndCalls() {
    check("tf.layers.dense({units: 64})", "(call (. (. tf layers) dense) (object (: units 64)))")
    check("a[0][i + 1]", "([] ([] a 0) (+ i 1))")
    check("f(...xs, 1,)", "(call f (... xs) 1)")
    check("o.default; o.new; x.delete(); o.class", "(. o default) (. o new) (call (. x delete)) (. o class)")
    check("new X", "(new X)")
    check("new X(1)", "(new X 1)")
    check("new a.b.C()", "(new (. (. a b) C))")
    check("new Array(10).fill(1)", "(call (. (new Array 10) fill) 1)")
    check("new new X()()", "(new (new X))")
    check("f`a${b}`", "(tag f \"a\" b \"\")")
  }

  func testOptionalChaining() {
    check("a?.b", "(chain (?. a b))")
    check("a?.b.c(1)", "(chain (call (. (?. a b) c) 1))")
    check("a?.[0]", "(chain (?.[] a 0))")
    check("f?.(x)", "(chain (call?. f x))")
    check("(a?.b).c", "(. (chain (?. a b)) c)")
    check("x ? .5 : 1", "(? x 0.5 1)")
  }

  // MARK: - Declarations and patterns

  func testDeclarations() {
    check("let a = 1, b", "(let (= a 1) b)")
    check("var x", "(var x)")
    check("const { a, b: [c, , d = 2, ...e], ...rest } = obj",
          "(const (= {a (: b [c _ (= d 2) (... e)]) (... rest)} obj))")
    check("const [x, y] = p", "(const (= [x y] p))")
    check("const {[k]: v = 1, 'str': s, 42: n} = o", "(const (= {(: [k] (= v 1)) (: str s) (: 42 n)} o))")
    check("let {a: {b}} = o", "(let (= {(: a {b})} o))")
  }

  func testDestructuringAssignment() {
    check("[a, b] = [b, a]", "(= [a b] (array b a))")
    check("({a, b: c.d, e = 1} = o)", "(= {a (: b (. c d)) (= e 1)} o)")
    check("[a.b, ...c[0]] = xs", "(= [(. a b) (... ([] c 0))] xs)")
    check("[[a], {b}] = z", "(= [[a] {b}] z)")
  }

  // MARK: - Functions

  func testFunctions() {
    check("function f(a, b = 2, ...c) { return a }", "(function f (a (= b 2) (... c)) (return a))")
    check("async function g() { await x }", "(async function g () (await x))")
    check("const h = function () {}", "(const (= h (function ())))")
    check("function f({a, b}, [c]) {}", "(function f ({a b} [c]))")
  }

  func testArrows() {
    check("x => x * 2", "(arrow (x) => (* x 2))")
    check("(a, b) => a + b", "(arrow (a b) => (+ a b))")
    check("() => ({a: 1})", "(arrow () => (object (: a 1)))")
    check("async x => await x", "(async arrow (x) => (await x))")
    check("async (a) => a", "(async arrow (a) => a)")
    check("({a}) => a", "(arrow ({a}) => a)")
    check("([x, y]) => x", "(arrow ([x y]) => x)")
    check("(a = 1, {b} = {}, ...r) => 0", "(arrow ((= a 1) (= {b} (object)) (... r)) => 0)")
    check("() => {}", "(arrow ())")
    check("a => b => a + b", "(arrow (a) => (arrow (b) => (+ a b)))")
    check("f(x => x, y)", "(call f (arrow (x) => x) y)")
    check("async(1, 2)", "(call async 1 2)")
    check("f(async () => { await g() })", "(call f (async arrow () (await (call g))))")
  }

  func testChapterCode() {
    let src = """
      const model = tf.sequential({ layers: [
        tf.layers.flatten({ inputShape: featureX.shape.slice(1) }),
        tf.layers.dense({ units: 64, activation: 'relu' }),
        tf.layers.dense({ units: 6, activation: 'softmax' })
      ]})
      console.log(`Features stack ${featureX.shape}`)
      const arr = new Array(10).fill(1)
      tf.ready().then(async () => { const m = await tf.loadLayersModel(url); m.summary() })
      const { a, b: [c, , d = 2, ...e], ...rest } = obj
      export default class Knn extends Base { static create(k = 3) { return new Knn(k) } }
      """
    let r = Parser.parse(SourceFile(name: "ch.tl", text: src))
    XCTAssertEqual(r.diagnostics.map(\.description), [])
    XCTAssertEqual(r.program.body.count, 6)
    XCTAssertTrue(r.program.isModule)
    let printed = ASTPrinter.program(r.program)
    XCTAssertTrue(printed.contains(
      "(call (. (call (. tf ready)) then) (async arrow () (const (= m (await (call (. tf loadLayersModel) url)))) (call (. m summary))))"),
      printed)
    XCTAssertTrue(printed.contains(
      "(export-default (class Knn (extends Base) (static method create (function create ((= k 3)) (return (new Knn k))))))"),
      printed)
    XCTAssertTrue(printed.contains("(call (. console log) (template \"Features stack \" (. featureX shape) \"\"))"))
  }

  // MARK: - Objects and classes

  func testObjectLiterals() {
    check("x = {a, b: 1, [k]: v, 'str': 1, 42: x, 1.50: y, ...o}",
          "(= x (object (: a a) (: b 1) (: [k] v) (: str 1) (: 42 x) (: 1.5 y) (... o)))")
    check("x = {m() {}, get g() { return 1 }, set s(v) {}, async f() {}}",
          "(= x (object (method m (function m ())) (get g (function g () (return 1))) (set s (function s (v))) (method f (async function f ()))))")
    check("x = {class: 1, new: 2, get: 3, set() {}, async: 4}",
          "(= x (object (: class 1) (: new 2) (: get 3) (method set (function set ())) (: async 4)))")
  }

  func testClasses() {
    let src = """
      class A extends mix(B) {
        x = 1
        y
        static count = 0
        constructor(a) { super(a); this.a = a }
        get v() { return super.v }
        set v(n) {}
        static make() { return new A() }
        async load() {}
        [key]() {}
      }
      """
    check(src, "(class A (extends (call mix B)) (constructor (function constructor (a) (super a) (= (. this a) a))) (field x 1) (field y) (static field count 0) (get v (function v () (return (super. v)))) (set v (function v (n))) (static method make (function make () (return (new A)))) (method load (async function load ())) (method [key] (function ())))")
    check("const C = class {}", "(const (= C (class)))")
  }

  // MARK: - Statements

  func testControlFlow() {
    check("if (a) b; else if (c) d; else {}", "(if a b (if c d (block)))")
    check("for (let i = 0; i < n; i++) {}", "(for (let (= i 0)) (< i n) (post++ i) (block))")
    check("for (;;) break", "(for _ _ _ (break))")
    check("for (const x of xs) f(x)", "(for-of (const x) xs (call f x))")
    check("for (const [k, v] of m) {}", "(for-of (const [k v]) m (block))")
    check("for (k in o) {}", "(for-in k o (block))")
    check("for (var k in o) {}", "(for-in (var k) o (block))")
    check("for (a.b of c) {}", "(for-of (. a b) c (block))")
    check("for (let i = 0, j = ('x' in o); ;) {}", "(for (let (= i 0) (= j (in \"x\" o))) _ _ (block))")
    check("while (x) x--", "(while x (post-- x))")
    check("do x++; while (x < 5)", "(do (post++ x) (< x 5))")
    check("do {} while (x) y()", "(do (block) x) (call y)")
    check("outer: for (;;) { continue outer }", "(label outer (for _ _ _ (block (continue outer))))")
    check("try { a() } catch (e) { b() } finally { c() }",
          "(try (block (call a)) (catch e (block (call b))) (finally (block (call c))))")
    check("try {} catch {}", "(try (block) (catch _ (block)))")
    check("try {} catch ({message}) {}", "(try (block) (catch {message} (block)))")
    check("switch (x) { case 1: a(); break; default: b() }",
          "(switch x (case 1 (call a) (break)) (default (call b)))")
    check(";", "(empty)")
    check("{ let a = 1 }", "(block (let (= a 1)))")
    check("throw new Error('x')", "(throw (new Error \"x\"))")
    check("function f() { return }", "(function f () (return))")
  }

  // MARK: - Automatic semicolon insertion

  func testASI() {
    check("a = 1\nb = 2", "(= a 1) (= b 2)")
    check("let x = 1\nlet y = 2\n", "(let (= x 1)) (let (= y 2))")
    check("a\n(b)", "(call a b)")
    check("a\n[0]", "([] a 0)")
    check("a\n++b", "a (++pre b)")
    check("function f() { return\n 1 }", "(function f () (return) 1)")
    check("x\n+ 1", "(+ x 1)")
    check("a = b\n.c()", "(= a (call (. b c)))")
    check("const f = () => {}\nf()", "(const (= f (arrow ()))) (call f)")
    check("x => {}\n(1)", "(arrow (x)) 1")
    check("for (;;) { break\nlabel }", "(for _ _ _ (block (break) label))")
    check("if (a) b\nelse c", "(if a b c)")
    check("let a = `x`\n`y`", "(let (= a (tag (template \"x\") \"y\")))")
  }

  // MARK: - Modules

  func testModules() {
    check("import x from 'm'", "(import \"m\" x)")
    check("import * as tf from '@tensorflow/tfjs-node'", "(import \"@tensorflow/tfjs-node\" (* tf))")
    check("import {a, b as c} from 'm'", "(import \"m\" (a b:c))")
    check("import x, {y} from 'm'", "(import \"m\" x (y))")
    check("import 'm'", "(import \"m\")")
    check("export const a = 1", "(export (const (= a 1)))")
    check("export function f() {}", "(export (function f ()))")
    check("export class K {}", "(export (class K))")
    check("export default 1 + 2", "(export-default (+ 1 2))")
    check("export default function () {}", "(export-default (function ()))")
    check("export {a, b as c}", "(export (a b:c))")
    check("export {a} from 'm'", "(export (a) \"m\")")
    check("export * from 'm'", "(export * \"m\")")
    XCTAssertTrue(Parser.parse(SourceFile(name: "m", text: "import 'x'")).program.isModule)
    XCTAssertFalse(Parser.parse(SourceFile(name: "m", text: "let x = 1")).program.isModule)
  }

  func testAwait() {
    check("await f()", "(await (call f))")
    check("const r = await p", "(const (= r (await p)))")
    check("async function f() { for (const x of xs) await x }",
          "(async function f () (for-of (const x) xs (await x)))")
    XCTAssertEqual(errors("function f() { await x }"),
                   ["1:16: 'await' is only valid in async functions and at the top level"])
    XCTAssertEqual(errors("async function f() { return () => await 1 }"),
                   ["1:35: 'await' is only valid in async functions and at the top level"])
  }

  // MARK: - Positions

  func testRanges() {
    let r = Parser.parse(SourceFile(name: "t", text: "let a = 1\n  foo.bar(x)"))
    XCTAssertEqual(r.program.body.count, 2)
    let s = r.program.body[1]
    XCTAssertEqual(s.range.start.line, 2)
    XCTAssertEqual(s.range.start.column, 3)
    guard case .expression(let call) = s.kind, case .call(let callee, _, _) = call.kind else {
      return XCTFail("not a call")
    }
    XCTAssertEqual(call.range.start.column, 3)
    XCTAssertEqual(call.range.end.column, 13)
    XCTAssertEqual(callee.range.end.column, 10)
  }

  func testUnicodeColumns() {
    XCTAssertEqual(errors("'é😀' + )"), ["1:8: expected expression, found ')'"])
  }

  // MARK: - More edge cases

  func testMoreEdgeCases() {
    check("x = [1, , 3,]", "(= x (array 1 _ 3))")
    check("x = [,]", "(= x (array _))")
    check("({a: 1})", "(object (: a 1))")
    check("{a: 1}", "(block (label a 1))")
    check("a = b ? c : d => e", "(= a (? b c (arrow (d) => e)))")
    check("f(a)(b)", "(call (call f a) b)")
    check("(function () {})()", "(call (function ()))")
    check("(() => 1)()", "(call (arrow () => 1))")
    check("new (f())()", "(new (call f))")
    check("typeof typeof x", "(typeof (typeof x))")
    check("- -x", "(- (- x))")
    check("a - -1", "(- a (- 1))")
    check("x = y = z => z", "(= x (= y (arrow (z) => z)))")
    check("async\nfunction f() {}", "async (function f ())")
    check("let async = 1; async = 2", "(let (= async 1)) (= async 2)")
    check("of = 1; for (of of of) {}", "(= of 1) (for-of of of (block))")
    check("a.b?.c.d?.()", "(chain (call?. (. (?. (. a b) c) d)))")
    check("x = {get: 1, set: 2, static: 3, async: 4, of: 5}",
          "(= x (object (: get 1) (: set 2) (: static 3) (: async 4) (: of 5)))")
    check("class A { static async m() {} }",
          "(class A (static method m (async function m ())))")
    check("class A { 'quoted'() {} 42() {} static() {} get() {} }",
          "(class A (method quoted (function quoted ())) (method 42 (function 42 ())) (method static (function static ())) (method get (function get ())))")
    check("class A { x = () => this.y; }",
          "(class A (field x (arrow () => (. this y))))")
    check("label: { break label }", "(label label (block (break label)))")
    check("if (a) function f() {}", "(if a (function f ()))")
    check("x = a in b", "(= x (in a b))")
    check("for (const k in {a: 1}) {}", "(for-in (const k) (object (: a 1)) (block))")
    check("for (x = 0; ;) {}",
          "(for (= x 0) _ _ (block))")
    check("for ([a, b] of c) {}", "(for-of [a b] c (block))")
    check("for ({a = 1} of c) {}", "(for-of {(= a 1)} c (block))")
    check("a ?? (b || c)", "(?? a (|| b c))")
    check("x = (1, 2)", "(= x (, 1 2))")
    check("x = `a${b}${c}`", "(= x (template \"a\" b \"\" c \"\"))")
    check("do x(); while (y)\nz()", "(do (call x) y) (call z)")
    check("var a, b = 2, [c] = d", "(var a (= b 2) (= [c] d))")
    check("function f(a, b,) {}", "(function f (a b))")
    check("f(...a, ...b)", "(call f (... a) (... b))")
    check("x = {...a, ...b}", "(= x (object (... a) (... b)))")
    check("({...rest} = o)", "(= {(... rest)} o)")
    check("[...[a, b]] = c", "(= [(... [a b])] c)")
    check("a\n?.b", "(chain (?. a b))")
    check("x = a ? b\n: c", "(= x (? a b c))")
    check("yieldish = 1", "(= yieldish 1)")
  }

  func testStrayCloserRecoversInsideBlock() {
    XCTAssertEqual(errors("function f() { a )\n b = 1 }\nc = 2"),
                   ["1:17: expected ';' after expression, found ')'"])
    let r = Parser.parse(SourceFile(name: "t", text: "function f() { a )\n b = 1 }\nc = 2"))
    XCTAssertEqual(ASTPrinter.program(r.program), "(function f () (= b 1)) (= c 2)")
  }

  func testLargeFileParses() {
    var src = ""
    let chunk = """
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: 'relu' })] })
      async function train(xs, { epochs = 10 } = {}) {
        for (let e = 0; e < epochs; e++) {
          const h = await model.fit(xs, ys, { epochs: 1 })
          if (h.history.loss[0] < 0.01) break
        }
        return `done ${epochs}`
      }

      """
    while src.utf8.count < 200_000 { src += chunk }
    let r = Parser.parse(SourceFile(name: "big", text: src))
    XCTAssertEqual(r.diagnostics.count, 0)
    XCTAssertGreaterThan(r.program.body.count, 1000)
  }
}
