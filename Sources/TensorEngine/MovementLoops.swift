// SPDX-License-Identifier: MIT
import Foundation

// Index walks behind the movement ops. Most movements (transpose, slice,
// stridedSlice, reverse) are one "strided view" copy: output element `idx`
// reads `src[offset + Σ idx[d]·strides[d]]`, with the innermost dimension run
// as a tight loop.

/// Copies the strided view `offset + Σ idx[d]·strides[d]` of `src` into a dense `outShape` array.
func copyStrided(_ src: [Float], offset: Int, strides: [Int], outShape: [Int]) -> [Float] {
  let n = sizeOf(outShape)
  guard n > 0 else { return [] }
  let rank = outShape.count
  if rank == 0 { return [src[offset]] }
  let inner = outShape[rank - 1]
  let innerStride = strides[rank - 1]
  let rows = n / inner
  return [Float](unsafeUninitializedCapacity: n) { out, count in
    src.withUnsafeBufferPointer { sp in
      guard let s = sp.baseAddress, let o = out.baseAddress else { return }
      var index = [Int](repeating: 0, count: rank)
      var base = offset
      for row in 0..<rows {
        let dst = o + row * inner
        let from = s + base
        if innerStride == 1 {
          dst.update(from: from, count: inner)
        } else {
          for j in 0..<inner { dst[j] = from[j * innerStride] }
        }
        var d = rank - 2
        while d >= 0 {
          index[d] += 1
          base += strides[d]
          if index[d] < outShape[d] { break }
          base -= strides[d] * index[d]
          index[d] = 0
          d -= 1
        }
      }
    }
    count = n
  }
}

/// Calls `body(outerIndex, offset)` for each combination of the leading `dims` of `shape`,
/// where `offset` is the element offset of that prefix in a dense array of `shape`.
func forEachPrefix(_ shape: [Int], dims: Int, _ body: (Int, Int) -> Void) {
  let strides = computeStrides(shape)
  let count = sizeOf(Array(shape.prefix(dims)))
  for i in 0..<count {
    var rem = i
    var off = 0
    for d in stride(from: dims - 1, through: 0, by: -1) {
      off += (rem % shape[d]) * strides[d]
      rem /= shape[d]
    }
    body(i, off)
  }
}
