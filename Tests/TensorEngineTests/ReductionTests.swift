// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class ReductionTests: XCTestCase {
  let x: () throws -> Tensor = { try t([1, 2, 3, 4, 5, 6], [2, 3]) }

  func testSumMeanAxes() throws {
    try assertClose(try x().sum(), [21], shape: [])
    try assertClose(try x().sum([0]), [5, 7, 9], shape: [3])
    try assertClose(try x().sum([-1], keepDims: true), [6, 15], shape: [2, 1])
    try assertClose(try x().mean([1]), [2, 5])
    XCTAssertEqual(try t([1, 2], nil, .int32).mean().dtype, .float32)
    XCTAssertEqual(try t([1, 1], nil, .bool).sum().dtype, .int32)
  }

  func testNonContiguousAxes() throws {
    let y = try t((0..<24).map(Float.init), [2, 3, 4])
    try assertClose(try y.sum([0, 2]), [60, 92, 124], shape: [3])
    try assertClose(try y.max([0, 2], keepDims: true), [15, 19, 23], shape: [1, 3, 1])
  }

  func testMaxMinProdArg() throws {
    let y = try t([3, 9, 2, 9, 1, 0], [2, 3])
    try assertClose(try y.max([1]), [9, 9])
    try assertClose(try y.min(), [0])
    try assertClose(try y.prod([0]), [27, 9, 0])
    XCTAssertEqual(try y.argMax(1).dataSync(), [1, 0])
    XCTAssertEqual(try y.argMin(1).dataSync(), [2, 2])
    XCTAssertEqual(try y.argMax(1).dtype, .int32)
    XCTAssertTrue(try t([1, .nan, 3]).max().dataSync()[0].isNaN)
  }

  func testAnyAll() throws {
    let b = try t([1, 0, 0, 0], [2, 2], .bool)
    XCTAssertEqual(try b.any([1]).dataSync(), [1, 0])
    XCTAssertEqual(try b.all().dataSync(), [0])
    assertThrows("Argument 'x' passed to 'any' must be bool tensor, but got float32 tensor") {
      try self.x().any()
    }
  }

  func testLogSumExpMomentsNorm() throws {
    try assertClose(try t([1, 2, 3]).logSumExp(), [3.40760596])
    try assertClose(try t([1000, 1000]).logSumExp(), [1000.6931472])
    let m = try x().moments([1])
    try assertClose(m.mean, [2, 5])
    try assertClose(m.variance, [2.0 / 3, 2.0 / 3])
    try assertClose(try t([3, 4]).norm(), [5])
    try assertClose(try t([3, -4]).norm(ord: .p(1)), [7])
    try assertClose(try t([3, -4]).norm(ord: .p(.infinity)), [4])
    try assertClose(try t([1, 2, 3, 4], [2, 2]).norm(ord: .fro, axes: [0, 1]), [5.4772256])
  }

  func testCumsum() throws {
    try assertClose(try t([1, 2, 3]).cumsum(), [1, 3, 6])
    try assertClose(try t([1, 2, 3]).cumsum(exclusive: true), [0, 1, 3])
    try assertClose(try t([1, 2, 3]).cumsum(reverse: true), [6, 5, 3])
    try assertClose(try x().cumsum(axis: 1), [1, 3, 6, 4, 9, 15])
  }

  func testTopk() throws {
    let r = try t([1, 5, 3, 5, 2], [5]).topk(3)
    XCTAssertEqual(try r.values.dataSync(), [5, 5, 3])
    XCTAssertEqual(try r.indices.dataSync(), [1, 3, 2])
    assertThrows("'k' passed to topk() must be <= the last dimension (5) but got 6") {
      try t([1, 5, 3, 5, 2]).topk(6)
    }
  }

  func testMatMul() throws {
    let a = try x()
    let b = try t([1, 0, 0, 1, 1, 1], [3, 2])
    try assertClose(try a.matMul(b), [4, 5, 10, 11], shape: [2, 2])
    try assertClose(try a.matMul(a, transposeB: true), [14, 32, 32, 77], shape: [2, 2])
    try assertClose(try a.matMul(a, transposeA: true).sum(), [261])
    assertThrows(
      "Error in matMul: inner shapes (3) and (4) of Tensors with shapes 2,3 and 4,5 "
        + "and transposeA=false and transposeB=false must match."
    ) {
      try Tensor.zeros([2, 3]).matMul(try Tensor.zeros([4, 5]))
    }
  }

  func testBatchedMatMulBroadcastsBatch() throws {
    let a = try t((0..<12).map(Float.init), [2, 2, 3])
    let b = try t([1, 0, 0, 1, 1, 1], [3, 2])
    let c = try a.matMul(try b.expandDims(0))
    XCTAssertEqual(c.shape, [2, 2, 2])
    try assertClose(c, [2, 3, 8, 9, 14, 15, 20, 21])
  }

  func testDotAndOuter() throws {
    try assertClose(try t([1, 2, 3]).dot(try t([4, 5, 6])), [32], shape: [])
    try assertClose(try x().dot(try t([1, 1, 1])), [6, 15], shape: [2])
    try assertClose(try t([1, 2]).outerProduct(try t([3, 4])), [3, 4, 6, 8], shape: [2, 2])
  }
}

final class ExtraOpTests: XCTestCase {
  func testAddNAndHyperbolic() throws {
    try assertClose(try Tensor.addN([try t([1, 2]), try t([3, 4]), try t([5, 6])]), [9, 12])
    assertThrows("All tensors passed to tf.addN() must have the same shape") {
      try Tensor.addN([try t([1, 2]), try t([1])])
    }
    try assertClose(try t([0.5]).asinh(), [0.48121183])
    try assertClose(try t([1.5]).acosh(), [0.96242365])
    try assertClose(try t([0.5]).atanh(), [0.54930614])
    try assertClose(try t([0, -100]).logSigmoid(), [-0.69314718, -100])
  }

  func testNormErrorsAndKeepDims() throws {
    assertThrows("Error in norm: invalid ord value: 3") { try t([1, 2]).norm(ord: .p(3)) }
    XCTAssertEqual(try t([1, 2, 3, 4], [2, 2]).norm(keepDims: true).shape, [1, 1])
    try assertClose(try t([3, 4, 6, 8], [2, 2]).euclideanNorm([1]), [5, 10])
  }
}
