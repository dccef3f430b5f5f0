// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Movement ops, matMul and shape ops.
final class GradientMovementTests: XCTestCase {
  let x234 = (values: sampleValues(24, -2, 2, seed: 9), shape: [2, 3, 4])
  let x23 = (values: sampleValues(6, -1, 1, seed: 7), shape: [2, 3])

  func testShapeOps() throws {
    try checkGradients([x234]) { try $0[0].reshape([4, 6]) }
    try checkGradients([x234]) { try $0[0].expandDims(1) }
    try checkGradients([(x23.values, [2, 1, 3])]) { try $0[0].squeeze() }
    try checkGradients([x23]) { try $0[0].flatten() }
    try checkGradients([(x23.values, [2, 1, 3])]) { try $0[0].broadcastTo([2, 2, 4, 3]) }
    try checkGradients([x23]) { try $0[0].broadcastTo([2, 2, 3]) }
  }

  func testTranspose() throws {
    try checkGradients([x234]) { try $0[0].transpose() }
    try checkGradients([x234]) { try $0[0].transpose([1, 2, 0]) }
  }

  func testConcatStackUnstackSplit() throws {
    let b = (values: sampleValues(8, seed: 21), shape: [2, 1, 4])
    try checkGradients([x234, b]) { try Tensor.concat($0, axis: 1) }
    try checkGradients([x23, x23]) { try Tensor.stack($0, axis: 1) }
    try checkGradients([x234]) {
      let parts = try $0[0].unstack(axis: 1)
      return try parts[0].mul(Tensor.scalar(2)).add(parts[2])
    }
    try checkGradients([x234]) {
      let parts = try $0[0].split(sizes: [1, -1], axis: 2)
      return try parts[1].sum([2]).add(try parts[0].squeeze([2]).square())
    }
    try checkGradients([x234]) { try $0[0].split(2, axis: 0)[1] }
  }

  func testSliceStridedSlicePad() throws {
    try checkGradients([x234]) { try $0[0].slice([0, 1, 1], [2, 2, -1]) }
    try checkGradients([x234]) { try $0[0].stridedSlice([0, 2, 0], [2, 0, 4], [1, -1, 2]) }
    try checkGradients([x234]) {
      try $0[0].stridedSlice([1, 0], [2, 3], [1, 2], shrinkAxisMask: 1)
    }
    try checkGradients([x23]) { try $0[0].pad([[1, 0], [2, 1]], constantValue: 5) }
  }

  func testGather() throws {
    let idx = try Tensor.tensor([2, 0, 2], shape: [3], dtype: .int32)
    let batchIdx = try Tensor.tensor([1, 0, 2, 2], shape: [2, 2], dtype: .int32)
    defer { idx.dispose(); batchIdx.dispose() }
    try checkGradients([x234]) { try $0[0].gather(idx, axis: 1) }
    try checkGradients([x23]) { try $0[0].gather(idx, axis: 1) }
    try checkGradients([x234]) { try $0[0].gather(batchIdx, axis: 1, batchDims: 1) }
  }

  func testGatherNDAndAddN() throws {
    let idx = try Tensor.tensor([1, 2, 0, 0, 1, 2], shape: [3, 2], dtype: .int32)
    defer { idx.dispose() }
    try checkGradients([x234]) { try $0[0].gatherND(idx) }
    try checkGradients([x23, x23, (sampleValues(6, seed: 99), [2, 3])]) { try Tensor.addN($0) }
  }

  func testSecondOrderThroughScatterGradients() throws {
    let idx = try Tensor.tensor([2, 0, 2], shape: [3], dtype: .int32)
    let ndIdx = try Tensor.tensor([1, 2, 0, 0, 1, 2], shape: [3, 2], dtype: .int32)
    defer { idx.dispose(); ndIdx.dispose() }
    // Each inner gradient is a scatter of 2·slice; the outer function is nonlinear in it.
    try checkGradients([x234]) { args in
      try Autograd.grad { try $0.gather(idx, axis: 1).square().sum() }(args[0], nil)
        .square().sum()
    }
    try checkGradients([x234]) { args in
      try Autograd.grad { try $0.gatherND(ndIdx).square().sum() }(args[0], nil).square().sum()
    }
    try checkGradients([x234]) { args in
      try Autograd.grad { try $0.stridedSlice([0, 2, 0], [2, 0, 4], [1, -1, 2]).square().sum() }(
        args[0], nil
      ).square().sum()
    }
  }

  func testMirrorPadDiagSegmentSum() throws {
    try checkGradients([x23]) { try $0[0].mirrorPad([[1, 1], [2, 1]], mode: .reflect) }
    try checkGradients([x23]) { try $0[0].mirrorPad([[2, 0], [3, 3]], mode: .symmetric) }
    try checkGradients([x23]) { try $0[0].diag() }
    let ids = try Tensor.tensor([2, 0, 2, -1], shape: [4], dtype: .int32)
    defer { ids.dispose() }
    try checkGradients([(sampleValues(12, seed: 17), [4, 3])]) {
      try $0[0].unsortedSegmentSum(ids, numSegments: 3)
    }
    try checkGradients([(sampleValues(12, seed: 17), [4, 3])]) {
      try $0[0].unsortedSegmentSum(ids, numSegments: 2)
    }
  }

  func testTileReverse() throws {
    try checkGradients([x23]) { try $0[0].tile([2, 3]) }
    try checkGradients([x234]) { try $0[0].tile([1, 2, 1]) }
    try checkGradients([x234]) { try $0[0].reverse([0, 2]) }
    try checkGradients([x234]) { try $0[0].reverse() }
  }

  func testMatMul() throws {
    let a = (values: sampleValues(6, seed: 31), shape: [2, 3])
    let b = (values: sampleValues(12, seed: 37), shape: [3, 4])
    try checkGradients([a, b]) { try $0[0].matMul($0[1]) }
    try checkGradients([(a.values, [3, 2]), b]) { try $0[0].matMul($0[1], transposeA: true) }
    try checkGradients([a, (b.values, [4, 3])]) { try $0[0].matMul($0[1], transposeB: true) }
    try checkGradients([(a.values, [3, 2]), (b.values, [4, 3])]) {
      try $0[0].matMul($0[1], transposeA: true, transposeB: true)
    }
  }

  func testBatchedMatMulWithBroadcastBatch() throws {
    let a = (values: sampleValues(12, seed: 41), shape: [2, 2, 3])
    let b = (values: sampleValues(12, seed: 43), shape: [3, 4])
    try checkGradients([a, b]) { try $0[0].matMul($0[1]) }
    let c = (values: sampleValues(24, seed: 47), shape: [2, 1, 3, 4])
    try checkGradients([a, c]) { try $0[0].matMul($0[1]) }
    try checkGradients([(sampleValues(3, seed: 3), [3]), (sampleValues(6, seed: 5), [3, 2])]) {
      try $0[0].dot($0[1])
    }
    try checkGradients([(sampleValues(3, seed: 3), [3]), (sampleValues(2, seed: 5), [2])]) {
      try $0[0].outerProduct($0[1])
    }
  }

  func testDenseLayerChain() throws {
    let x = try t(sampleValues(8, seed: 51), [4, 2])
    defer { x.dispose() }
    try checkGradients([(sampleValues(6, seed: 53), [2, 3]), (sampleValues(3, seed: 57), [3])]) {
      try x.matMul($0[0]).add($0[1]).relu().softmax().mean()
    }
  }
}
