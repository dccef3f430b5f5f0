// SPDX-License-Identifier: MIT
// Reductions large enough to run on several workers (split by outer rows, by
// inner columns, or a whole-tensor reduction split into pieces) give the same
// values as one worker, and as a plain loop.

import XCTest

@testable import TensorEngine

final class ReductionThreadingTests: XCTestCase {
  /// `f` run with one worker and with two.
  private func oneAndTwoWorkers(_ f: () throws -> [Float]) rethrows -> ([Float], [Float]) {
    let saved = KernelThreading.workerCount
    defer { KernelThreading.workerCount = saved }
    KernelThreading.workerCount = 1
    let one = try f()
    KernelThreading.workerCount = 2
    return (one, try f())
  }

  private func values(_ n: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<n).map { _ in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Float(Int(state >> 40) % 2001 - 1000) / 37
    }
  }

  func testSplitsByRowsAndColumnsMatchOneWorker() throws {
    let v = values(600 * 500, seed: 1)
    let x = try t(v, [600, 500])
    for axis in [0, 1] {
      let cases: [(String, () throws -> [Float])] = [
        ("sum", { try x.sum([axis]).dataSync() }),
        ("mean", { try x.mean([axis]).dataSync() }),
        ("max", { try x.max([axis]).dataSync() }),
        ("min", { try x.min([axis]).dataSync() }),
        ("argMax", { try x.argMax(axis).dataSync() }),
        ("argMin", { try x.argMin(axis).dataSync() }),
      ]
      for (name, f) in cases {
        let (one, two) = try oneAndTwoWorkers(f)
        XCTAssertEqual(one, two, "\(name) over axis \(axis)")
      }
    }
    // Against a plain loop: column sums (outer 1, split by columns) and row maxima.
    let colSums = try x.sum([0]).dataSync()
    for c in stride(from: 0, to: 500, by: 61) {
      var s = 0.0
      for r in 0..<600 { s += Double(v[r * 500 + c]) }
      XCTAssertEqual(colSums[c], Float(s), accuracy: 1e-3, "column \(c)")
    }
    let rowMax = try x.max([1]).dataSync()
    for r in stride(from: 0, to: 600, by: 53) {
      XCTAssertEqual(rowMax[r], v[(r * 500)..<(r * 500 + 500)].max())
    }
  }

  func testWholeTensorReductionsInPieces() throws {
    let v = values(300_001, seed: 2)
    let x = try t(v, [v.count])
    let (sumOne, sumTwo) = try oneAndTwoWorkers { try x.sum().dataSync() }
    XCTAssertEqual(sumOne[0], sumTwo[0], accuracy: abs(sumOne[0]) * 1e-6 + 1e-3)
    XCTAssertEqual(sumTwo[0], Float(v.reduce(0.0) { $0 + Double($1) }), accuracy: 1e-2)
    let (maxOne, maxTwo) = try oneAndTwoWorkers { try x.max().dataSync() }
    XCTAssertEqual(maxOne, maxTwo)
    XCTAssertEqual(maxTwo, [v.max()!])
    XCTAssertEqual(try x.argMax().dataSync(), [Float(v.firstIndex(of: v.max()!)!)])
    // NaN anywhere wins a max, also when it sits in the second worker's piece.
    var withNaN = v
    withNaN[250_000] = .nan
    let (nanOne, nanTwo) = try oneAndTwoWorkers { try t(withNaN, [v.count]).max().dataSync() }
    XCTAssertTrue(nanOne[0].isNaN && nanTwo[0].isNaN)
    // any/all over a large bool tensor: one true (false) element decides.
    var flags = [Float](repeating: 0, count: 200_000)
    flags[199_999] = 1
    let (anyOne, anyTwo) = try oneAndTwoWorkers {
      try t(flags, [flags.count], .bool).any().dataSync()
    }
    XCTAssertEqual(anyOne, [1])
    XCTAssertEqual(anyTwo, [1])
  }
}
