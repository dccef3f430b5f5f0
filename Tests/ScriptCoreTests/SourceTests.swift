import XCTest
@testable import ScriptCore

final class SourceTests: XCTestCase {
  func testLineLookup() {
    let f = SourceFile(name: "a.tl", text: "one\ntwo\r\nthree")
    XCTAssertEqual(f.line(1), "one")
    XCTAssertEqual(f.line(2), "two")
    XCTAssertEqual(f.line(3), "three")
    XCTAssertEqual(f.line(4), "")
  }

  func testArrayIndexKeys() {
    XCTAssertEqual(arrayIndex("0"), 0)
    XCTAssertEqual(arrayIndex("42"), 42)
    XCTAssertNil(arrayIndex("042"))
    XCTAssertNil(arrayIndex("-1"))
    XCTAssertNil(arrayIndex("x"))
  }
}
