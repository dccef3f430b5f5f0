// SPDX-License-Identifier: MIT
import Foundation
import XCTest

@testable import TensorEngine

/// Random cases of the broadcasting, reduction and movement ops checked against
/// numpy's answers (Tests/Fixtures/engine/numpy_ops.json, made by gen_numpy_ops.py).
final class NumpyCrossCheckTests: XCTestCase {
  private struct NDArray: Decodable {
    let shape: [Int]
    let values: [Double]
  }

  private struct Case: Decodable {
    let op: String
    let inputs: [NDArray]
    let attrs: [String: Attr]
    let out: NDArray
  }

  private enum Attr: Decodable {
    case int(Int)
    case bool(Bool)
    case ints([Int])
    case intLists([[Int]])

    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let v = try? c.decode(Bool.self) {
        self = .bool(v)
      } else if let v = try? c.decode(Int.self) {
        self = .int(v)
      } else if let v = try? c.decode([Int].self) {
        self = .ints(v)
      } else {
        self = .intLists(try c.decode([[Int]].self))
      }
    }
  }

  private struct Attrs {
    let raw: [String: Attr]
    func int(_ k: String) -> Int {
      if case .int(let v)? = raw[k] { return v }
      return 0
    }
    func bool(_ k: String) -> Bool {
      if case .bool(let v)? = raw[k] { return v }
      return false
    }
    func ints(_ k: String) -> [Int] {
      if case .ints(let v)? = raw[k] { return v }
      return []
    }
    func intLists(_ k: String) -> [[Int]] {
      if case .intLists(let v)? = raw[k] { return v }
      return []
    }
  }

  private func run(_ op: String, _ xs: [Tensor], _ a: Attrs) throws -> Tensor {
    let x = xs[0]
    switch op {
    case "add": return try x.add(xs[1])
    case "sub": return try x.sub(xs[1])
    case "mul": return try x.mul(xs[1])
    case "div": return try x.div(xs[1])
    case "maximum": return try x.maximum(xs[1])
    case "minimum": return try x.minimum(xs[1])
    case "squaredDifference": return try x.squaredDifference(xs[1])
    case "sum": return try x.sum(a.ints("axes"), keepDims: a.bool("keepDims"))
    case "mean": return try x.mean(a.ints("axes"), keepDims: a.bool("keepDims"))
    case "max": return try x.max(a.ints("axes"), keepDims: a.bool("keepDims"))
    case "min": return try x.min(a.ints("axes"), keepDims: a.bool("keepDims"))
    case "prod": return try x.prod(a.ints("axes"), keepDims: a.bool("keepDims"))
    case "argMax": return try x.argMax(a.int("axis"))
    case "transpose": return try x.transpose(a.ints("perm"))
    case "stridedSlice":
      return try x.stridedSlice(a.ints("begin"), a.ints("end"), a.ints("strides"))
    case "slice": return try x.slice(a.ints("begin"), a.ints("size"))
    case "gather": return try x.gather(try xs[1].cast(.int32), axis: a.int("axis"))
    case "tile": return try x.tile(a.ints("reps"))
    case "pad": return try x.pad(a.intLists("paddings"), constantValue: 1.5)
    case "reverse": return try x.reverse(a.ints("axes"))
    case "concat": return try Tensor.concat(xs, axis: a.int("axis"))
    case "cumsum":
      return try x.cumsum(
        axis: a.int("axis"), exclusive: a.bool("exclusive"),
        reverse: a.bool("reverse"))
    case "matMul":
      return try x.matMul(xs[1], transposeA: a.bool("transposeA"), transposeB: a.bool("transposeB"))
    default: throw TensorError("unknown op in fixture: \(op)")
    }
  }

  func testOpsMatchNumpy() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/engine/numpy_ops.json")
    let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    XCTAssertGreaterThan(cases.count, 500)
    var counts: [String: Int] = [:]
    for (n, c) in cases.enumerated() {
      try Engine.shared.tidy {
        let xs = try c.inputs.map { try Tensor.tensor($0.values.map(Float.init), shape: $0.shape) }
        let y = try run(c.op, xs, Attrs(raw: c.attrs))
        let got = try y.dataSync()
        XCTAssertEqual(y.shape, c.out.shape, "case \(n) \(c.op)")
        guard got.count == c.out.values.count else { return }
        for (i, (g, w)) in zip(got, c.out.values).enumerated()
        where Swift.abs(Double(g) - w) > 1e-4 + 1e-4 * Swift.abs(w) {
          XCTFail("case \(n) \(c.op) at \(i): got \(g), want \(w)")
          break
        }
        counts[c.op, default: 0] += 1
      }
    }
    XCTAssertEqual(counts.count, 23, "every op family ran")
  }
}
