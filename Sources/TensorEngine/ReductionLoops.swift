// SPDX-License-Identifier: MIT
import Dispatch
import Foundation

// Reduction kernels. Input is viewed as [outer, reduce, inner]: reduced axes
// are made one contiguous block (transposing only when they are not), then
// each kernel sums rows (inner == 1) or accumulates whole rows (inner > 1),
// so no index arithmetic sits in the inner loop. Sums accumulate in Double,
// as TF.js's CPU kernels do in JavaScript numbers.

/// A tensor's values arranged as `[outer, reduce, inner]` for reducing over `axes`.
struct ReductionLayout {
  var values: [Float]
  var outer: Int
  var reduce: Int
  var inner: Int
  /// Output shape without and with kept dimensions.
  var outShape: [Int]
  var keptShape: [Int]
}

/// Arranges `values` of `shape` so `axes` (normalized, any order) form the middle block.
func reductionLayout(_ values: [Float], _ shape: [Int], axes: [Int]) -> ReductionLayout {
  let sorted = Array(Set(axes)).sorted()
  let rank = shape.count
  let outShape = (0..<rank).filter { !sorted.contains($0) }.map { shape[$0] }
  let keptShape = (0..<rank).map { sorted.contains($0) ? 1 : shape[$0] }
  let reduceSize = sorted.reduce(1) { $0 * shape[$1] }
  guard let first = sorted.first, let last = sorted.last else {
    return ReductionLayout(
      values: values, outer: sizeOf(shape), reduce: 1, inner: 1,
      outShape: outShape, keptShape: keptShape)
  }
  if last - first + 1 == sorted.count {
    return ReductionLayout(
      values: values, outer: sizeOf(Array(shape[..<first])), reduce: reduceSize,
      inner: sizeOf(Array(shape[(last + 1)...])), outShape: outShape, keptShape: keptShape)
  }
  let kept = (0..<rank).filter { !sorted.contains($0) }
  let permuted = transposeValues(values, shape, kept + sorted)
  return ReductionLayout(
    values: permuted, outer: sizeOf(outShape), reduce: reduceSize,
    inner: 1, outShape: outShape, keptShape: keptShape)
}

/// Σ over the reduce block of `x` (or of `x / divisor`, each quotient rounded to float32
/// first, as TF.js's mean does), accumulated in Double.
func reduceSum(_ l: ReductionLayout, divisor: Float? = nil) -> [Float] {
  let (outer, r, inner) = (l.outer, l.reduce, l.inner)
  var out = [Float](repeating: 0, count: outer * inner)
  l.values.withUnsafeBufferPointer { sp in
    out.withUnsafeMutableBufferPointer { op in
      guard let s = sp.baseAddress, let o = op.baseAddress else { return }
      if outer == 1 && inner == 1 {
        // One sum over everything: partial sums of contiguous pieces, added in order.
        o[0] = Float(reducePieces(r) { lo, hi in sumRow(s + lo, hi - lo, divisor) }.reduce(0, +))
        return
      }
      forReductionParts(l) { rows, columns in
        if inner == 1 {
          for i in rows { o[i] = Float(sumRow(s + i * r, r, divisor)) }
          return
        }
        let d = divisor ?? 1
        let width = columns.count
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { acc.deallocate() }
        for i in rows {
          acc.update(repeating: 0, count: width)
          for j in 0..<r {
            let row = s + (i * r + j) * inner + columns.lowerBound
            if divisor == nil {
              for k in 0..<width { acc[k] += Double(row[k]) }
            } else {
              for k in 0..<width { acc[k] += Double(row[k] / d) }
            }
          }
          let dst = o + i * inner + columns.lowerBound
          for k in 0..<width { dst[k] = Float(acc[k]) }
        }
      }
    }
  }
  return out
}

/// Runs `body(rows, columns)` over parts of a reduction's output (whole outer rows when
/// there are several, else ranges of inner columns), on all workers when the input is
/// large; each output element is computed by one part, in the same order as on one thread.
@inline(__always)
func forReductionParts(_ l: ReductionLayout, _ body: (Range<Int>, Range<Int>) -> Void) {
  let workers = KernelThreading.workerCount
  let total = l.outer * l.reduce * l.inner
  let byRows = l.outer >= workers
  let parts = min(workers, byRows ? l.outer : l.inner)
  if total < parallelThreshold || parts < 2 {
    body(0..<l.outer, 0..<l.inner)
    return
  }
  DispatchQueue.concurrentPerform(iterations: parts) { part in
    if byRows {
      body((l.outer * part / parts)..<(l.outer * (part + 1) / parts), 0..<l.inner)
    } else {
      body(0..<l.outer, (l.inner * part / parts)..<(l.inner * (part + 1) / parts))
    }
  }
}

/// `piece(lo, hi)` over contiguous pieces of `0..<count` (one piece per worker when `count`
/// is large, else one), results in order.
@inline(__always)
func reducePieces<T>(_ count: Int, _ piece: (Int, Int) -> T) -> [T] {
  let parts = count < parallelThreshold ? 1 : KernelThreading.workerCount
  if parts < 2 { return [piece(0, count)] }
  var results = [T?](repeating: nil, count: parts)
  results.withUnsafeMutableBufferPointer { rp in
    guard let base = rp.baseAddress else { return }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      base[part] = piece(count * part / parts, count * (part + 1) / parts)
    }
  }
  return results.map { $0! }
}

/// Sum of `count` contiguous floats (divided by `divisor` when given) in Double,
/// eight independent lanes wide.
@inline(__always)
private func sumRow(_ p: UnsafePointer<Float>, _ count: Int, _ divisor: Float?) -> Double {
  var acc = SIMD8<Double>()
  var j = 0
  let raw = UnsafeRawPointer(p)
  if let divisor {
    let dv = SIMD8<Float>(repeating: divisor)
    while j + 8 <= count {
      acc += SIMD8<Double>(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) / dv)
      j += 8
    }
    var total = acc.sum()
    while j < count {
      total += Double(p[j] / divisor)
      j += 1
    }
    return total
  }
  while j + 8 <= count {
    acc += SIMD8<Double>(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self))
    j += 8
  }
  var total = acc.sum()
  while j < count {
    total += Double(p[j])
    j += 1
  }
  return total
}

/// Folds the reduce block with `combine`, starting from the first element. `combine` must
/// be associative (max, min, any, all): a whole-tensor fold combines per-worker pieces.
@inline(__always)
func reduceFold(_ l: ReductionLayout, _ combine: (Float, Float) -> Float) -> [Float] {
  let (outer, r, inner) = (l.outer, l.reduce, l.inner)
  var out = [Float](repeating: 0, count: outer * inner)
  guard r > 0 else { return out }
  l.values.withUnsafeBufferPointer { sp in
    out.withUnsafeMutableBufferPointer { op in
      guard let s = sp.baseAddress, let o = op.baseAddress else { return }
      if outer == 1 && inner == 1 {
        let pieces = reducePieces(r) { lo, hi in
          var acc = s[lo]
          for j in (lo + 1)..<max(hi, lo + 1) { acc = combine(acc, s[j]) }
          return acc
        }
        o[0] = pieces.dropFirst().reduce(pieces[0], combine)
        return
      }
      forReductionParts(l) { rows, columns in
        let width = columns.count
        for i in rows {
          let dst = o + i * inner + columns.lowerBound
          let first = s + i * r * inner + columns.lowerBound
          dst.update(from: first, count: width)
          for j in 1..<max(r, 1) {
            let row = first + j * inner
            for k in 0..<width { dst[k] = combine(dst[k], row[k]) }
          }
        }
      }
    }
  }
  return out
}

/// Index within the reduce block of the first element that `better` prefers.
func reduceArg(_ l: ReductionLayout, _ better: (Float, Float) -> Bool) -> [Float] {
  let (outer, r, inner) = (l.outer, l.reduce, l.inner)
  var out = [Float](repeating: 0, count: outer * inner)
  guard r > 0 else { return out }
  l.values.withUnsafeBufferPointer { sp in
    out.withUnsafeMutableBufferPointer { op in
      guard let v = sp.baseAddress, let o = op.baseAddress else { return }
      forReductionParts(l) { rows, columns in
        for i in rows {
          for k in columns {
            var best = v[i * r * inner + k]
            var bestIndex = 0
            for j in 1..<max(r, 1) {
              let x = v[(i * r + j) * inner + k]
              if better(x, best) {
                best = x
                bestIndex = j
              }
            }
            o[i * inner + k] = Float(bestIndex)
          }
        }
      }
    }
  }
  return out
}
