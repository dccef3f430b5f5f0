// SPDX-License-Identifier: MIT
import Dispatch
import Foundation

// Specialised loops for the common arithmetic ops on the common layouts: equal
// shapes, a scalar operand, and a row vector broadcast along the last axis (a
// bias). Each loop spells out the op's own expression, so the values are those
// of the closure path bit for bit; what changes is that the loops reach the
// worker threads without a closure call per element, and vectorise.

/// The ops with specialised loops.
enum FastBinaryOp {
  case add, sub, mul, div, maximum, minimum
}

/// How the operands map onto the output.
private enum FastLayout {
  /// Both operands have every output element.
  case same
  /// `b` is one value.
  case scalarB
  /// `a` is one value.
  case scalarA
  /// `b` is a vector along the last axis, repeated for every row of `a`.
  case rowB(Int)
  /// `a` is a vector along the last axis, repeated for every row of `b`.
  case rowA(Int)
}

/// The layout when it is one of the specialised ones.
private func fastLayout(_ a: [Float], _ shapeA: [Int], _ b: [Float], _ shapeB: [Int], n: Int)
  -> FastLayout?
{
  /// True when `shape` is `[1, ..., 1, width]` and the output's last axis is `width`.
  func isRow(_ shape: [Int], _ count: Int) -> Bool {
    guard let last = shape.last, last == count, count > 0, n % count == 0 else { return false }
    return shape.dropLast().allSatisfy { $0 == 1 }
  }
  if a.count == n && b.count == n { return .same }
  if b.count == 1 && a.count == n { return .scalarB }
  if a.count == 1 && b.count == n { return .scalarA }
  if a.count == n && isRow(shapeB, b.count) && shapeB.count <= shapeA.count
    && shapeA.last == b.count
  {
    return .rowB(b.count)
  }
  if b.count == n && isRow(shapeA, a.count) && shapeA.count <= shapeB.count
    && shapeB.last == a.count
  {
    return .rowA(a.count)
  }
  return nil
}

/// Runs `op` over `lo..<hi` of the output for one layout.
@inline(__always)
private func fastRun(
  _ layout: FastLayout, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
  _ o: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, _ op: (Float, Float) -> Float
) {
  switch layout {
  case .same:
    for i in lo..<hi { o[i] = op(x[i], y[i]) }
  case .scalarB:
    let s = y[0]
    for i in lo..<hi { o[i] = op(x[i], s) }
  case .scalarA:
    let s = x[0]
    for i in lo..<hi { o[i] = op(s, y[i]) }
  case .rowB(let width):
    // Chunks start on row boundaries (see fastBinary).
    var r = lo
    while r < hi {
      let row = x + r
      let out = o + r
      for j in 0..<width { out[j] = op(row[j], y[j]) }
      r += width
    }
  case .rowA(let width):
    var r = lo
    while r < hi {
      let row = y + r
      let out = o + r
      for j in 0..<width { out[j] = op(x[j], row[j]) }
      r += width
    }
  }
}

/// The op's values on a specialised layout (float32 arithmetic; the caller converts to the
/// result dtype), or nil when the layout is not one of them.
func fastBinary(
  _ kind: FastBinaryOp, _ a: [Float], _ shapeA: [Int], _ b: [Float], _ shapeB: [Int],
  _ outShape: [Int]
) -> [Float]? {
  let n = sizeOf(outShape)
  guard n > 0, let layout = fastLayout(a, shapeA, b, shapeB, n: n) else { return nil }
  var width = 1
  if case .rowB(let w) = layout { width = w }
  if case .rowA(let w) = layout { width = w }
  return [Float](unsafeUninitializedCapacity: n) { out, count in
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        guard let x = pa.baseAddress, let y = pb.baseAddress, let o = out.baseAddress else {
          return
        }
        // Split on whole rows so each chunk starts at a row.
        let rows = n / width
        let run = { (r0: Int, r1: Int) in
          let (lo, hi) = (r0 * width, r1 * width)
          switch kind {
          case .add: fastRun(layout, x, y, o, lo, hi) { $0 + $1 }
          case .sub: fastRun(layout, x, y, o, lo, hi) { $0 - $1 }
          case .mul: fastRun(layout, x, y, o, lo, hi) { $0 * $1 }
          case .div: fastRun(layout, x, y, o, lo, hi) { $0 / $1 }
          case .maximum:
            fastRun(layout, x, y, o, lo, hi) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
          case .minimum:
            fastRun(layout, x, y, o, lo, hi) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
          }
        }
        if n < parallelThreshold || rows < 2 {
          run(0, rows)
        } else {
          DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 { run(0, rows / 2) } else { run(rows / 2, rows) }
          }
        }
      }
    }
    count = n
  }
}
