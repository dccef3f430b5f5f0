import XCTest
@testable import ScriptCore

/// The embedding hooks the builtins give hosts: seeding, argv, process.exit, output streams.
final class BuiltinsHostAPITests: XCTestCase {
  func testSeededRandomIsReproducible() throws {
    let a = JS()
    let b = JS()
    Builtins.seedRandom(42, in: a.interp)
    Builtins.seedRandom(42, in: b.interp)
    let xs = try (0..<5).map { _ in try a.call("Math.random").asNumber ?? -1 }
    let ys = try (0..<5).map { _ in try b.call("Math.random").asNumber ?? -1 }
    XCTAssertEqual(xs, ys)
    XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 < 1 })
    XCTAssertEqual(Set(xs).count, 5)
    Builtins.seedRandom(43, in: b.interp)
    XCTAssertNotEqual(try b.call("Math.random").asNumber, xs[0])
  }

  func testArgvAndExit() throws {
    let js = JS()
    Builtins.setArguments(["tl", "script.tl", "--fast"], in: js.interp)
    XCTAssertEqual(js.show(js.global("process.argv")), "[ 'tl', 'script.tl', '--fast' ]")
    XCTAssertThrowsError(try js.call("process.exit", 3)) { error in
      XCTAssertEqual((error as? ProcessExit)?.code, 3)
    }
    let sink = BuiltinsTestSink()
    let interp = Interpreter(output: sink)
    guard case .exited(let code) = interp.run(source: "console.log('x'); process.exit(4); console.log('y')", file: "e.tl") else {
      return XCTFail("expected exit")
    }
    XCTAssertEqual(code, 4)
    XCTAssertEqual(sink.stdout, "x\n")
  }

  func testStreams() throws {
    let js = JS()
    try js.call("process.stdout.write", "a")
    try js.call("process.stderr.write", "b")
    try js.call("console.info", "c")
    try js.call("console.trace", "d")
    XCTAssertEqual(js.sink.stdout, "ac\n")
    XCTAssertEqual(js.sink.stderr, "bTrace: d\n")
    let sink = BuiltinsTestSink()
    _ = Interpreter(output: sink).run(source: "function inner() { console.trace('here', 1); }\nfunction outer() { inner(); }\nouter();", file: "t.tl")
    XCTAssertEqual(sink.stderr, "Trace: here 1\n    at inner (t.tl:1:28)\n    at outer (t.tl:2:20)\n    at t.tl:3:1\n")
  }
}
