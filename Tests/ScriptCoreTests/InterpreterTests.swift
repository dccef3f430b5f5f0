// The embedding API: REPL entries, host modules, interrupts, globals, completions.

import Foundation
import GoldenSupport
import XCTest
@testable import ScriptCore

final class InterpreterTests: XCTestCase {
  private func make() -> (Interpreter, OutputBuffer) {
    let out = OutputBuffer()
    return (Interpreter(output: out), out)
  }

  private func value(_ r: RunResult, file: StaticString = #filePath, line: UInt = #line) -> Value? {
    if case .ok(let v) = r { return v }
    XCTFail("expected ok, got \(r)", file: file, line: line)
    return nil
  }

  func testREPLCompletionValueOfBlocks() {
    // As Node's REPL: a statement's completion value is the last value produced inside it.
    let cases: [(String, String)] = [
      ("{ let z = 3; z }", "3"),
      ("if (true) { 5 }", "5"),
      ("if (false) { 5 } else { let q = 2; q * 3 }", "6"),
      ("{ 1; { 2 } }", "2"),
      ("for (let i = 0; i < 3; i++) { i * 10 }", "20"),
      ("let w = 0; while (w < 2) { w++ }", "1"),
      ("try { 7 } finally { }", "7"),
      ("try { 7 } finally { 8 }", "7"),
      ("try { throw 1 } catch { 6 } finally { 'f' }", "6"),
      ("try { throw 1 } catch { 'caught' }", "'caught'"),
      ("switch (2) { case 2: 'two'; break; default: 'other' }", "'two'"),
      ("{ let z = 3 }", "undefined"),
      ("9; if (false) { 1 }", "undefined"),
      ("8; { }", "8"),
    ]
    for (source, want) in cases {
      let (interp, _) = make()
      guard case .ok(let v) = interp.evaluateREPL(source) else {
        XCTFail("\(source) did not run")
        continue
      }
      XCTAssertEqual(interp.inspect(v, colors: false), want, source)
    }
  }

  func testREPLCompletionValueAndPersistence() throws {
    let (interp, _) = make()
    XCTAssertEqual(value(interp.evaluateREPL("1 + 2"))?.asNumber, 3)
    XCTAssertEqual(value(interp.evaluateREPL("_ * 2"))?.asNumber, 6)
    _ = interp.evaluateREPL("let x = 10")
    _ = interp.evaluateREPL("const f = (n) => n + x")
    XCTAssertEqual(value(interp.evaluateREPL("f(1)"))?.asNumber, 11)
    // Redeclaring a let or const is allowed at the REPL, and closures see the new value.
    _ = interp.evaluateREPL("let x = 20")
    XCTAssertEqual(value(interp.evaluateREPL("f(1)"))?.asNumber, 21)
    _ = interp.evaluateREPL("const k = 1")
    guard case .uncaught(_, let text) = interp.evaluateREPL("k = 2") else { return XCTFail("const assignment ran") }
    XCTAssertTrue(text.hasPrefix("Uncaught TypeError: Assignment to constant variable."), text)
    XCTAssertEqual(value(interp.evaluateREPL("const k = 3; k"))?.asNumber, 3)
    XCTAssertEqual(value(interp.evaluateREPL("function sq(a) { return a * a }; sq(4)"))?.asNumber, 16)
    XCTAssertEqual(value(interp.evaluateREPL("sq(5)"))?.asNumber, 25)
    XCTAssertEqual(value(interp.evaluateREPL("class P { get v() { return 7 } }; new P().v"))?.asNumber, 7)
    XCTAssertEqual(value(interp.evaluateREPL("if (true) { 'yes' } else { 'no' }"))?.asString, "yes")
    XCTAssertTrue(value(interp.evaluateREPL("let y = 5"))?.isUndefined ?? false)
    XCTAssertEqual(value(interp.evaluateREPL("implicit = 9; implicit + 1"))?.asNumber, 10)
  }

  func testREPLBindingDeclaredAfterAFunctionThatUsesIt() {
    let (interp, _) = make()
    _ = interp.evaluateREPL("function useLater() { return typeof laterThing === 'undefined' ? 'none' : laterThing }")
    XCTAssertEqual(value(interp.evaluateREPL("useLater()"))?.asString, "none")
    _ = interp.evaluateREPL("let laterThing = 'now'")
    XCTAssertEqual(value(interp.evaluateREPL("useLater()"))?.asString, "now")
    _ = interp.evaluateREPL("laterThing = 'changed'")
    XCTAssertEqual(value(interp.evaluateREPL("useLater()"))?.asString, "changed")
  }

  func testREPLTopLevelAwaitAndErrors() {
    let (interp, out) = make()
    let r = interp.evaluateREPL("await new Promise(r => setTimeout(() => r(42), 5))")
    XCTAssertEqual(value(r)?.asNumber, 42)
    _ = interp.evaluateREPL("const later = await Promise.resolve('p')")
    XCTAssertEqual(value(interp.evaluateREPL("later"))?.asString, "p")
    guard case .uncaught(_, let text) = interp.evaluateREPL("nope()") else { return XCTFail("no error") }
    XCTAssertTrue(text.hasPrefix("Uncaught ReferenceError: nope is not defined"), text)
    _ = interp.evaluateREPL("console.log('printed')")
    XCTAssertEqual(out.stdout, "printed\n")
    guard case .syntaxErrors(let d) = interp.evaluateREPL("let = ;") else { return XCTFail("parsed") }
    XCTAssertFalse(d.isEmpty)
  }

  func testBuiltinModulesAreLazyAndCached() {
    let (interp, out) = make()
    var loads = 0
    interp.registerModule("@tensorflow/tfjs-node") { interp in
      loads += 1
      let tf = interp.realm.newObject()
      tf.put("version", .string("4.0"))
      tf.put("add", .object(interp.realm.newFunction("add", arity: 2) { call in
        .number(try call.arguments.number(0, name: "a") + call.arguments.number(1, name: "b"))
      }))
      return .object(tf)
    }
    XCTAssertEqual(loads, 0)
    let r = interp.run(source: """
      import tf from '@tensorflow/tfjs-node'
      import * as tf2 from '@tensorflow/tfjs-node'
      import { add } from '@tensorflow/tfjs-node'
      const tf3 = require('@tensorflow/tfjs-node')
      console.log(tf.version, tf === tf2, tf === tf3, add(2, 3))
      """, file: "main.tl")
    XCTAssertEqual(value(r)?.isUndefined, true)
    XCTAssertEqual(out.stdout, "4.0 true true 5\n")
    XCTAssertEqual(loads, 1)
  }

  func testSourceModules() {
    let (interp, out) = make()
    interp.registerSourceModule("knn", source: """
      export function create(k) { return { k, classify: (x) => x * k } }
      export default 'knn-default'
      """)
    _ = interp.run(source: """
      import name, { create } from 'knn'
      console.log(name, create(3).classify(2))
      """, file: "app.tl")
    XCTAssertEqual(out.stdout, "knn-default 6\n")
  }

  func testMissingModuleNamesImporterAndLine() {
    let (interp, _) = make()
    let r = interp.run(source: "\n\nconst m = require('nothing-here')", file: "main.tl")
    guard case .uncaught(_, let text) = r else { return XCTFail("no error: \(r)") }
    XCTAssertTrue(text.hasPrefix("Error: Cannot find module 'nothing-here' imported from main.tl:3"), text)
  }

  func testInterruptStopsInfiniteLoop() {
    let (interp, _) = make()
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interp.requestInterrupt() }
    let start = Date()
    let r = interp.run(source: "let i = 0; while (true) { i++ }", file: "loop.tl")
    guard case .interrupted = r else { return XCTFail("expected interrupted, got \(r)") }
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    // The interpreter is usable again afterwards.
    XCTAssertEqual(value(interp.evaluateREPL("1 + 1"))?.asNumber, 2)
  }

  func testInterruptDuringPendingTimerAndAwait() {
    let (interp, _) = make()
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interp.requestInterrupt() }
    let r = interp.run(source: """
      async function f() { await new Promise(r => setTimeout(r, 60000)) }
      f()
      """, file: "wait.tl")
    guard case .interrupted = r else { return XCTFail("expected interrupted, got \(r)") }
  }

  func testUncaughtRendersStack() {
    let (interp, _) = make()
    let r = interp.run(source: """
      function f() {
        null.shape
      }
      f()
      """, file: "x.tl")
    guard case .uncaught(let v, let text) = r else { return XCTFail("no error") }
    XCTAssertEqual(text, """
      TypeError: Cannot read properties of null (reading 'shape')
          at f (x.tl:2:3)
          at x.tl:4:1
      """)
    XCTAssertTrue(v.asObject is ErrorObject)
    guard case .uncaught(_, let t2) = interp.run(source: "throw 42", file: "y.tl") else { return XCTFail() }
    XCTAssertEqual(t2, "Uncaught 42")
  }

  func testProcessArgvAndGlobals() {
    let (interp, out) = make()
    interp.defineGlobal("answer", .number(42))
    _ = interp.run(source: "console.log(process.argv.join(' '), answer)", file: "s.tl", arguments: ["a", "b"])
    XCTAssertEqual(out.stdout, "tl s.tl a b 42\n")
    XCTAssertTrue(interp.globalNames().contains("answer"))
  }

  func testCompletions() {
    let (interp, _) = make()
    _ = interp.evaluateREPL("const tf = { layers: { dense() {}, dropout() {} }, tensor() {} }")
    XCTAssertEqual(interp.completions(for: "tf.layers.d"), ["tf.layers.dense", "tf.layers.dropout"])
    XCTAssertTrue(interp.completions(for: "conso").contains("console"))
    XCTAssertTrue(interp.completions(for: "t").contains("tf"))
  }

  func testCallingScriptFunctionsFromSwift() throws {
    let (interp, _) = make()
    _ = interp.evaluateREPL("function add(a, b) { return a + b }")
    guard case .ok(let f) = interp.evaluateREPL("add") else { return XCTFail() }
    XCTAssertEqual(try interp.call(f, this: .undefined, [1, 2]).asNumber, 3)
  }

  func testInterpreterIsReleasedAfterARun() {
    weak var weakInterp: Interpreter?
    do {
      let (interp, out) = make()
      weakInterp = interp
      _ = interp.run(source: """
        function f(n) { return n < 2 ? n : f(n - 1) + f(n - 2) }
        class A { m() { return this } }
        globalThis.keep = function () { let q = 0; q += 1; return [f, A, q] }
        const p = new Promise(r => setTimeout(r, 1)).then(() => console.log(f(10), new A().m() instanceof A))
        """, file: "x.tl")
      XCTAssertEqual(out.stdout, "55 true\n")
    }
    XCTAssertNil(weakInterp, "the interpreter leaked (a strong reference cycle through compiled code)")
  }
}
