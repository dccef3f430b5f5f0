// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class DataTests: XCTestCase {
  func testArraySyncNestsByShape() throws {
    let x = try t([1, 2, 3, 4, 5, 6], [2, 3])
    XCTAssertEqual(
      try x.arraySync(),
      .array([
        .array([.number(1), .number(2), .number(3)]), .array([.number(4), .number(5), .number(6)]),
      ]))
    XCTAssertEqual(try Tensor.scalar(1, dtype: .bool).arraySync(), .bool(true))
    XCTAssertEqual(try Tensor.zeros([2, 0]).arraySync(), .array([.array([]), .array([])]))
  }

  func testNumberOperandsLeaveOnlyTheResult() throws {
    let x = try t([1, 2])
    let before = Engine.shared.numTensors
    let y = try x.mul(3).add(1)
    XCTAssertEqual(try y.dataSync(), [4, 7])
    XCTAssertEqual(Engine.shared.numTensors, before + 2)  // x.mul(3) and y
    XCTAssertEqual(try t([7], nil, .int32).add(1).dtype, .float32)
  }

  func testScalarValue() throws {
    XCTAssertEqual(try Tensor.scalar(2.5).scalarValue(), 2.5)
    assertThrows("The tensor must have exactly one element, but has 2") {
      try t([1, 2]).scalarValue()
    }
  }
}
