import XCTest
@testable import ScriptCore

final class BuiltinsCollectionTests: XCTestCase {
  func testSameValueZeroKeys() {
    var t = OrderedTable()
    t.set(.number(.nan), "nan")
    t.set(.number(-0.0), "zero")
    t.set("\u{E9}", "composed")
    t.set("e\u{301}", "decomposed")
    XCTAssertEqual(t.get(.number(.nan))?.asString, "nan")
    XCTAssertEqual(t.get(.number(0))?.asString, "zero")
    XCTAssertEqual(t.count, 4, "JS compares code units: é and e+◌́ are different keys")
    if case .number(let z)? = t.liveEntries.map({ $0.0 }).dropFirst().first { XCTAssertEqual(z.sign, .plus) }
    XCTAssertNil(t.get("E\u{301}"))
    t.set(.number(1), "one")
    XCTAssertNil(t.get("1"), "1 and '1' are different keys")
  }

  func testOrderGrowthDeletionAndCompaction() {
    var t = OrderedTable()
    for i in 0..<5000 { t.set(.number(Double(i)), .number(Double(i * 2))) }
    for i in stride(from: 0, to: 5000, by: 2) { XCTAssertTrue(t.delete(.number(Double(i)))) }
    XCTAssertFalse(t.delete(.number(0)))
    XCTAssertEqual(t.count, 2500)
    t.compactIfSparse(iterating: false)
    t.set(.number(0), "back")
    XCTAssertEqual(t.count, 2501)
    let keys = t.liveEntries.map { $0.0.asNumber ?? -1 }
    XCTAssertEqual(keys.first, 1)
    XCTAssertEqual(keys.last, 0, "a re-added key goes to the end")
    XCTAssertEqual(t.get(.number(4999))?.asNumber, 9998)
    var cursor = 0
    var seen = 0
    while t.next(&cursor) != nil { seen += 1 }
    XCTAssertEqual(seen, 2501)
    t.clear()
    XCTAssertEqual(t.count, 0)
    XCTAssertNil(t.get(.number(1)))
  }

  func testObjectKeysByIdentity() {
    let a = JSObject(prototype: nil)
    let b = JSObject(prototype: nil)
    var t = OrderedTable()
    t.set(.object(a), 1)
    XCTAssertTrue(t.has(.object(a)))
    XCTAssertFalse(t.has(.object(b)))
  }
}
