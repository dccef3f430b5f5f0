// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

final class NNTests: XCTestCase {
  func testSoftmaxIsStableAndNormalized() throws {
    let s = try t([1, 2, 3, 1000, 1000, 1000], [2, 3]).softmax()
    try assertClose(
      s, [0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3], shape: [2, 3])
    try assertClose(try t([1, 2, 3]).logSoftmax(), [-2.40760596, -1.40760596, -0.40760596])
    assertThrows(
      "Softmax along a non-last dimension is not yet supported. Logits was rank 2 and "
        + "dim was 0"
    ) {
      try t([1, 2, 3, 4], [2, 2]).softmax(dim: 0)
    }
    assertThrows(
      "Log Softmax along a non-last dimension is not yet supported. Logits was rank 2 "
        + "and axis was 0"
    ) {
      try t([1, 2, 3, 4], [2, 2]).logSoftmax(axis: 0)
    }
    try assertClose(
      try t([1, 2, 3], nil, .int32).logSoftmax(), [-2.40760596, -1.40760596, -0.40760596])
  }

  func testLossesDefaultReduction() throws {
    let y = try t([0, 1, 1, 0], [2, 2])
    let p = try t([0.1, 0.8, 0.6, 0.3], [2, 2])
    try assertClose(try Losses.meanSquaredError(y, p), [0.075])
    try assertClose(try Losses.absoluteDifference(y, p), [0.25])
    try assertClose(try Losses.huberLoss(y, p), [0.0375])
    try assertClose(try Losses.hingeLoss(y, p), [0.75])
    try assertClose(try Losses.logLoss(y, p), [0.29900115])
    assertThrows("Error in meanSquaredError:  Shapes 2,2 and 4 must match") {
      try Losses.meanSquaredError(y, try t([1, 2, 3, 4]))
    }
  }

  func testLossReductions() throws {
    let y = try t([0, 1, 1, 0], [2, 2])
    let p = try t([0.1, 0.8, 0.6, 0.3], [2, 2])
    let w = try t([1, 0], [2, 1])
    try assertClose(try Losses.meanSquaredError(y, p, reduction: .sum), [0.3])
    try assertClose(
      try Losses.meanSquaredError(y, p, reduction: .none),
      [0.01, 0.04, 0.16, 0.09], shape: [2, 2])
    // Weighted: only row 0 counts; 2 non-zero weights after broadcasting.
    try assertClose(try Losses.meanSquaredError(y, p, weights: w), [0.025])
    try assertClose(try Losses.meanSquaredError(y, p, weights: w, reduction: .mean), [0.025])
  }

  func testCrossEntropies() throws {
    let labels = try t([0, 0, 1, 0, 1, 0], [2, 3])
    let logits = try t([1, 2, 3, 1, 2, 3], [2, 3])
    // Mean of -log softmax: (0.40760596 + 1.40760596) / 2
    try assertClose(try Losses.softmaxCrossEntropy(labels, logits), [0.90760596])
    let sig = try Losses.sigmoidCrossEntropy(try t([1, 0]), try t([2, -1]))
    // (log(1+e^-2) + log(1+e^-1)) / 2
    try assertClose(sig, [0.22009318])
    let cos = try Losses.cosineDistance(
      try t([1, 0, 0, 1], [2, 2]), try t([1, 0, 0.6, 0.8], [2, 2]),
      axis: 1)
    try assertClose(cos, [0.1])
  }

  func testLossesLeaveNoIntermediates() throws {
    let before = Engine.shared.numTensors
    let y = try t([0, 1])
    let p = try t([0.5, 0.5])
    let loss = try Losses.softmaxCrossEntropy(y, p)
    XCTAssertEqual(Engine.shared.numTensors, before + 3)
    loss.dispose()
    y.dispose()
    p.dispose()
  }
}
