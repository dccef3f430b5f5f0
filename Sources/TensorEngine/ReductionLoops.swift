// SPDX-License-Identifier: MIT
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
      if inner == 1 {
        for i in 0..<outer { o[i] = Float(sumRow(s + i * r, r, divisor)) }
        return
      }
      let d = divisor ?? 1
      var acc = [Double](repeating: 0, count: inner)
      acc.withUnsafeMutableBufferPointer { ap in
        guard let a = ap.baseAddress else { return }
        for i in 0..<outer {
          a.update(repeating: 0, count: inner)
          for j in 0..<r {
            let row = s + (i * r + j) * inner
            if divisor == nil {
              for k in 0..<inner { a[k] += Double(row[k]) }
            } else {
              for k in 0..<inner { a[k] += Double(row[k] / d) }
            }
          }
          let dst = o + i * inner
          for k in 0..<inner { dst[k] = Float(a[k]) }
        }
      }
    }
  }
  return out
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

/// Folds the reduce block with `combine`, starting from the first element.
@inline(__always)
func reduceFold(_ l: ReductionLayout, _ combine: (Float, Float) -> Float) -> [Float] {
  let (outer, r, inner) = (l.outer, l.reduce, l.inner)
  var out = [Float](repeating: 0, count: outer * inner)
  guard r > 0 else { return out }
  l.values.withUnsafeBufferPointer { sp in
    out.withUnsafeMutableBufferPointer { op in
      guard let s = sp.baseAddress, let o = op.baseAddress else { return }
      for i in 0..<outer {
        let dst = o + i * inner
        let first = s + i * r * inner
        dst.update(from: first, count: inner)
        for j in 1..<max(r, 1) {
          let row = first + j * inner
          for k in 0..<inner { dst[k] = combine(dst[k], row[k]) }
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
  let v = l.values
  for i in 0..<outer {
    for k in 0..<inner {
      var best = v[i * r * inner + k]
      var bestIndex = 0
      for j in 1..<max(r, 1) {
        let x = v[(i * r + j) * inner + k]
        if better(x, best) {
          best = x
          bestIndex = j
        }
      }
      out[i * inner + k] = Float(bestIndex)
    }
  }
  return out
}
