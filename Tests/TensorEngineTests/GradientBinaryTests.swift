// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Binary gradients with broadcasting: every rule on equal shapes, a row vector,
/// a column against a row, and a scalar.
final class GradientBinaryTests: XCTestCase {
  /// Shape pairs exercising each broadcasting case.
  let shapePairs: [([Int], [Int])] = [
    ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([], [2, 3]),
  ]

  private func checkBinary(
    lo: Float = -1, hi: Float = 1, loB: Float? = nil, hiB: Float? = nil,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: @escaping (Tensor, Tensor) throws -> Tensor
  ) throws {
    for (sa, sb) in shapePairs {
      let a = sampleValues(sizeOf(sa), lo, hi, seed: 3)
      let b = sampleValues(sizeOf(sb), loB ?? lo, hiB ?? hi, seed: 11)
      try checkGradients([(a, sa), (b, sb)], file: file, line: line) { try f($0[0], $0[1]) }
    }
  }

  func testArithmetic() throws {
    try checkBinary { try $0.add($1) }
    try checkBinary { try $0.sub($1) }
    try checkBinary { try $0.mul($1) }
    try checkBinary(loB: 0.5, hiB: 2) { try $0.div($1) }
    try checkBinary(loB: 0.5, hiB: 2) { try $0.divNoNan($1) }
    try checkBinary { try $0.squaredDifference($1) }
    try checkBinary(lo: 0.2, hi: 2) { try $0.pow($1) }
    try checkBinary(loB: 0.3, hiB: 1) { try $0.atan2($1) }
  }

  func testModAwayFromJumps() throws {
    try checkGradients([([1.3, 2.9, -1.2, 4.4], [4]), ([0.8, 1.1, 1.5, 1.7], [4])]) {
      try $0[0].mod($0[1])
    }
  }

  func testFloorDivGradientIsDivisionsAsTFJS() throws {
    let a = try t([3, 4])
    let b = try t([2, 2])
    let grads = try Autograd.grads { try $0[0].floorDiv($0[1]) }([a, b], nil)
    try assertClose(grads[0], [0.5, 0.5])
    try assertClose(grads[1], [-0.75, -1])
    (grads + [a, b]).forEach { $0.dispose() }
  }

  func testMaximumMinimum() throws {
    // a and b interleave without ties.
    try checkBinary(lo: -1, hi: 1, loB: -0.93, hiB: 0.97) { try $0.maximum($1) }
    try checkBinary(lo: -1, hi: 1, loB: -0.93, hiB: 0.97) { try $0.minimum($1) }
  }

  func testPowOfNonPositiveBaseHasZeroExponentGradient() throws {
    let grads = try Autograd.grads { try $0[0].pow($0[1]) }([try t([-2, 0]), try t([2, 3])], nil)
    try assertClose(grads[0], [-4, 0])
    try assertClose(grads[1], [0, 0])
    grads.forEach { $0.dispose() }
  }

  func testPreluWithBroadcastAlpha() throws {
    try checkGradients([(sampleValues(6, -1, 1, seed: 5), [2, 3]), ([0.1, 0.2, 0.3], [3])]) {
      try $0[0].prelu($0[1])
    }
  }

  func testWhereBroadcasting() throws {
    let cond = try Tensor.tensor([1, 0, 1], shape: [3], dtype: .bool)
    defer { cond.dispose() }
    try checkGradients([(sampleValues(6, seed: 2), [2, 3]), (sampleValues(1, seed: 4), [])]) {
      try Tensor.where(cond, $0[0], $0[1])
    }
  }

  func testSameTensorUsedTwiceAccumulates() throws {
    try checkUnary([0.5, -1.5, 2]) { try $0.mul($0).add($0) }
  }

  func testIntegerOperandGetsFloatGradient() throws {
    let a = try t([1, 2, 3])
    let k = try Tensor.tensor([2, 3, 4], shape: [3], dtype: .int32)
    let grads = try Autograd.grads { try $0[0].mul($0[1]) }([a, k], nil)
    try assertClose(grads[0], [2, 3, 4])
    try assertClose(grads[1], [1, 2, 3])
    XCTAssertEqual(grads[1].dtype, .float32)
    (grads + [a, k]).forEach { $0.dispose() }
  }
}
