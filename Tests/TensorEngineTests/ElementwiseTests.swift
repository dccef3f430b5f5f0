// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class ElementwiseTests: XCTestCase {
  func testSameShapeAndScalarBroadcast() throws {
    let a = try t([1, 2, 3, 4], [2, 2])
    try assertClose(try a.add(try t([10, 20, 30, 40], [2, 2])), [11, 22, 33, 44], shape: [2, 2])
    try assertClose(try a.mul(Tensor.scalar(2)), [2, 4, 6, 8])
    try assertClose(try Tensor.scalar(10).sub(a), [9, 8, 7, 6])
  }

  func testRowAndColumnBroadcast() throws {
    let a = try t([1, 2, 3, 4, 5, 6], [2, 3])
    try assertClose(try a.add(try t([10, 20, 30])), [11, 22, 33, 14, 25, 36], shape: [2, 3])
    try assertClose(try a.add(try t([100, 200], [2, 1])), [101, 102, 103, 204, 205, 206])
    let outer = try t([1, 2], [2, 1]).mul(try t([1, 10, 100], [1, 3]))
    try assertClose(outer, [1, 10, 100, 2, 20, 200], shape: [2, 3])
  }

  func testRank3Broadcast() throws {
    let a = try t((0..<12).map(Float.init), [2, 3, 2])
    let b = try t([1, 2, 3], [3, 1])
    try assertClose(try a.mul(b), [0, 1, 4, 6, 12, 15, 6, 7, 16, 18, 30, 33], shape: [2, 3, 2])
  }

  func testBroadcastError() {
    assertThrows("Operands could not be broadcast together with shapes 2,3 and 4,5.") {
      try Tensor.zeros([2, 3]).add(try Tensor.zeros([4, 5]))
    }
  }

  func testDtypeRules() throws {
    let i = try t([7, -7], nil, .int32)
    let f = try t([2, 2])
    XCTAssertEqual(try i.add(f).dtype, .float32)
    XCTAssertEqual(try i.add(i).dtype, .int32)
    let q = try i.div(try t([2, 2], nil, .int32))
    XCTAssertEqual(q.dtype, .int32)
    XCTAssertEqual(try q.dataSync(), [3, -4])
    try assertClose(try i.div(f), [3.5, -3.5])
    XCTAssertEqual(try i.less(f).dtype, .bool)
    XCTAssertEqual(try t([1, 0], nil, .bool).maximum(try t([0, 0], nil, .bool)).dtype, .int32)
  }

  func testModIsFloorMod() throws {
    try assertClose(try t([5, -5, 5, -5]).mod(try t([3, 3, -3, -3])), [2, 1, -1, -2])
  }

  func testComparisonsAndLogical() throws {
    let a = try t([1, 2, 3])
    let b = try t([3, 2, 1])
    XCTAssertEqual(try a.less(b).dataSync(), [1, 0, 0])
    XCTAssertEqual(try a.greaterEqual(b).dataSync(), [0, 1, 1])
    XCTAssertEqual(try a.equal(b).dataSync(), [0, 1, 0])
    let p = try t([1, 1, 0, 0], nil, .bool)
    let q = try t([1, 0, 1, 0], nil, .bool)
    XCTAssertEqual(try p.logicalAnd(q).dataSync(), [1, 0, 0, 0])
    XCTAssertEqual(try p.logicalOr(q).dataSync(), [1, 1, 1, 0])
    XCTAssertEqual(try p.logicalXor(q).dataSync(), [0, 1, 1, 0])
    XCTAssertEqual(try p.logicalNot().dataSync(), [0, 0, 1, 1])
    assertThrows("Argument 'a' passed to 'logicalAnd' must be bool tensor, but got float32 tensor")
    {
      try a.logicalAnd(p)
    }
  }

  func testWhere() throws {
    let c = try t([1, 0, 1], nil, .bool)
    let r = try Tensor.where(c, try t([1, 2, 3]), try t([10, 20, 30]))
    XCTAssertEqual(try r.dataSync(), [1, 20, 3])
    let bc = try Tensor.where(try t([1, 0], [2, 1], .bool), try t([1, 2, 3]), Tensor.scalar(0))
    XCTAssertEqual(try bc.dataSync(), [1, 2, 3, 0, 0, 0])
    let mixed = try Tensor.where(c, try t([1, 2, 3], nil, .int32), try t([0.5, 0.5, 0.5]))
    XCTAssertEqual(mixed.dtype, .float32)
    XCTAssertEqual(try mixed.dataSync(), [1, 0.5, 3])
  }

  func testUnaryValues() throws {
    let x = try t([-2, -0.5, 0, 0.5, 2])
    try assertClose(try x.relu(), [0, 0, 0, 0.5, 2])
    try assertClose(try x.abs(), [2, 0.5, 0, 0.5, 2])
    try assertClose(try x.sigmoid(), [0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708])
    try assertClose(try x.leakyRelu(alpha: 0.1), [-0.2, -0.05, 0, 0.5, 2])
    try assertClose(try x.elu(), [-0.86466472, -0.39346934, 0, 0.5, 2])
    try assertClose(try x.softplus(), [0.12692801, 0.47407698, 0.69314718, 0.97407698, 2.12692801])
    try assertClose(try x.step(), [0, 0, 0, 1, 1])
    try assertClose(try x.clipByValue(-1, 1), [-1, -0.5, 0, 0.5, 1])
    try assertClose(try x.selu(), [-1.5201665, -0.69175816, 0, 0.52535051, 2.1014020])
  }

  func testRoundIsBankers() throws {
    try assertClose(try t([0.5, 1.5, 2.5, -0.5, -1.5, 2.4]).round(), [0, 2, 2, -0, -2, 2])
  }

  func testUnaryDtypes() throws {
    let i = try t([4, -9], nil, .int32)
    XCTAssertEqual(try i.neg().dtype, .int32)
    XCTAssertEqual(try i.exp().dtype, .float32)
    assertThrows("Argument 'x' passed to 'sqrt' must be float32 tensor, but got int32 tensor") {
      try i.sqrt()
    }
    let c = try t([1.9, -1.9, 0]).cast(.int32)
    XCTAssertEqual(try c.dataSync(), [1, -1, 0])
    XCTAssertEqual(try t([2, 0, -1]).cast(.bool).dataSync(), [1, 0, 1])
  }

  func testPredicates() throws {
    let x = try t([Float.nan, .infinity, 1])
    XCTAssertEqual(try x.isNaN().dataSync(), [1, 0, 0])
    XCTAssertEqual(try x.isInf().dataSync(), [0, 1, 0])
    XCTAssertEqual(try x.isFinite().dataSync(), [0, 0, 1])
  }

  func testClipError() {
    assertThrows("Error in clip: min (2) must be less than or equal to max (1).") {
      try Tensor.scalar(1).clipByValue(2, 1)
    }
  }

  func testLargeParallelPathMatchesSerial() throws {
    let n = 300_001
    let a = try t((0..<n).map { Float($0 % 97) })
    let s = try a.mul(Tensor.scalar(2)).add(a)
    let v = try s.dataSync()
    XCTAssertEqual(v[0], 0)
    XCTAssertEqual(v[n - 1], Float((n - 1) % 97) * 3)
    XCTAssertEqual(v[n / 2], Float((n / 2) % 97) * 3)
  }

  func testLargeBroadcastSplitsOnRowBoundaries() throws {
    let (rows, cols) = (401, 333)  // 133,533 elements: the threaded path, odd split point
    let a = try t((0..<(rows * cols)).map { Float($0 % 1000) }, [rows, cols])
    let r = try t((0..<cols).map { Float($0) * 1000 }, [cols])
    let c = try t((0..<rows).map { Float($0) * 1_000_000 }, [rows, 1])
    let v = try a.add(r).add(c).dataSync()
    for i in [0, 1, cols - 1, cols, (rows / 2) * cols + 7, rows * cols / 2, rows * cols - 1] {
      let (row, col) = (i / cols, i % cols)
      XCTAssertEqual(v[i], Float(i % 1000) + Float(col) * 1000 + Float(row) * 1_000_000, "at \(i)")
    }
  }
}
