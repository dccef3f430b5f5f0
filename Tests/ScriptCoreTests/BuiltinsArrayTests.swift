import XCTest
@testable import ScriptCore

final class BuiltinsArrayTests: XCTestCase {
  /// Which comparators take the native numeric sort path.
  func testNumericComparatorRecognition() throws {
    let js = JS()
    let sources: [(String, Bool?)] = [
      ("(a, b) => a - b", true), ("(a,b)=>b-a", false), ("function (x, y) { return x - y; }", true),
      ("function cmp(x, y) { return y - x }", false), ("(a, b) => { return a - b; }", true),
      ("(a, b) => a.v - b.v", nil), ("(a, b) => a - b - 1", nil), ("(a, a2) => a - a", nil),
      ("async (a, b) => a - b", nil), ("(a, b = 0) => a - b", nil), ("(a, b) => b < a ? 1 : -1", nil),
    ]
    for (i, (source, expected)) in sources.enumerated() {
      let result = js.interp.run(source: "globalThis.f\(i) = \(source);", file: "t.tl")
      guard case .ok = result else { return XCTFail("\(source): \(result)") }
      guard case .object(let f as JSFunction) = js.global("f\(i)") else { return XCTFail("no function for \(source)") }
      XCTAssertEqual(numericComparatorDirection(f), expected, source)
    }
  }

  func testSortWithThrowingComparatorPropagates() {
    let js = JS()
    let cmp = js.function { _ in throw ScriptThrow.typeError("nope") }
    assertScriptError(.typeError, "nope") { try js.method(js.array([2, 1, 3]), "sort", cmp) }
  }

  func testSortIsStableWithComparator() throws {
    let js = JS()
    let items = (0..<50).map { i in js.object(["k": .number(Double(i % 3)), "i": .number(Double(i))]) }
    let byK = js.function { args in
      .number((args[0].asObject?.getDataValue("k").asNumber ?? 0) - (args[1].asObject?.getDataValue("k").asNumber ?? 0))
    }
    let sorted = try js.method(js.array(items), "sort", byK)
    let order = (sorted.asObject as? JSArray)?.elements.map { v -> Double in v.asObject?.getDataValue("i").asNumber ?? -1 } ?? []
    let expected = (0..<50).map(Double.init).sorted { a, b in Int(a) % 3 < Int(b) % 3 }
    XCTAssertEqual(order, expected)
  }
}
