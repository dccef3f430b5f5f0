// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class MovementTests: XCTestCase {
  let m23: () throws -> Tensor = { try t([1, 2, 3, 4, 5, 6], [2, 3]) }

  func testReshapeInfersMinusOne() throws {
    XCTAssertEqual(try m23().reshape([3, -1]).shape, [3, 2])
    assertThrows("Size(6) must match the product of shape 4,2") { try m23().reshape([4, 2]) }
    assertThrows("Shapes can only have 1 implicit size. Found -1 at dim 0 and dim 1") {
      try m23().reshape([-1, -1])
    }
  }

  func testExpandSqueezeFlatten() throws {
    XCTAssertEqual(try m23().expandDims(1).shape, [2, 1, 3])
    XCTAssertEqual(try m23().expandDims(-1).shape, [2, 3, 1])
    XCTAssertEqual(try t([1, 2], [1, 2, 1]).squeeze().shape, [2])
    XCTAssertEqual(try t([1, 2], [1, 2, 1]).squeeze([0]).shape, [2, 1])
    assertThrows("Can't squeeze axis 1 since its dim '2' is not 1") {
      try t([1, 2], [1, 2, 1]).squeeze([1])
    }
    XCTAssertEqual(try m23().flatten().shape, [6])
  }

  func testAxisOutOfRange() {
    assertThrows("All values in axis param must be in range [-2, 2) but got axis 3") {
      try self.m23().sum([3])
    }
  }

  func testTranspose() throws {
    try assertClose(try m23().transpose(), [1, 4, 2, 5, 3, 6], shape: [3, 2])
    let x = try t((0..<24).map(Float.init), [2, 3, 4])
    let y = try x.transpose([2, 0, 1])
    XCTAssertEqual(y.shape, [4, 2, 3])
    XCTAssertEqual(try y.dataSync().prefix(6), [0, 4, 8, 12, 16, 20])
    assertThrows("Error in transpose: rank of input 2 must match length of perm 0.") {
      try self.m23().transpose([0])
    }
  }

  func testConcatStackUnstack() throws {
    let a = try m23()
    try assertClose(
      try Tensor.concat([a, a], axis: 1),
      [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6], shape: [2, 6])
    XCTAssertEqual(try Tensor.concat([a, a]).shape, [4, 3])
    assertThrows(
      "Error in concat2D: Shape of tensors[1] (3,2) does not match the shape of the "
        + "rest (2,3) along the non-concatenated axis 1."
    ) {
      try Tensor.concat([a, try a.transpose()])
    }
    let s = try Tensor.stack([try t([1, 2]), try t([3, 4])], axis: 1)
    try assertClose(s, [1, 3, 2, 4], shape: [2, 2])
    let parts = try a.unstack(axis: 1)
    XCTAssertEqual(parts.count, 3)
    try assertClose(parts[2], [3, 6], shape: [2])
  }

  func testSplit() throws {
    let parts = try m23().split(3, axis: 1)
    try assertClose(parts[1], [2, 5], shape: [2, 1])
    let sized = try m23().split(sizes: [1, -1], axis: 1)
    XCTAssertEqual(sized[1].shape, [2, 2])
    assertThrows("Number of splits must evenly divide the axis.") {
      try self.m23().split(2, axis: 1)
    }
  }

  func testSlice() throws {
    try assertClose(try m23().slice([0, 1], [2, 2]), [2, 3, 5, 6], shape: [2, 2])
    try assertClose(try m23().slice([1]), [4, 5, 6], shape: [1, 3])
    try assertClose(try m23().slice([0, 1], [-1, 1]), [2, 5], shape: [2, 1])
    assertThrows("Error in slice2D: begin[1] + size[1] (4) would overflow input.shape[1] (3)") {
      try self.m23().slice([0, 1], [1, 3])
    }
  }

  func testStridedSlice() throws {
    let x = try t((0..<12).map(Float.init), [3, 4])
    try assertClose(try x.stridedSlice([0, 1], [3, 4], [2, 2]), [1, 3, 9, 11], shape: [2, 2])
    try assertClose(
      try x.stridedSlice([0, -1], [0, 0], [1, -1], beginMask: 1, endMask: 3),
      [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8], shape: [3, 4])
    try assertClose(
      try x.stridedSlice([1, 0], [2, 4], shrinkAxisMask: 1), [4, 5, 6, 7], shape: [4])
    XCTAssertEqual(try x.stridedSlice([0, 0], [1, 1], newAxisMask: 1).shape, [1, 1, 4])
    XCTAssertEqual(try x.stridedSlice([0, 1], [0, 2], ellipsisMask: 1).shape, [3, 1])
  }

  func testGather() throws {
    let x = try m23()
    let i = try t([2, 0], nil, .int32)
    try assertClose(try x.gather(i, axis: 1), [3, 1, 6, 4], shape: [2, 2])
    try assertClose(try x.gather(try t([1], nil, .int32)), [4, 5, 6], shape: [1, 3])
    let b = try x.gather(try t([2, 1], [2, 1], .int32), axis: 1, batchDims: 1)
    try assertClose(b, [3, 5], shape: [2, 1])
    assertThrows("GatherV2: the index value 5 is not in [0, 2]") {
      try x.gather(try t([5], nil, .int32), axis: 1)
    }
  }

  func testTileReversePad() throws {
    try assertClose(
      try t([1, 2], [1, 2]).tile([2, 2]), [1, 2, 1, 2, 1, 2, 1, 2], shape: [2, 4])
    try assertClose(try m23().reverse([1]), [3, 2, 1, 6, 5, 4])
    try assertClose(try m23().reverse(), [6, 5, 4, 3, 2, 1])
    try assertClose(
      try t([1, 2, 3, 4], [2, 2]).pad([[1, 0], [0, 1]], constantValue: 9),
      [9, 9, 9, 1, 2, 9, 3, 4, 9], shape: [3, 3])
  }

  func testBroadcastTo() throws {
    try assertClose(try t([1, 2]).broadcastTo([2, 2]), [1, 2, 1, 2], shape: [2, 2])
    assertThrows("broadcastTo(): [3] cannot be broadcast to [2,2].") {
      try t([1, 2, 3]).broadcastTo([2, 2])
    }
  }
}

final class HostileInputTests: XCTestCase {
  func testHugeShapesAreErrorsNotTraps() throws {
    let x = try t([1, 2], [1, 2])
    assertThrows("Shape arithmetic overflowed: 2 * \(Int.max).") { try x.tile([1, Int.max]) }
    assertThrows("Shape arithmetic overflowed: \(Int.max) * \(Int.max).") {
      try x.reshape([Int.max, Int.max, -1])
    }
    XCTAssertThrowsError(try x.pad([[0, 0], [Int.max, 1]]))
    XCTAssertThrowsError(try x.slice([0, Int.max], [1, Int.max]))
    XCTAssertThrowsError(try Tensor.range(0, .infinity))
    XCTAssertThrowsError(try Tensor.eye(1 << 20, numColumns: 1 << 20))
    XCTAssertThrowsError(try x.stridedSlice([0, 0], [1, 2], [1, Int.min]))
    XCTAssertEqual(try x.stridedSlice([0, 0], [1, 2], [1, Int.max]).shape, [1, 1])
  }
}

final class MaskingTests: XCTestCase {
  func testGatherND() throws {
    let x = try t([1, 2, 3, 4, 5, 6], [3, 2])
    try assertClose(try x.gatherND(try t([2, 1, 0, 0], [2, 2], .int32)), [6, 1], shape: [2])
    try assertClose(try x.gatherND(try t([2, 0], [2, 1], .int32)), [5, 6, 1, 2], shape: [2, 2])
    assertThrows("Invalid index: 3,0 does not index into 3,2") {
      try x.gatherND(try t([3, 0], [1, 2], .int32))
    }
  }

  func testWhereIndicesAndBooleanMask() throws {
    let c = try t([1, 0, 0, 1], [2, 2], .bool)
    let w = try c.whereIndices()
    XCTAssertEqual(w.shape, [2, 2])
    XCTAssertEqual(try w.dataSync(), [0, 0, 1, 1])
    let x = try t([1, 2, 3, 4, 5, 6], [3, 2])
    let m = try x.booleanMask(try t([1, 0, 1], nil, .bool))
    try assertClose(m, [1, 2, 5, 6], shape: [2, 2])
    assertThrows(
      "mask's shape must match the first K dimensions of tensor's shape, Shapes 3 and "
        + "2 must match"
    ) {
      try x.booleanMask(try t([1, 0], nil, .bool))
    }
  }
}

final class ScatterAndMirrorTests: XCTestCase {
  func testMirrorPad() throws {
    let x = try t([1, 2, 3, 4, 5, 6], [2, 3])
    try assertClose(
      try x.mirrorPad([[0, 0], [2, 1]], mode: .reflect),
      [3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5], shape: [2, 6])
    try assertClose(
      try x.mirrorPad([[1, 1], [1, 0]], mode: .symmetric),
      [1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6, 4, 4, 5, 6], shape: [4, 4])
    assertThrows(
      "Padding in dimension 1 cannot be greater than or equal to 2 or less than 0 "
        + "for input of shape 2,3"
    ) {
      try x.mirrorPad([[0, 0], [3, 0]], mode: .reflect)
    }
  }

  func testDiagAndSegmentSum() throws {
    try assertClose(try t([1, 2]).diag(), [1, 0, 0, 2], shape: [2, 2])
    let x = try t([1, 2, 3, 4, 5, 6], [3, 2])
    let s = try x.unsortedSegmentSum(try t([1, 0, 1], nil, .int32), numSegments: 2)
    try assertClose(s, [3, 4, 6, 8], shape: [2, 2])
  }

  func testBufferSyncAndFlatSet() throws {
    let b = try t([1, 2, 3, 4], [2, 2]).bufferSync()
    try b.set(flat: 3, 9)
    XCTAssertEqual(try b.get([1, 1]), 9)
    XCTAssertThrowsError(try b.set(flat: 4, 1))
  }
}
