// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Seeded random compositions of smooth ops (no kinks, so differences are reliable)
/// over broadcasting operands, checked against central differences: accumulation
/// across shared subexpressions and broadcast sums, beyond the per-rule tests.
final class GradientRandomTests: XCTestCase {
  /// A small deterministic generator (LCG).
  private struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
  }

  private let shapes: [[Int]] = [[2, 3], [3], [2, 1], [], [1, 3]]

  func testRandomExpressions() throws {
    for seed in 1...40 {
      var gen = Generator(state: UInt64(seed))
      let inputShapes = (0..<3).map { _ in shapes[gen.next(shapes.count)] }
      let steps = (0..<6).map { _ in (gen.next(9), gen.next(3), gen.next(3)) }
      let inputs = inputShapes.enumerated().map { i, s in
        (values: sampleValues(sizeOf(s), -1, 1, seed: seed * 10 + i), shape: s)
      }
      try checkGradients(inputs) { xs in
        var pool = xs
        for (op, i, j) in steps {
          let a = pool[i % pool.count]
          let b = pool[(i + j + 1) % pool.count]
          let next: Tensor
          switch op {
          case 0: next = try a.add(b)
          case 1: next = try a.sub(b)
          case 2: next = try a.mul(b)
          case 3: next = try a.div(try b.square().add(Tensor.scalar(1)))
          case 4: next = try a.tanh()
          case 5: next = try a.sigmoid().mul(b)
          case 6: next = try a.square().mul(Tensor.scalar(0.5))
          case 7: next = try a.rank > 0 ? a.sum([-1], keepDims: true) : a.exp()
          default: next = try a.sin().mul(b)
          }
          pool.append(next)
        }
        // Every input reaches y (a gradient of each is required).
        let tail = try pool.suffix(3).reduce(Tensor.scalar(0)) { try $0.add($1) }
        return try xs.reduce(tail) { try $0.add(try $1.mul(Tensor.scalar(0.1))) }
      }
    }
  }
}
