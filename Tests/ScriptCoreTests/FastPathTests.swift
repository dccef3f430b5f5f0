// The interpreter's caches and fast paths must give the same answers as the
// general paths when the shapes they remember change under them.

import GoldenSupport
import XCTest
@testable import ScriptCore

final class FastPathTests: XCTestCase {
  private func eval(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let interp = Interpreter(output: OutputBuffer())
    switch interp.evaluateREPL(source) {
    case .ok(let v): return v.asString ?? "not a string: \(v)"
    default:
      XCTFail("script failed", file: file, line: line)
      return ""
    }
  }

  func testMemberSiteSeesDifferentKeyOrdersAccessorsAndShadowing() {
    let src = """
      const out = []
      const get = (o) => o.x
      const objs = [{ x: 1, y: 2 }, { y: 3, x: 4 }, { z: 0 }, { get x() { return 'g' } },
        Object.create({ x: 'proto' }), []]
      for (let r = 0; r < 2; r++) for (const o of objs) out.push(String(get(o)))
      const o = { a: 1, x: 5 }
      out.push(String(get(o)))
      delete o.a
      out.push(String(get(o)))
      o.x = 6
      out.push(String(get(o)))
      out.join(',')
      """
    XCTAssertEqual(eval(src), "1,4,undefined,g,proto,undefined,1,4,undefined,g,proto,undefined,5,5,6")
  }

  func testMethodSiteSeesOwnShadowingAndPrototypeChanges() {
    let src = """
      class A { m() { return 'A' } }
      class B extends A { m() { return 'B' } }
      const call = (o) => o.m()
      const a = new A(), b = new B(), c = new A()
      const out = [call(a), call(b), call(a)]
      c.m = () => 'own'
      out.push(call(c), call(a))
      A.prototype.m = function () { return 'A2' }
      out.push(call(a), call(b))
      const arr = [3, 1, 2]
      arr.push = (v) => 'own push ' + v
      out.push([].push(1), arr.push(9))
      out.join(',')
      """
    XCTAssertEqual(eval(src), "A,B,A,own,A,A2,B,1,own push 9")
  }

  func testLengthSiteOnArraysStringsAndObjects() {
    let src = """
      const len = (v) => v.length
      const out = [len([1, 2, 3]), len('héllo'), len({ length: 'own' }), len(function (a, b) {}),
        len('😀')]
      const a = [1]
      a.length = 4
      out.push(len(a))
      out.join(',')
      """
    XCTAssertEqual(eval(src), "3,5,own,2,2,4")
  }

  func testSmallCallsBindParametersAndReportNonFunctions() {
    let src = """
      function two(a, b) { return [a, b].join('|') }
      function one(a) { return typeof a }
      function many(a, b, c) { return c }
      const f = (x, y) => x + y
      const out = [two(1), two(1, 2), one(), one(1, 2), many(1, 2), f(2, 3)]
      let counter = 0
      const g = (n) => { counter += n; return counter }
      out.push(g(g(1)))
      try { const h = 5; h(1) } catch (e) { out.push(e.message) }
      try { undefined_name(1) } catch (e) { out.push(e.constructor.name) }
      out.push(Math.max(1, 7))
      out.join(',')
      """
    XCTAssertEqual(eval(src), "1|,1|2,undefined,number,,5,2,h is not a function,ReferenceError,7")
  }

  func testLocalConstantShapesFallBackForNonNumbers() {
    let src = """
      const out = []
      function f(x) { return [x + 1, x - 1, x * 2, x < 2, x <= 2, x > 2, x >= 2].join(' ') }
      for (const v of [1, 2.5, '5', 'a', undefined, null, true, { valueOf() { return 3 } }]) out.push(f(v))
      let n = 0
      for (let i = 0; i < 3; i++) n = n + 2
      out.push(n)
      try { (() => { const y = z + 1; let z = 1 })() } catch (e) { out.push(e.constructor.name) }
      out.join(';')
      """
    XCTAssertEqual(eval(src), [
      "2 0 2 true true false false", "3.5 1.5 5 false false true true", "51 4 10 false false true true",
      "a1 NaN NaN false false false false", "NaN NaN NaN false false false false",
      "1 -1 0 true true false false", "2 0 2 true true false false", "4 2 6 false false true true",
      "6", "ReferenceError",
    ].joined(separator: ";"))
  }

  func testLocalMemberAndIndexReads() {
    let src = """
      const out = []
      function probe(o, k) {
        const r = [String(o[k]), String(o.length)]
        try { r.push(String(o.x)) } catch (e) { r.push(e.message) }
        return r.join(' ')
      }
      out.push(probe([10, 20], 1), probe([10, 20], 5), probe([10, 20], 0.5), probe('abc', 1),
        probe({ 1: 'one', x: 'X' }, 1), probe({ length: 7, x: 8 }, 'length'))
      try { probe(null, 0) } catch (e) { out.push(e.message) }
      const a = [1, 2, 3]
      let s = 0
      for (let i = 0; i < a.length; i++) { const v = a[i]; s += v }
      out.push(s)
      out.join(';')
      """
    XCTAssertEqual(eval(src), [
      "20 2 undefined", "undefined 2 undefined", "undefined 2 undefined", "b 3 undefined",
      "one undefined X", "7 7 8", "Cannot read properties of null (reading '0')", "6",
    ].joined(separator: ";"))
  }
}
