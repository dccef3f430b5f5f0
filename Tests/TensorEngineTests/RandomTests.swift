// SPDX-License-Identifier: MIT
import XCTest

@testable import TensorEngine

// Expected draws were produced by running the Alea / Marsaglia-polar algorithms
// (as seedrandom and TF.js's rand_util.ts define them) in Node.js.
final class RandomTests: XCTestCase {
  func testAleaMatchesSeedrandom() {
    var r = Alea(seed: 42)
    let want = [
      0.6848634963389486, 0.5463244677521288, 0.8455933185759932, 0.19908552314154804,
      0.5637381218839437,
    ]
    for w in want { XCTAssertEqual(r.next(), w) }
  }

  func testSeededUniformMatchesTFJS() throws {
    let u = try Tensor.randomUniform([3], minval: -2, maxval: 2, seed: 7)
    XCTAssertEqual(
      try u.dataSync(), [-0.5416192412376404, -1.9684760570526123, -1.2495183944702148])
  }

  func testSeededNormalMatchesTFJS() throws {
    let n = try Tensor.randomNormal([5], seed: 3)
    XCTAssertEqual(
      try n.dataSync(),
      [
        -1.597680926322937, -1.4898130893707275, -0.7631617784500122,
        0.025548864156007767, -0.5547017455101013,
      ])
  }

  func testSeededIsReproducibleAndUnseededVaries() throws {
    let a = try Tensor.randomNormal([100], seed: 11).dataSync()
    let b = try Tensor.randomNormal([100], seed: 11).dataSync()
    XCTAssertEqual(a, b)
    let c = try Tensor.randomUniform([100]).dataSync()
    let d = try Tensor.randomUniform([100]).dataSync()
    XCTAssertNotEqual(c, d)
  }

  func testTruncatedNormalStaysWithinTwoStdDev() throws {
    let v = try Tensor.truncatedNormal([2000], mean: 1, stdDev: 0.5, seed: 9).dataSync()
    XCTAssertTrue(v.allSatisfy { $0 >= 0 && $0 <= 2 })
    let mean = v.reduce(0, +) / Float(v.count)
    XCTAssertEqual(mean, 1, accuracy: 0.05)
  }

  func testNormalStatistics() throws {
    let v = try Tensor.randomNormal([20000], mean: 2, stdDev: 3, seed: 1).dataSync()
    let mean = v.reduce(0, +) / Float(v.count)
    let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)
    XCTAssertEqual(mean, 2, accuracy: 0.1)
    XCTAssertEqual(variance.squareRoot(), 3, accuracy: 0.1)
  }

  func testShuffleMatchesFisherYates() {
    var a = Array(0..<10)
    Tensor.shuffle(&a, seed: 5)
    XCTAssertEqual(a, [4, 3, 9, 8, 6, 5, 0, 7, 1, 2])
  }

  func testMultinomial() throws {
    let probs = try t([0, 0, 1, 0])
    let draws = try Tensor.multinomial(probs, numSamples: 5, seed: 3, normalized: true)
    XCTAssertEqual(draws.shape, [5])
    XCTAssertEqual(draws.dtype, .int32)
    XCTAssertEqual(try draws.dataSync(), [2, 2, 2, 2, 2])
    let logits = try t([0, 10, 0, 10], [2, 2])
    let d2 = try Tensor.multinomial(logits, numSamples: 50, seed: 8)
    XCTAssertEqual(d2.shape, [2, 50])
    let values = try d2.dataSync()
    XCTAssertGreaterThan(values.filter { $0 == 1 }.count, 95)
    assertThrows("Error in multinomial: you need at least 2 outcomes, but got 1.") {
      try Tensor.multinomial(try t([1]), numSamples: 1)
    }
  }

  func testDropoutScalesKeptValues() throws {
    let x = try Tensor.ones([1000])
    let y = try x.dropout(rate: 0.25, seed: 4).dataSync()
    XCTAssertTrue(y.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3) < 1e-6 })
    let kept = y.filter { $0 != 0 }.count
    XCTAssertEqual(Double(kept) / 1000, 0.75, accuracy: 0.05)
    XCTAssertEqual(try x.dropout(rate: 0.25, seed: 4).dataSync(), y)
    assertThrows("rate must be a float in the range [0, 1), but got 1.") { try x.dropout(rate: 1) }
  }
}
