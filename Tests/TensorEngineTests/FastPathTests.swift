// The specialised float32 loops (clamps, pad, element-wise fast paths) against the
// scalar definitions of the ops, bit for bit, on awkward values and lengths that are
// not multiples of the vector width.

import Foundation
import XCTest

@testable import TensorEngine

final class FastPathTests: XCTestCase {
  /// Values with NaN, signed zeros, infinities, and the clamp bounds themselves.
  let awkward: [Float] = [
    .nan, -0.0, 0.0, -.infinity, .infinity, -1, 1, 5.999999, 6, 6.000001, 1e-45, -1e-45,
    0.5, -0.5, 3, 7, -7, 1e30, -1e30, 2.5, .nan, -0.0, 6, 0,
  ]

  /// Bit patterns, so NaN == NaN and -0 != +0.
  func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

  func testReluFamilyMatchesScalarDefinitionsBitForBit() throws {
    for length in [1, 7, 8, 9, 23, awkward.count] {
      let values = Array(awkward.prefix(length))
      let x = try Tensor.tensor(values, shape: [length])
      XCTAssertEqual(
        bits(try x.relu().dataSync()), bits(values.map { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }))
      XCTAssertEqual(
        bits(try x.relu6().dataSync()),
        bits(values.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, 0), 6) }))
      for (lo, hi) in [(Float(-0.0), Float(0.0)), (-1, 1), (0.5, 0.5), (-.infinity, 2)] {
        XCTAssertEqual(
          bits(try x.clipByValue(lo, hi).dataSync()),
          bits(values.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, lo), hi) }), "\(lo) \(hi)")
      }
    }
  }

  func testClampsKeepIntDtypesAndLargeInputsUseBothHalves() throws {
    let ints = try Tensor.tensor([-3, 0, 4, 9], shape: [4], dtype: .int32)
    XCTAssertEqual(try ints.relu6().dtype, .int32)
    XCTAssertEqual(try ints.relu6().dataSync(), [0, 0, 4, 6])
    XCTAssertEqual(try ints.clipByValue(-1, 5).dataSync(), [-1, 0, 4, 5])
    // Above the two-worker threshold.
    let n = 250_003
    let values = (0..<n).map { Float($0 % 17) - 8.5 }
    let big = try Tensor.tensor(values, shape: [n])
    XCTAssertEqual(try big.relu6().dataSync(), values.map { Swift.min(Swift.max($0, 0), 6) })
  }

  func testPadMatchesElementWalk() throws {
    let shape = [2, 3, 4, 5]
    let values = (0..<shape.reduce(1, *)).map(Float.init)
    let x = try Tensor.tensor(values, shape: shape)
    let paddings = [[1, 0], [0, 2], [3, 1], [0, 2]]
    let y = try x.pad(paddings, constantValue: -1)
    let outShape = zip(shape, paddings).map { $0 + $1[0] + $1[1] }
    XCTAssertEqual(y.shape, outShape)
    var expected = [Float](repeating: -1, count: outShape.reduce(1, *))
    for a in 0..<2 {
      for b in 0..<3 {
        for c in 0..<4 {
          for d in 0..<5 {
            let o = (((a + 1) * outShape[1] + b) * outShape[2] + c + 3) * outShape[3] + d
            expected[o] = values[((a * 3 + b) * 4 + c) * 5 + d]
          }
        }
      }
    }
    XCTAssertEqual(try y.dataSync(), expected)
    let v = try Tensor.tensor([1, 2, 3], shape: [3]).pad([[2, 1]])
    XCTAssertEqual(try v.dataSync(), [0, 0, 1, 2, 3, 0])
  }

  func testAdamFusedLoopIsBitIdenticalToOpsOnLargeVariables() throws {
    // Above the two-worker threshold, with a length that is not a multiple of the lanes.
    let n = 300_001
    defer { Optimizer.fusedUpdates = true }
    func train(fused: Bool) throws -> [UInt32] {
      Optimizer.fusedUpdates = fused
      let w = try Variable.make(try Tensor.randomUniform([n], minval: -1, maxval: 1, seed: 1))
      let optimizer = try AdamOptimizer(learningRate: 0.01)
      defer {
        w.dispose()
        optimizer.dispose()
      }
      for step in 0..<3 {
        let g = try Tensor.randomNormal([n], seed: Double(step + 5))
        try optimizer.applyGradients([(name: w.name, tensor: g)])
        g.dispose()
      }
      return bits(try w.dataSync())
    }
    XCTAssertEqual(try train(fused: true), try train(fused: false))
  }

  /// `op` applied with numpy broadcasting, element by element (the reference).
  func broadcastReference(
    _ a: [Float], _ sa: [Int], _ b: [Float], _ sb: [Int], _ out: [Int],
    _ op: (Float, Float) -> Float
  ) -> [Float] {
    let n = out.reduce(1, *)
    func offset(_ index: Int, _ shape: [Int]) -> Int {
      var rem = index
      var result = 0
      var step = 1
      for d in Swift.stride(from: out.count - 1, through: 0, by: -1) {
        let i = rem % out[d]
        rem /= out[d]
        let sd = d - (out.count - shape.count)
        if sd >= 0 {
          if shape[sd] != 1 { result += i * step }
          step *= shape[sd]
        }
      }
      return result
    }
    return (0..<n).map { op(a[offset($0, sa)], b[offset($0, sb)]) }
  }

  func testArithmeticFastPathsMatchTheElementDefinitions() throws {
    let ops: [(String, (Tensor, Tensor) throws -> Tensor, (Float, Float) -> Float)] = [
      ("add", { try $0.add($1) }, { $0 + $1 }), ("sub", { try $0.sub($1) }, { $0 - $1 }),
      ("mul", { try $0.mul($1) }, { $0 * $1 }), ("div", { try $0.div($1) }, { $0 / $1 }),
      ("maximum", { try $0.maximum($1) }, { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }),
      ("minimum", { try $0.minimum($1) }, { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }),
    ]
    // Same shapes, scalars on either side, rows on either side, a column (general path),
    // and shapes above the two-worker threshold.
    let layouts: [([Int], [Int])] = [
      ([3, 8], [3, 8]), ([3, 8], []), ([1], [3, 8]), ([4, 2, 6], [6]), ([1, 6], [4, 2, 6]),
      ([5, 3], [5, 1]), ([40_000, 5], [40_000, 5]), ([30_001, 8], [1, 8]), ([200_003], [1]),
    ]
    for (sa, sb) in layouts {
      let out = try broadcastShapes(sa, sb)
      let na = sa.reduce(1, *)
      let nb = sb.reduce(1, *)
      let va = (0..<na).map { awkward[$0 % awkward.count] * Float($0 % 5 + 1) }
      let vb = (0..<nb).map { awkward[($0 * 7 + 3) % awkward.count] - Float($0 % 3) }
      let a = try Tensor.tensor(va, shape: sa)
      let b = try Tensor.tensor(vb, shape: sb)
      for (name, op, scalar) in ops {
        let got = try op(a, b)
        XCTAssertEqual(got.shape, out)
        XCTAssertEqual(
          bits(try got.dataSync()), bits(broadcastReference(va, sa, vb, sb, out, scalar)),
          "\(name) \(sa) \(sb)")
      }
    }
    // Integer operands keep their dtype rules.
    let i = try Tensor.tensor([7, -7, 3], shape: [3], dtype: .int32)
    XCTAssertEqual(try i.add(i).dtype, .int32)
    XCTAssertEqual(try i.div(Tensor.tensor([2, 2, 2], shape: [3], dtype: .int32)).dataSync(),
                   [3, -4, 1])
  }

  func testCastToFloatKeepsValuesInANewBuffer() throws {
    let i = try Tensor.tensor([-3, 0, 16_777_216, 5], shape: [2, 2], dtype: .int32)
    let f = try i.cast(.float32)
    XCTAssertEqual(f.dtype, .float32)
    XCTAssertEqual(f.shape, [2, 2])
    XCTAssertEqual(try f.dataSync(), [-3, 0, 16_777_216, 5])
    XCTAssertFalse(f.storage === i.storage)
    let b = try Tensor.tensor([1, 0, 1], shape: [3], dtype: .bool).cast(.float32)
    XCTAssertEqual(try b.dataSync(), [1, 0, 1])
    // Disposing the source leaves the cast intact.
    i.dispose()
    XCTAssertEqual(try f.dataSync(), [-3, 0, 16_777_216, 5])
    XCTAssertEqual(try f.cast(.int32).dtype, .int32)
  }
}
