import ScriptCore
import XCTest

@testable import tl

/// The REPL session over the real interpreter, fed lines without a terminal.
final class REPLEngineTests: XCTestCase {
  /// Runs `lines` through a session; returns what the REPL and the script printed.
  private func transcript(_ lines: [String], idle: [Int: Double] = [:]) -> String {
    let sink = BufferSink()
    let engine = InterpreterEngine(output: sink)
    let reader = ScriptedReader(lines.map { .line($0) })
    reader.idleBeforeRead = idle
    let session = REPLSession(
      engine: engine, reader: reader, historyFile: nil, colors: false,
      write: { sink.text += $0 })
    XCTAssertEqual(session.run(), 0)
    return sink.text
  }

  func testEchoesValuesAndUndefinedForStatements() {
    XCTAssertEqual(
      transcript(["1 + 1", "let o = { a: 1, b: 'x' }", "o", "'str'", "console.log('hi')"]),
      "2\nundefined\n{ a: 1, b: 'x' }\n'str'\nhi\nundefined\n")
  }

  func testDeclarationsPersistAndUnderscoreHoldsTheLastValue() {
    XCTAssertEqual(
      transcript(["const xs = [1, 2, 3]", "xs.length * 10", "_ + 1"]),
      "undefined\n30\n31\n")
  }

  func testMultiLineFunctionThenCall() {
    XCTAssertEqual(
      transcript(["function sq(x) {", "  return x * x", "}", "sq(12)"]), "undefined\n144\n")
  }

  func testBraceInputIsAnObjectWhenItCanBe() {
    // A block stays a block (`let` cannot be in an object); `;` keeps the label reading.
    XCTAssertEqual(
      transcript(["{a: 1, b: [2]}", "{}", "{ let z = 3 }", "{a: 1};"]),
      "{ a: 1, b: [ 2 ] }\n{}\nundefined\n1\n")
  }

  func testBlocksEchoTheirCompletionValue() {
    XCTAssertEqual(
      transcript(["{ let z = 3; z }", "if (true) { 5 }", "for (const c of 'ab') { c + c }"]),
      "3\n5\n'bb'\n")
  }

  func testTopLevelAwait() {
    XCTAssertEqual(
      transcript(["await new Promise(resolve => setTimeout(() => resolve(42), 1))"]), "42\n")
  }

  // MARK: - Timers keep running at the prompt, as in Node's REPL

  func testTheEchoComesBeforeTheTimer() {
    // Read 2 (the prompt after the entry) waits long enough for the timer.
    XCTAssertEqual(
      transcript(["setTimeout(() => console.log('later'), 50); 5"], idle: [2: 400]),
      "5\nlater\n")
  }

  func testTimersDoNotFireWhileNobodyWaits() {
    // Without idle time at the prompt the entry's timer has not fired by the end.
    XCTAssertEqual(transcript(["setTimeout(() => console.log('later'), 200); 5"]), "5\n")
  }

  func testIntervalLogsBetweenEntriesAndClearsItself() {
    let out = transcript(
      [
        "let n = 0; const h = setInterval(() => { console.log('tick', ++n); if (n === 3) clearInterval(h) }, 20)",
        "n * 10",
      ], idle: [2: 500])
    XCTAssertEqual(out, "undefined\ntick 1\ntick 2\ntick 3\n30\n")
  }

  func testClearStopsTimers() {
    let out = transcript(
      ["setInterval(() => console.log('x'), 30); 1", ".clear", "2"], idle: [3: 200])
    XCTAssertEqual(out, "1\nClearing context...\n2\n")
  }

  func testTimerErrorsAndExitAtThePrompt() {
    let sink = BufferSink()
    let engine = InterpreterEngine(output: sink)
    let reader = ScriptedReader([
      .line("setTimeout(() => { throw new Error('boom') }, 10); setTimeout(() => process.exit(4), 60)"),
      .line("'never read'"),
    ])
    reader.idleBeforeRead = [2: 1000]
    let session = REPLSession(
      engine: engine, reader: reader, historyFile: nil, colors: false, write: { sink.text += $0 })
    XCTAssertEqual(session.run(), 4)
    XCTAssertTrue(sink.text.contains("Uncaught Error: boom\n"), sink.text)
    XCTAssertFalse(sink.text.contains("never read"), sink.text)
  }

  func testErrorsPrintAndTheSessionGoesOn() {
    let out = transcript(["nope()", "let y = 2", "y * 2"])
    XCTAssertTrue(out.hasPrefix("Uncaught ReferenceError: nope is not defined\n"), out)
    XCTAssertTrue(out.hasSuffix("undefined\n4\n"), out)
  }

  func testSyntaxErrorIsRenderedWithACaret() {
    let out = transcript(["let let = 1", "3"])
    XCTAssertTrue(out.hasPrefix("<repl>:1:5: error: "), out)
    XCTAssertTrue(out.contains("  1 | let let = 1\n"), out)
    XCTAssertTrue(out.hasSuffix("3\n"), out)
  }

  func testClearForgetsDeclarations() {
    let out = transcript(["const kept = 1", ".clear", "typeof kept"])
    XCTAssertEqual(out, "undefined\nClearing context...\n'undefined'\n")
  }

  func testCompletionSeesREPLBindings() {
    let engine = InterpreterEngine(output: NullSink())
    _ = engine.evaluateEntry("const model = { layers: [], summary() {} }", colors: false)
    XCTAssertEqual(
      Completer.complete("model.s", source: engine.completionSource)?.candidates, ["summary"])
    XCTAssertTrue(
      Completer.complete("mod", source: engine.completionSource)?.candidates.contains("model")
        ?? false)
  }

  func testCompletionOfATensorsMethods() {
    let engine = InterpreterEngine(output: NullSink())
    _ = engine.evaluateEntry("const t = tf.tensor([1, 2, 3])", colors: false)
    let names = Completer.complete("t.su", source: engine.completionSource)?.candidates ?? []
    XCTAssertTrue(names.contains("sum"), "\(names)")
    XCTAssertTrue(names.contains("sub"), "\(names)")
  }

  func testColouredEchoOnlyWhenAsked() {
    let engine = InterpreterEngine(output: NullSink())
    guard case .completed(let plain) = engine.evaluateEntry("42", colors: false),
      case .completed(let coloured) = engine.evaluateEntry("42", colors: true)
    else { return XCTFail("42 did not evaluate") }
    XCTAssertEqual(plain, "42")
    XCTAssertTrue(coloured.contains("\u{1B}[33m42"), coloured)  // numbers are yellow, as in Node
  }
}
