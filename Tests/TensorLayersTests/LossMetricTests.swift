// Losses and metrics by name on small hand-computed cases.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class LossMetricTests: XCTestCase {
  func t(_ v: [Float], _ s: [Int]) throws -> Tensor { try Tensor.tensor(v, shape: s) }

  func loss(_ name: String, _ y: Tensor, _ p: Tensor) throws -> [Float] {
    try LayerLosses.named(name)(y, p).dataSync()
  }

  func testRegressionLosses() throws {
    let y = try t([1, 2, 3, 4], [2, 2])
    let p = try t([1, 4, 0, 4], [2, 2])
    XCTAssertEqual(try loss("meanSquaredError", y, p), [2, 4.5])
    XCTAssertEqual(try loss("meanAbsoluteError", y, p), [1, 1.5])
    XCTAssertEqual(try loss("meanAbsolutePercentageError", y, p), [50, 50])
    let h = try loss("huberLoss", y, p)
    XCTAssertEqual(h, [0.75, 1.25])  // per element: 0, 1.5 | 2.5, 0
    XCTAssertThrowsError(try LayerLosses.named("mse")) {
      XCTAssertEqual("\($0)", "Unknown loss mse. Did you mean 'meanSquaredError'?")
    }
  }

  func testClassificationLosses() throws {
    let y = try t([0, 1, 1, 0], [2, 2])
    let p = try t([0.2, 0.8, 0.6, 0.4], [2, 2])
    let cce = try loss("categoricalCrossentropy", y, p)
    XCTAssertEqual(cce[0], -Foundation.log(0.8), accuracy: 1e-6)
    XCTAssertEqual(cce[1], -Foundation.log(0.6), accuracy: 1e-6)
    let sparse = try loss("sparseCategoricalCrossentropy", try t([1, 0], [2]), p)
    XCTAssertEqual(sparse[0], cce[0], accuracy: 1e-6)
    XCTAssertEqual(sparse[1], cce[1], accuracy: 1e-6)
    let bce = try loss("binaryCrossentropy", try t([1, 0], [2, 1]), try t([0.9, 0.3], [2, 1]))
    XCTAssertEqual(bce[0], -Foundation.log(0.9), accuracy: 1e-5)
    XCTAssertEqual(bce[1], -Foundation.log(0.7), accuracy: 1e-5)
    let hinge = try loss("hinge", try t([1, -1], [1, 2]), try t([0.5, 0.5], [1, 2]))
    XCTAssertEqual(hinge, [1])  // mean(0.5, 1.5)
    let kld = try loss(
      "kullbackLeiblerDivergence", try t([0.5, 0.5], [1, 2]), try t([0.25, 0.75], [1, 2]))
    XCTAssertEqual(kld[0], 0.5 * Foundation.log(2) + 0.5 * Foundation.log(2.0 / 3), accuracy: 1e-6)
  }

  func testMetrics() throws {
    let y = try t([0, 1, 1, 0, 0, 1], [3, 2])
    let p = try t([0.3, 0.7, 0.9, 0.1, 0.6, 0.4], [3, 2])
    XCTAssertEqual(try LayerMetrics.categoricalAccuracy(y, p).dataSync(), [1, 1, 0])
    XCTAssertEqual(
      try LayerMetrics.sparseCategoricalAccuracy(try t([1, 1, 0], [3, 1]), p).dataSync(),
      [1, 0, 1])
    XCTAssertEqual(
      try LayerMetrics.binaryAccuracy(try t([1, 0], [2, 1]), try t([0.7, 0.6], [2, 1]))
        .dataSync(), [1, 0])
    let yt = try t([1, 1, 0, 0], [4])
    let yp = try t([1, 0, 1, 0], [4])
    XCTAssertEqual(try LayerMetrics.precision(yt, yp).scalarValue(), 0.5)
    XCTAssertEqual(try LayerMetrics.recall(yt, yp).scalarValue(), 0.5)
    XCTAssertEqual(try LayerMetrics.precision(yt, try Tensor.zeros([4])).scalarValue(), 0)
    XCTAssertEqual(
      try LayerMetrics.resolve(
        "accuracy", lossName: "binaryCrossentropy",
        outputShape: [nil, 3]
      ).logName, "acc")
    XCTAssertEqual(
      try LayerMetrics.resolve("ce", lossName: nil, outputShape: [nil, 3]).logName, "ce")
    XCTAssertEqual(
      try LayerMetrics.resolve("mae", lossName: nil, outputShape: [nil, 3]).logName, "mae")
    XCTAssertThrowsError(try LayerMetrics.named("f1"))
    XCTAssertThrowsError(try LayerLosses.named("categorical_crossentropy")) { e in
      XCTAssertTrue("\(e)".hasSuffix("Did you mean 'categoricalCrossentropy'?"), "\(e)")
    }
    XCTAssertThrowsError(try LayerLosses.named("binaryCrosentropy")) { e in
      XCTAssertTrue("\(e)".hasSuffix("Did you mean 'binaryCrossentropy'?"), "\(e)")
    }
  }
}
