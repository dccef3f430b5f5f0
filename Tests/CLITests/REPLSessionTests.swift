import Foundation
import ScriptCore
import XCTest

@testable import tl

/// Lines (and Ctrl-C / Ctrl-D) from a list, as if typed.
final class ScriptedReader: LineReader {
  var inputs: [LineInput]
  var prompts: [String] = []
  var history: [String] = []
  /// How many of the next reads see "more input already waiting" (a paste).
  var pendingAfterReads: Set<Int> = []
  /// Milliseconds to sit at the prompt before read N (1-based) returns,
  /// firing due background work meanwhile as the line editor does.
  var idleBeforeRead: [Int: Double] = [:]
  var background: BackgroundWork?
  private var reads = 0

  init(_ inputs: [LineInput]) { self.inputs = inputs }

  func readLine(prompt: String) -> LineInput {
    prompts.append(prompt)
    reads += 1
    if let idle = idleBeforeRead[reads], !self.idle(milliseconds: idle) { return .endOfInput }
    return inputs.isEmpty ? .endOfInput : inputs.removeFirst()
  }

  /// Waits like a user who types nothing; false when the work ended the session.
  private func idle(milliseconds: Double) -> Bool {
    let end = Date().addingTimeInterval(milliseconds / 1000)
    while let work = background, let wait = work.millisecondsUntilDue {
      let left = end.timeIntervalSinceNow * 1000
      if wait > left { break }
      if wait > 0 { Thread.sleep(forTimeInterval: wait / 1000) }
      if !work.runDue() { return false }
    }
    let left = end.timeIntervalSinceNow
    if left > 0 { Thread.sleep(forTimeInterval: left) }
    return true
  }

  func hasPendingInput() -> Bool { pendingAfterReads.contains(reads) }

  func addHistory(_ entry: String) { history.append(entry) }

  func whileRunningCode<T>(_ body: () -> T) -> T { body() }
}

/// Records what it is asked to evaluate; answers with a canned echo.
final class RecordingEngine: ScriptEngine, CompletionSource {
  var evaluated: [String] = []
  var resets = 0
  var answer: (String) -> Outcome = { .completed(echo: "echo:" + $0) }

  func runProgram(source: String, file: String, arguments: [String]) -> Outcome {
    .completed(echo: "")
  }

  func evaluateEntry(_ source: String, colors: Bool) -> Outcome {
    evaluated.append(source)
    return answer(source)
  }

  func requestInterrupt() {}
  func reset() { resets += 1 }
  var completionSource: CompletionSource { self }
  func globalNames() -> [String] { [] }
  func memberNames(of receiver: CompletionReceiver) -> [String]? { nil }
}

final class REPLSessionTests: XCTestCase {
  func session(
    _ inputs: [LineInput], engine: RecordingEngine = RecordingEngine()
  ) -> (REPLSession, ScriptedReader, RecordingEngine, () -> String) {
    let reader = ScriptedReader(inputs)
    var output = ""
    let s = REPLSession(
      engine: engine, reader: reader, historyFile: nil, colors: false, write: { output += $0 })
    return (s, reader, engine, { output })
  }

  func testIncompleteInputAsksForMoreLines() {
    let (s, reader, engine, output) = session([
      .line("function f(a) {"), .line("  return a +"), .line("    1"), .line("}"), .line("f(1)"),
    ])
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(engine.evaluated, ["function f(a) {\n  return a +\n    1\n}", "f(1)"])
    XCTAssertEqual(reader.prompts, ["> ", "... ", "... ", "... ", "> ", "> "])
    XCTAssertEqual(reader.history, engine.evaluated)
    XCTAssertTrue(output().contains("echo:f(1)\n"))
  }

  func testCompletenessFollowsTheParser() {
    for text in ["foo(", "[1,", "`abc${", "x +", "if (a)", "const a =", "{", "class A {", "() =>"] {
      XCTAssertTrue(Parser.parse(SourceFile(name: "<repl>", text: text)).isIncomplete, text)
    }
    for text in ["1 + 1", ")", "1 2", "let let = 1", "foo()"] {
      XCTAssertFalse(Parser.parse(SourceFile(name: "<repl>", text: text)).isIncomplete, text)
    }
  }

  func testPastedBlockRunsAsOneEntry() {
    let (s, reader, engine, _) = session([
      .line("const a = 1"), .line("const b = 2"), .line("a + b"),
    ])
    reader.pendingAfterReads = [1, 2]  // lines 2 and 3 were already waiting
    _ = s.run()
    XCTAssertEqual(engine.evaluated, ["const a = 1\nconst b = 2\na + b"])
  }

  func testCtrlCClearsThenHintsThenExits() {
    let (s, _, engine, output) = session([
      .line("[1,"), .interrupted(hadText: false),  // drops the open entry
      .interrupted(hadText: true),  // clears a typed line
      .interrupted(hadText: false),  // empty prompt: the hint
      .line("1"),  // any input cancels the hint
      .interrupted(hadText: false), .interrupted(hadText: false),  // hint, then exit
      .line("never read"),
    ])
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(engine.evaluated, ["1"])
    let hint = "(To exit, press Ctrl+C again or Ctrl+D or type .exit)\n"
    XCTAssertEqual(output(), hint + "echo:1\n" + hint)
  }

  func testCtrlDExitsAndDotExitExits() {
    XCTAssertEqual(session([.endOfInput, .line("1")]).0.run(), 0)
    let (s, _, engine, _) = session([.line(".exit"), .line("1")])
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(engine.evaluated, [])
  }

  func testProcessExitEndsTheSessionWithItsStatus() {
    let engine = RecordingEngine()
    engine.answer = { $0 == "process.exit(3)" ? .exit(3) : .completed(echo: "") }
    XCTAssertEqual(session([.line("process.exit(3)"), .line("1")], engine: engine).0.run(), 3)
  }

  func testErrorsPrintAndTheSessionContinues() {
    let engine = RecordingEngine()
    engine.answer = { src in
      src == "boom()"
        ? .uncaught(report: "Uncaught ReferenceError: boom is not defined") : .completed(echo: "2")
    }
    let (s, _, _, output) = session([.line("boom()"), .line("1 + 1")], engine: engine)
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(output(), "Uncaught ReferenceError: boom is not defined\n2\n")
  }

  func testSyntaxErrorsAreRendered() {
    let engine = RecordingEngine()
    let file = SourceFile(name: "<repl>", text: "1 2")
    let diagnostic = Diagnostic(
      .error, "unexpected number",
      at: SourceRange(
        SourceLocation(line: 1, column: 3, offset: 2)), file: "<repl>")
    engine.answer = { _ in .syntaxErrors([diagnostic], file) }
    let (s, _, _, output) = session([.line("1 2")], engine: engine)
    _ = s.run()
    XCTAssertTrue(output().hasPrefix("<repl>:1:3: error: unexpected number\n"), output())
  }

  func testClearResetsAndBreakDropsTheOpenEntry() {
    let (s, _, engine, output) = session([
      .line("let a = ["), .line(".break"), .line("1"), .line(".clear"), .line("2"),
    ])
    _ = s.run()
    XCTAssertEqual(engine.evaluated, ["1", "2"])
    XCTAssertEqual(engine.resets, 1)
    XCTAssertTrue(output().contains("Clearing context...\n"))
    XCTAssertEqual(s.transcript, ["2"])
  }

  func testHelpAndUnknownCommand() {
    let (s, _, _, output) = session([.line(".help"), .line(".nope")])
    _ = s.run()
    XCTAssertTrue(output().contains(".editor   Enter editor mode\n"))
    XCTAssertTrue(output().hasSuffix("Invalid REPL keyword\n"))
  }

  func testEditorModeCollectsUntilCtrlD() {
    let (s, reader, engine, _) = session([
      .line(".editor"), .line("const x = 1"), .line("x + 1"), .endOfInput,
      .line(".editor"), .line("never run"), .interrupted(hadText: false),
      .line("3"),
    ])
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(engine.evaluated, ["const x = 1\nx + 1", "3"])
    XCTAssertEqual(reader.history, [".editor", "const x = 1\nx + 1", ".editor", "3"])
  }

  func testSaveWritesTheSessionAndLoadRunsAFile() throws {
    let dir = NSTemporaryDirectory() + "tl-save-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (s, _, engine, output) = session([
      .line("const a = ["), .line("1]"), .line("a.length"), .line(".save \(dir)/s.tl"),
      .line(".load \(dir)/s.tl"), .line(".load \(dir)/missing.tl"),
    ])
    _ = s.run()
    XCTAssertEqual(
      try String(contentsOfFile: dir + "/s.tl", encoding: .utf8), "const a = [\n1]\na.length\n")
    XCTAssertEqual(engine.evaluated.last, "const a = [\n1]\na.length\n")
    XCTAssertTrue(output().contains("Session saved to: \(dir)/s.tl\n"))
    XCTAssertTrue(output().hasSuffix("Failed to load: \(dir)/missing.tl\n"))
  }

  func testSaveLeavesOutFailedEntries() throws {
    let engine = RecordingEngine()
    engine.answer = { src in
      switch src {
      case "boom()": return .uncaught(report: "Uncaught ReferenceError: boom is not defined")
      case "while (true) {}": return .interrupted
      default: return .completed(echo: "")
      }
    }
    let path = NSTemporaryDirectory() + "tl-save-\(UUID().uuidString).tl"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (s, _, _, _) = session(
      [.line("let a = 1"), .line("boom()"), .line("while (true) {}"), .line("a"),
       .line(".save \(path)")], engine: engine)
    _ = s.run()
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "let a = 1\na\n")
  }

  func testHistorySkipsImmediateRepeats() {
    let reader = ScriptedReader([.line("1"), .line("1"), .line("2"), .line("1")])
    let session = REPLSession(
      engine: RecordingEngine(), reader: reader, historyFile: nil, colors: false,
      lastHistoryEntry: "1", write: { _ in })
    _ = session.run()
    XCTAssertEqual(reader.history, ["2", "1"])
  }

  func testSaveReportsAnUnwritablePath() {
    let (s, _, _, output) = session([.line("1"), .line(".save /no/such/dir/x.tl")])
    _ = s.run()
    XCTAssertTrue(output().contains("Failed to save: /no/such/dir/x.tl"), output())
  }
}

extension REPLSessionTests {
  func testInterruptedRunIsReportedAsNodeDoes() {
    let engine = RecordingEngine()
    engine.answer = { $0 == "while (true) {}" ? .interrupted : .completed(echo: "2") }
    let (s, _, _, output) = session([.line("while (true) {}"), .line("1 + 1")], engine: engine)
    XCTAssertEqual(s.run(), 0)
    XCTAssertEqual(
      output(), "Uncaught Error: Script execution was interrupted by `SIGINT`\n2\n")
  }
}
