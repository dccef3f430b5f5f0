// SPDX-License-Identifier: MIT
import Dispatch
import Foundation

// Tight loops behind the element-wise ops: unary maps and broadcasting binary
// maps over contiguous Float buffers. Large same-shape work is split over two
// Dispatch workers; broadcasting walks rows with hoisted base offsets.

/// Elements below which a loop stays on one thread (a second worker wakes late).
let parallelThreshold = 100_000

/// Runs `body(lo, hi)` over `0..<n`, in two halves on two workers when `n` is large.
@inline(__always)
func parallelRanges(_ n: Int, _ body: (Int, Int) -> Void) {
  if n < parallelThreshold {
    body(0, n)
    return
  }
  let half = n / 2
  DispatchQueue.concurrentPerform(iterations: 2) { part in
    if part == 0 { body(0, half) } else { body(half, n) }
  }
}

/// Applies `op` to every element.
@inline(__always)
func mapUnary(_ x: [Float], _ op: (Float) -> Float) -> [Float] {
  let n = x.count
  return [Float](unsafeUninitializedCapacity: n) { out, count in
    x.withUnsafeBufferPointer { src in
      let s = src.baseAddress
      let o = out.baseAddress
      parallelRanges(n) { lo, hi in
        guard let s, let o else { return }
        for i in lo..<hi { o[i] = op(s[i]) }
      }
    }
    count = n
  }
}

/// The numpy-style broadcast shape of two shapes, with TF.js's error.
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
  let rank = max(a.count, b.count)
  var result = [Int](repeating: 0, count: rank)
  for i in 0..<rank {
    let da = i < a.count ? a[a.count - 1 - i] : 1
    let db = i < b.count ? b[b.count - 1 - i] : 1
    if da == 1 {
      result[rank - 1 - i] = db
    } else if db == 1 || da == db {
      result[rank - 1 - i] = da
    } else {
      throw TensorError(
        "Operands could not be broadcast together with shapes \(shapeText(a)) and \(shapeText(b)).")
    }
  }
  return result
}

/// Strides of `shape` seen through `outShape` (0 on broadcast dimensions).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
  let own = computeStrides(shape)
  let pad = outShape.count - shape.count
  return (0..<outShape.count).map { i in
    i < pad || shape[i - pad] == 1 ? 0 : own[i - pad]
  }
}

/// Calls `body(outOffset, offsetA, offsetB)` for each row in `rows` (rows are all dims but
/// the last) of `outShape`, giving each operand's base offset for that row.
func forEachBroadcastRow(
  _ outShape: [Int], _ stridesA: [Int], _ stridesB: [Int], rows: Range<Int>,
  _ body: (Int, Int, Int) -> Void
) {
  let rank = outShape.count
  let inner = outShape[rank - 1]
  var index = [Int](repeating: 0, count: rank)
  var offA = 0
  var offB = 0
  var rem = rows.lowerBound
  for d in stride(from: rank - 2, through: 0, by: -1) {
    index[d] = rem % outShape[d]
    rem /= outShape[d]
    offA += index[d] * stridesA[d]
    offB += index[d] * stridesB[d]
  }
  for row in rows {
    body(row * inner, offA, offB)
    var d = rank - 2
    while d >= 0 {
      index[d] += 1
      offA += stridesA[d]
      offB += stridesB[d]
      if index[d] < outShape[d] { break }
      offA -= stridesA[d] * index[d]
      offB -= stridesB[d] * index[d]
      index[d] = 0
      d -= 1
    }
  }
}

/// Applies `op` element-wise with broadcasting; `outShape` must be the broadcast shape.
@inline(__always)
func mapBinary(
  _ a: [Float], _ shapeA: [Int], _ b: [Float], _ shapeB: [Int], _ outShape: [Int],
  _ op: (Float, Float) -> Float
) -> [Float] {
  let n = sizeOf(outShape)
  return [Float](unsafeUninitializedCapacity: n) { out, count in
    count = n
    guard n > 0 else { return }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        guard let x = pa.baseAddress, let y = pb.baseAddress, let o = out.baseAddress else {
          return
        }
        if a.count == n && b.count == n {
          parallelRanges(n) { lo, hi in for i in lo..<hi { o[i] = op(x[i], y[i]) } }
        } else if b.count == 1 && a.count == n {
          let s = y[0]
          parallelRanges(n) { lo, hi in for i in lo..<hi { o[i] = op(x[i], s) } }
        } else if a.count == 1 && b.count == n {
          let s = x[0]
          parallelRanges(n) { lo, hi in for i in lo..<hi { o[i] = op(s, y[i]) } }
        } else {
          let sa = broadcastStrides(shapeA, to: outShape)
          let sb = broadcastStrides(shapeB, to: outShape)
          let inner = outShape[outShape.count - 1]
          let ia = sa[sa.count - 1]
          let ib = sb[sb.count - 1]
          let rows = n / inner
          func rowBody(_ oo: Int, _ oa: Int, _ ob: Int) {
            let orow = o + oo
            let xa = x + oa
            let yb = y + ob
            if ia == 1 && ib == 1 {
              for j in 0..<inner { orow[j] = op(xa[j], yb[j]) }
            } else if ia == 1 {
              let s = yb[0]
              for j in 0..<inner { orow[j] = op(xa[j], s) }
            } else if ib == 1 {
              let s = xa[0]
              for j in 0..<inner { orow[j] = op(s, yb[j]) }
            } else {
              let v = op(xa[0], yb[0])
              for j in 0..<inner { orow[j] = v }
            }
          }
          parallelRanges(n) { lo, hi in
            // Split on row boundaries: element ranges map to whole rows.
            let r0 = lo / inner
            let r1 = hi == n ? rows : hi / inner
            forEachBroadcastRow(outShape, sa, sb, rows: r0..<r1, rowBody)
          }
        }
      }
    }
  }
}
