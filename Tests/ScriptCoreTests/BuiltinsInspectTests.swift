import XCTest
@testable import ScriptCore

/// console.log / util.inspect layout, compared with Node 20's output.
final class BuiltinsInspectTests: XCTestCase {
  func testPrimitivesAndTopLevelStrings() throws {
    let js = JS()
    XCTAssertEqual(try js.log("hi", 1, .bool(true), .undefined, .null), "hi 1 true undefined null")
    XCTAssertEqual(try js.log(js.array(["hi"])), "[ 'hi' ]")
    XCTAssertEqual(js.show("it's"), "\"it's\"")
    XCTAssertEqual(js.show("a'b\"c"), "`a'b\"c`")
    XCTAssertEqual(js.show("a\nb\\"), "'a\\nb\\\\'")
    XCTAssertEqual(try js.log(), "")
  }

  func testArraysAndObjects() throws {
    let js = JS()
    XCTAssertEqual(js.show(js.array([1, 2, 3])), "[ 1, 2, 3 ]")
    XCTAssertEqual(js.show(js.object(["a": 1, "b": "x"])), "{ a: 1, b: 'x' }")
    XCTAssertEqual(js.show(js.array([])), "[]")
    XCTAssertEqual(js.show(js.object([:])), "{}")
    XCTAssertEqual(js.show(js.object(["a-b": 1, "_ok1": 2, "3": 3])), "{ '3': 3, 'a-b': 1, _ok1: 2 }")
    let deep = js.object(["a": js.object(["b": js.object(["c": js.object(["d": 1])])])])
    XCTAssertEqual(js.show(deep), "{ a: { b: { c: [Object] } } }")
    let deepArray = js.array([js.array([js.array([js.array([1])])])])
    XCTAssertEqual(js.show(deepArray), "[ [ [ [Array] ] ] ]")
    XCTAssertEqual(js.show(js.object(["a": js.object(["b": js.object(["c": js.object([:])])])])), "{ a: { b: { c: {} } } }")
  }

  func testLongObjectsBreakLines() {
    let js = JS()
    let x = String(repeating: "x", count: 60)
    let y = String(repeating: "y", count: 60)
    let o = js.object(["a": .string(x), "b": .string(y)])
    XCTAssertEqual(js.show(o), "{\n  a: '\(x)',\n  b: '\(y)'\n}")
    let nested = js.object(["outer": o])
    XCTAssertEqual(js.show(nested), "{\n  outer: {\n    a: '\(x)',\n    b: '\(y)'\n  }\n}")
  }

  func testNumberArraysAreGroupedInColumns() {
    let js = JS()
    let hundred = js.array((0..<100).map { .number(Double($0)) })
    let lines = js.show(hundred).split(separator: "\n")
    XCTAssertEqual(lines.first, "[")
    XCTAssertEqual(lines[1], "   0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11,")
    XCTAssertEqual(lines[2], "  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,")
    XCTAssertEqual(lines[lines.count - 2], "  96, 97, 98, 99")
    XCTAssertEqual(lines.last, "]")
    let many = js.array((0..<101).map { _ in .number(1) })
    XCTAssertTrue(js.show(many).hasSuffix("... 1 more item\n]"))
    let seven = js.array((1...7).map { .number(Double($0)) })
    XCTAssertEqual(js.show(seven), "[\n  1, 2, 3, 4,\n  5, 6, 7\n]")
    XCTAssertEqual(js.show(js.array((1...6).map { .number(Double($0)) })), "[ 1, 2, 3, 4, 5, 6 ]")
  }

  func testMapsSetsAndCircular() throws {
    let js = JS()
    let m = try js.new("Map")
    try js.method(m, "set", "a", 1)
    try js.method(m, "set", "b", 2)
    XCTAssertEqual(js.show(m), "Map(2) { 'a' => 1, 'b' => 2 }")
    let s = try js.new("Set", js.array([1, 1, 2]))
    XCTAssertEqual(js.show(s), "Set(2) { 1, 2 }")
    XCTAssertEqual(js.show(try js.new("Map")), "Map(0) {}")
    let o = js.object(["name": "x"])
    o.asObject?.put("self", o)
    XCTAssertEqual(js.show(o), "<ref *1> { name: 'x', self: [Circular *1] }")
  }

  func testFunctionsClassesAndInstances() throws {
    let js = JS()
    XCTAssertEqual(js.show(js.function("f") { _ in .undefined }), "[Function: f]")
    XCTAssertEqual(js.show(js.function { _ in .undefined }), "[Function (anonymous)]")
    XCTAssertEqual(js.show(js.global("Math.max")), "[Function: max]")
    // A class-like constructor: instances show their constructor's name.
    let proto = js.realm.newObject()
    let ctor = js.realm.newFunction("Point", arity: 2) { _ in .undefined }
    proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))
    let p = JSObject(prototype: proto)
    p.put("x", 1)
    p.put("y", 2)
    XCTAssertEqual(js.show(.object(p)), "Point { x: 1, y: 2 }")
    XCTAssertEqual(js.show(.object(JSObject(prototype: proto))), "Point {}")
    XCTAssertEqual(js.show(.object(JSObject(prototype: nil))), "[Object: null prototype] {}")
  }

  func testGettersErrorsDatesAndBoxes() throws {
    let js = JS()
    let o = js.realm.newObject()
    o.defineOwn("a", Property(getter: js.realm.newFunction("a", arity: 0) { _ in 1 }, setter: nil, enumerable: true))
    XCTAssertEqual(js.show(.object(o)), "{ a: [Getter] }")
    let e = JSObject(prototype: js.realm.errorPrototypes[.typeError])
    e.defineOwn("stack", Property("TypeError: boom\n    at f (a.js:1:1)", enumerable: false))
    XCTAssertEqual(js.show(.object(e)), "TypeError: boom\n    at f (a.js:1:1)")
    XCTAssertEqual(js.show(js.array([.object(e)])), "[\n  TypeError: boom\n      at f (a.js:1:1)\n]")
    let d = try js.new("Date", .number(0))
    XCTAssertEqual(js.show(d), "1970-01-01T00:00:00.000Z")
    XCTAssertEqual(js.show(try js.new("Number", 5)), "[Number: 5]")
    XCTAssertEqual(js.show(try js.new("String", "ab")), "[String: 'ab']")
  }

  func testFormatSubstitutions() throws {
    let js = JS()
    XCTAssertEqual(try js.log("%s is %d years", "Bob", 42), "Bob is 42 years")
    XCTAssertEqual(try js.log("%i|%f|%j", 42.9, "1.5x", js.object(["a": 1])), "42|1.5|{\"a\":1}")
    XCTAssertEqual(try js.log("%o"), "%o")
    XCTAssertEqual(try js.log("100%%"), "100%%")
    XCTAssertEqual(try js.log("100%% %s", "sure"), "100% sure")
    XCTAssertEqual(try js.log("%s", .number(-0.0)), "-0")
    XCTAssertEqual(try js.log("a", js.object(["b": 1]), "c"), "a { b: 1 } c")
    XCTAssertEqual(try js.log("%O and", js.array([1])), "[ 1 ] and")
    XCTAssertEqual(try js.log("%d", "abc"), "NaN")
  }

  func testColorsForTheREPL() {
    let js = JS()
    XCTAssertEqual(js.interp.inspect(1, colors: true), "\u{1B}[33m1\u{1B}[39m")
    XCTAssertEqual(js.interp.inspect("s", colors: true), "\u{1B}[32m's'\u{1B}[39m")
    XCTAssertEqual(js.interp.inspect(.undefined, colors: true), "\u{1B}[90mundefined\u{1B}[39m")
    XCTAssertEqual(js.interp.inspect(js.array([1]), colors: true), "[ \u{1B}[33m1\u{1B}[39m ]")
  }

  func testConsoleStreamsAndTable() throws {
    let js = JS()
    try js.call("console.error", "bad", 1)
    try js.call("console.warn", "careful")
    XCTAssertEqual(js.sink.stderr, "bad 1\ncareful\n")
    try js.call("console.assert", .bool(false), "x is %d", 3)
    XCTAssertTrue(js.sink.stderr.hasSuffix("Assertion failed: x is 3\n"))
    js.sink.stdout = ""
    try js.call("console.table", js.array([js.object(["a": 1, "b": "x"]), js.object(["a": 2, "b": "y"])]))
    XCTAssertEqual(js.sink.stdout, """
      ┌─────────┬───┬─────┐
      │ (index) │ a │  b  │
      ├─────────┼───┼─────┤
      │    0    │ 1 │ 'x' │
      │    1    │ 2 │ 'y' │
      └─────────┴───┴─────┘

      """)
    js.sink.stdout = ""
    try js.call("console.group", "G")
    try js.call("console.log", "inner")
    try js.call("console.groupEnd")
    try js.call("console.count")
    try js.call("console.count")
    XCTAssertEqual(js.sink.stdout, "G\n  inner\ndefault: 1\ndefault: 2\n")
  }

  func testNarrowBreakLength() {
    let js = JS()
    let o = js.object(["alpha": "aaaaaaaaaaaaaaaaaaaa", "beta": "bbbbbbbbbbbbbbbbbbbb"])
    XCTAssertEqual(js.interp.inspect(o, colors: false, breakLength: 128), "{ alpha: 'aaaaaaaaaaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbbbbbbbb' }")
    XCTAssertEqual(js.interp.inspect(o, colors: false, breakLength: 40), "{\n  alpha: 'aaaaaaaaaaaaaaaaaaaa',\n  beta: 'bbbbbbbbbbbbbbbbbbbb'\n}")
  }

  func testLongStringsAreCut() {
    let js = JS()
    let long = String(repeating: "x", count: 10_005)
    XCTAssertEqual(js.show(js.array([.string(long)])), "[\n  '\(String(repeating: "x", count: 10_000))'... 5 more characters\n]")
    XCTAssertEqual(try js.log(.string(long)).count, 10_005)
  }

  /// Host objects such as tensors print themselves.
  func testHostInspectHook() {
    final class Host: JSObject {
      override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? { "Tensor\n  [1, 2]" }
    }
    let js = JS()
    XCTAssertEqual(js.show(.object(Host(prototype: js.realm.objectPrototype))), "Tensor\n  [1, 2]")
  }
}
