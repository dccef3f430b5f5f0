// SPDX-License-Identifier: MIT
import Foundation

// Index walks behind the movement ops. Most movements (transpose, slice,
// stridedSlice, reverse) are one "strided view" copy: output element `idx`
// reads `src[offset + Σ idx[d]·strides[d]]`, with the innermost dimension run
// as a tight loop.

/// Copies the strided view `offset + Σ idx[d]·strides[d]` of `src` into a dense `outShape` array.
func copyStrided(_ src: [Float], offset: Int, strides rawStrides: [Int], outShape rawShape: [Int])
  -> [Float]
{
  let n = sizeOf(rawShape)
  guard n > 0 else { return [] }
  let (outShape, strides) = coalesce(rawShape, rawStrides)
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

/// Merges neighbouring dimensions that a strided view walks contiguously (and drops
/// size-1 dimensions), so e.g. a batch slice of images becomes one run per image.
func coalesce(_ shape: [Int], _ strides: [Int]) -> ([Int], [Int]) {
  var dims: [(size: Int, stride: Int)] = []
  for (size, stride) in zip(shape, strides) where size != 1 {
    if let last = dims.last, last.stride == stride * size {
      dims[dims.count - 1] = (last.size * size, stride)
    } else {
      dims.append((size, stride))
    }
  }
  if dims.isEmpty { return ([1], [0]) }
  return (dims.map(\.size), dims.map(\.stride))
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

/// Copies each innermost row of `src` (shaped `shape`) into `out` (shaped `outShape`, already
/// filled with the pad value) at offset `before[d]` along every dimension: one block copy per
/// row, the row's output offset advanced incrementally.
func padRows(
  _ src: [Float], _ shape: [Int], into out: inout [Float], _ outShape: [Int], before: [Int]
) {
  let rank = shape.count
  let inner = shape[rank - 1]
  let rows = sizeOf(shape) / inner
  let outStrides = computeStrides(outShape)
  var start = 0
  for d in 0..<rank { start += before[d] * outStrides[d] }
  src.withUnsafeBufferPointer { sp in
    out.withUnsafeMutableBufferPointer { op in
      guard let s = sp.baseAddress, let o = op.baseAddress else { return }
      var index = [Int](repeating: 0, count: rank)
      var offset = start
      for row in 0..<rows {
        (o + offset).update(from: s + row * inner, count: inner)
        var d = rank - 2
        while d >= 0 {
          index[d] += 1
          offset += outStrides[d]
          if index[d] < shape[d] { break }
          offset -= outStrides[d] * index[d]
          index[d] = 0
          d -= 1
        }
      }
    }
  }
}
