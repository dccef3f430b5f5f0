import ScriptCore
import XCTest

@testable import tl

/// Which word is completed and what it belongs to: no interpreter needed.
final class CompletionAnalysisTests: XCTestCase {
  func testWordAtStartIsGlobal() {
    XCTAssertEqual(
      Completer.analyze("const x = co"), CompletionRequest(receiver: nil, prefix: "co", start: 10))
    XCTAssertEqual(Completer.analyze(""), CompletionRequest(receiver: nil, prefix: "", start: 0))
  }

  func testMemberOfPath() {
    XCTAssertEqual(
      Completer.analyze("console.l"),
      CompletionRequest(receiver: .path(["console"]), prefix: "l", start: 8))
    XCTAssertEqual(
      Completer.analyze("x = tf.layers.de"),
      CompletionRequest(receiver: .path(["tf", "layers"]), prefix: "de", start: 14))
    XCTAssertEqual(
      Completer.analyze("a?.b."),
      CompletionRequest(receiver: .path(["a", "b"]), prefix: "", start: 5))
  }

  func testLiteralIndexStepsArePartOfThePath() {
    XCTAssertEqual(
      Completer.analyze("o['k'][0].x"),
      CompletionRequest(receiver: .path(["o", "k", "0"]), prefix: "x", start: 10))
  }

  func testArrayAndStringLiterals() {
    XCTAssertEqual(
      Completer.analyze("[1].ma"),
      CompletionRequest(receiver: .arrayLiteral, prefix: "ma", start: 4))
    XCTAssertEqual(
      Completer.analyze("f([1, [2]].fl"),
      CompletionRequest(receiver: .arrayLiteral, prefix: "fl", start: 11))
    XCTAssertEqual(
      Completer.analyze("'a.b'.sp"),
      CompletionRequest(receiver: .stringLiteral, prefix: "sp", start: 6))
  }

  func testNothingToCompleteWhereEvaluationWouldBeNeeded() {
    XCTAssertNil(Completer.analyze("f()."))  // a call: never run for completion
    XCTAssertNil(Completer.analyze("a[i].x"))  // a computed index
    XCTAssertNil(Completer.analyze("1.5"))  // a number
    XCTAssertNil(Completer.analyze("'console.l"))  // inside a string
    XCTAssertNil(Completer.analyze("x // console.l"))  // inside a comment
    XCTAssertNil(Completer.analyze("[...a"))  // spread is not a member access
  }

  func testDotCommandsAtTheStartOfTheInput() {
    XCTAssertEqual(
      Completer.completeDotCommand(".e"),
      CompletionResult(start: 1, candidates: ["editor", "exit"]))
    XCTAssertEqual(Completer.completeDotCommand("  .he")?.candidates, ["help"])
    XCTAssertNil(Completer.completeDotCommand("x.e"))
    XCTAssertNil(Completer.completeDotCommand(".5"))
  }

  func testCommonPrefix() {
    XCTAssertEqual(Completer.commonPrefix(["console.log", "console.table"]), "console.")
    XCTAssertEqual(Completer.commonPrefix(["map"]), "map")
    XCTAssertEqual(Completer.commonPrefix([]), "")
  }
}

/// Candidates from a live interpreter, as the REPL offers them.
final class CompletionCandidateTests: XCTestCase {
  private func complete(_ text: String, in engine: InterpreterEngine) -> [String] {
    Completer.complete(text, source: engine.completionSource)?.candidates ?? []
  }

  func testConsoleMembers() {
    let engine = InterpreterEngine(output: NullSink())
    let names = complete("console.l", in: engine)
    XCTAssertTrue(names.contains("log"), "\(names)")
    XCTAssertTrue(names.allSatisfy { $0.hasPrefix("l") }, "\(names)")
    XCTAssertFalse(names.contains("error"))
  }

  func testMathMembersIncludeConstantsAndFunctions() {
    let engine = InterpreterEngine(output: NullSink())
    let names = complete("Math.", in: engine)
    for name in ["PI", "E", "abs", "max", "sqrt", "random"] {
      XCTAssertTrue(names.contains(name), "missing \(name) in \(names)")
    }
    XCTAssertEqual(names, names.sorted())
  }

  func testArrayLiteralMembers() {
    let engine = InterpreterEngine(output: NullSink())
    let names = complete("[1].ma", in: engine)
    XCTAssertEqual(names, ["map"])
    XCTAssertTrue(complete("[1].", in: engine).contains("length"))
  }

  func testTFNamespaceMembers() {
    let engine = InterpreterEngine(output: NullSink())
    let names = complete("tf.tensor", in: engine)
    XCTAssertTrue(names.contains("tensor") && names.contains("tensor2d"), "\(names)")
    XCTAssertTrue(complete("tf.", in: engine).contains("tidy"))
  }

  func testGlobalsAndKeywords() {
    let engine = InterpreterEngine(output: NullSink())
    let names = complete("con", in: engine)
    XCTAssertTrue(names.contains("console"), "\(names)")
    XCTAssertTrue(names.contains("const"), "\(names)")
    XCTAssertTrue(names.contains("continue"), "\(names)")
  }

  func testGettersAreNotRun() {
    let engine = InterpreterEngine(output: NullSink())
    let realm = engine.interpreter.realm
    var getterRuns = 0
    let holder = realm.newObject()
    let getter = realm.newFunction("get inner", arity: 0) { _ in
      getterRuns += 1
      return .object(realm.newObject())
    }
    holder.defineOwn("inner", Property(getter: getter, setter: nil))
    holder.put("plain", .object(realm.newArray()))
    realm.globalObject.put("holder", .object(holder))

    XCTAssertEqual(complete("holder.in", in: engine), ["inner"])
    XCTAssertEqual(complete("holder.inner.x", in: engine), [])
    XCTAssertEqual(getterRuns, 0)
    XCTAssertTrue(complete("holder.plain.pu", in: engine).contains("push"))
  }

  func testUnknownReceiverOffersNothing() {
    let engine = InterpreterEngine(output: NullSink())
    XCTAssertEqual(complete("nosuchthing.a", in: engine), [])
    XCTAssertNil(Completer.complete("f().a", source: engine.completionSource))
  }
}

/// An output sink that drops everything.
final class NullSink: OutputSink {
  func write(_ text: String, to stream: ScriptCore.OutputStream) {}
}

/// An output sink that keeps everything, stdout and stderr together.
final class BufferSink: OutputSink {
  var text = ""
  func write(_ text: String, to stream: ScriptCore.OutputStream) { self.text += text }
}

/// Completion runs on every TAB over whatever is on the line: it must never trap.
final class CompletionRobustnessTests: XCTestCase {
  final class AnySource: CompletionSource {
    func globalNames() -> [String] { ["a", "ab", "é"] }
    func memberNames(of receiver: CompletionReceiver) -> [String]? { ["x", "y", "0", "a-b"] }
  }

  func testRandomLinesNeverTrap() {
    let alphabet = Array("ab1 .?[](){}'\"`\\/*+-=,;:é☃$_\t".unicodeScalars)
    var generator = SystemRandomNumberGenerator()
    let source = AnySource()
    for _ in 0..<5_000 {
      let length = Int.random(in: 0...16, using: &generator)
      var text = String.UnicodeScalarView()
      for _ in 0..<length {
        text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
      }
      let line = String(text)
      if let result = Completer.complete(line, source: source) {
        XCTAssertLessThanOrEqual(result.start, line.unicodeScalars.count, line)
        XCTAssertTrue(result.candidates.allSatisfy(Completer.isIdentifier), line)
      }
      _ = DotCommand.parse(line)
    }
  }
}
