// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class CreationTests: XCTestCase {
  func testTensorFromFlatValuesAndShape() throws {
    let x = try t([1, 2, 3, 4, 5, 6], [2, 3])
    XCTAssertEqual(x.shape, [2, 3])
    XCTAssertEqual(x.rank, 2)
    XCTAssertEqual(x.size, 6)
    XCTAssertEqual(x.dtype, .float32)
    XCTAssertEqual(try x.dataSync(), [1, 2, 3, 4, 5, 6])
  }

  func testShapeMismatchError() {
    assertThrows("Based on the provided shape, [4,2], the tensor should have 8 values but has 6") {
      try t([1, 2, 3, 4, 5, 6], [4, 2])
    }
  }

  func testNegativeShapeError() {
    assertThrows(
      "Tensor must have a shape comprised of positive integers but got shape [2,-1]."
    ) {
      try Tensor.zeros([2, -1])
    }
  }

  func testAllocationCapIsAnErrorNotACrash() {
    assertThrows(
      "Cannot allocate a tensor of shape [65536,65536]: more than 2147483647 elements."
    ) {
      try Tensor.zeros([65536, 65536])
    }
  }

  func testInvalidDtypeName() {
    assertThrows("Unknown data type float64") { try DType(name: "float64") }
  }

  func testNestedInferenceAndRaggedErrors() throws {
    let nested = NestedValues.array([
      .array([.number(1), .number(2)]), .array([.number(3), .number(4)]),
    ])
    let x = try Tensor.tensor(nested: nested)
    XCTAssertEqual(x.shape, [2, 2])
    XCTAssertEqual(try x.dataSync(), [1, 2, 3, 4])
    let b = try Tensor.tensor(nested: .array([.bool(true), .bool(false)]))
    XCTAssertEqual(b.dtype, .bool)
    assertThrows("Element arr[1] should have 2 elements, but has 3 elements") {
      try Tensor.tensor(
        nested: .array([
          .array([.number(1), .number(2)]), .array([.number(3), .number(4), .number(5)]),
        ]))
    }
    assertThrows("Element arr[1] is a primitive, but should be an array/TypedArray of 1 elements") {
      try Tensor.tensor(nested: .array([.array([.number(1)]), .number(2)]))
    }
    assertThrows("Element arr[1] should be a primitive, but is an array of 1 elements") {
      try Tensor.tensor(nested: .array([.number(1), .array([.number(2)])]))
    }
    assertThrows("Element arr[1][0] should have 2 elements, but has 1 elements") {
      try Tensor.tensor(
        nested: .array([
          .array([.array([.number(1), .number(2)])]), .array([.array([.number(1)])]),
        ]))
    }
    XCTAssertEqual(try Tensor.tensor(nested: .array([])).shape, [0])
    XCTAssertEqual(try Tensor.tensor(nested: .number(3)).shape, [])
  }

  func testInt32TruncatesAndBoolIsZeroOne() throws {
    let i = try t([1.7, -1.7, 3], nil, .int32)
    XCTAssertEqual(try i.dataSync(), [1, -1, 3])
    // Creation rounds first (Math.round(v) !== 0); cast compares with 0.
    let b = try t([0, 2, -0.5, 0.3, 0.5], nil, .bool)
    XCTAssertEqual(try b.dataSync(), [0, 1, 0, 0, 1])
    XCTAssertEqual(try t([0.3]).cast(.bool).dataSync(), [1])
  }

  func testFillZerosOnesEye() throws {
    XCTAssertEqual(try Tensor.fill([2, 2], 7).dataSync(), [7, 7, 7, 7])
    XCTAssertEqual(try Tensor.ones([3], dtype: .int32).dtype, .int32)
    try assertClose(try Tensor.eye(2, numColumns: 3), [1, 0, 0, 0, 1, 0], shape: [2, 3])
    try assertClose(
      try Tensor.eye(2, batchShape: [2]), [1, 0, 0, 1, 1, 0, 0, 1], shape: [2, 2, 2])
  }

  func testRangeAndLinspace() throws {
    try assertClose(try Tensor.range(0, 5, step: 2), [0, 2, 4], shape: [3])
    try assertClose(try Tensor.range(5, 0), [5, 4, 3, 2, 1])
    XCTAssertEqual(try Tensor.range(0, 5, step: -1).shape, [0])
    assertThrows("Cannot have a step of zero") { try Tensor.range(0, 1, step: 0) }
    assertThrows("Cannot allocate a range of 10000000000 values (at most 2147483647 elements).") {
      try Tensor.range(0, 1e10)
    }
    assertThrows("Cannot allocate a range of infinitely many values (at most 2147483647 elements).") {
      try Tensor.range(0, .infinity)
    }
    try assertClose(try Tensor.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1])
  }

  func testOneHot() throws {
    let idx = try t([0, 2, 5], nil, .int32)
    let oh = try Tensor.oneHot(idx, depth: 3)
    XCTAssertEqual(oh.shape, [3, 3])
    XCTAssertEqual(oh.dtype, .int32)
    XCTAssertEqual(try oh.dataSync(), [1, 0, 0, 0, 0, 1, 0, 0, 0])
    assertThrows(
      "Argument 'indices' passed to 'oneHot' must be int32 tensor, but got float32 tensor"
    ) {
      try Tensor.oneHot(try t([1]), depth: 3)
    }
  }

  func testBuffer() throws {
    let buf = try TensorBuffer(shape: [2, 2])
    try buf.set(5, [1, 0])
    XCTAssertEqual(try buf.get([1, 0]), 5)
    XCTAssertEqual(try buf.toTensor().dataSync(), [0, 0, 5, 0])
    assertThrows("The number of provided coordinates (1) must match the rank (2)") {
      try buf.get([1])
    }
  }
}
