// SPDX-License-Identifier: MIT
import Foundation

// Indexing ops: gather (with batchDims) and stridedSlice (TF's begin/end/
// strides with begin, end, ellipsis, newAxis and shrinkAxis masks).

extension Tensor {
  /// `tf.gather(x, indices, axis, batchDims)`: picks slices along `axis` by int32 indices.
  public func gather(_ indices: Tensor, axis: Int = 0, batchDims: Int = 0) throws -> Tensor {
    try checkAlive()
    try indices.checkAlive()
    try indices.requireDtype(.int32, arg: "indices", op: "gather")
    let a = try parseAxes([axis], rank: rank)[0]
    let bd = batchDims < 0 ? batchDims + indices.rank : batchDims
    if bd > indices.rank || bd < 0 {
      throw TensorError(
        "batchDims (\(batchDims)) must be less than rank(indices) (\(indices.rank)).")
    }
    if bd > a {
      throw TensorError("batchDims (\(bd)) must be less than or equal to axis (\(a)).")
    }
    for d in 0..<bd where shape[d] != indices.shape[d] {
      throw TensorError(
        "x.shape[\(d)]: \(shape[d]) should be equal to indices.shape[\(d)]: "
          + "\(indices.shape[d]).")
    }
    let dim = shape[a]
    for v in indices.values where v < 0 || v >= Float(dim) {
      throw TensorError(
        "GatherV2: the index value \(jsNumber(Double(v))) is not in [0, \(dim - 1)]")
    }
    let outShape = Array(shape[..<a]) + Array(indices.shape[bd...]) + Array(shape[(a + 1)...])
    try Tensor.checkShape(outShape)
    let x = self
    return try Engine.shared.runOp(
      "GatherV2", inputs: [x, indices], attrs: OpAttrs(["axis": .int(a), "batchDims": .int(bd)])
    ) {
      let batch = sizeOf(Array(x.shape[..<bd]))
      let outer = sizeOf(Array(x.shape[bd..<a]))
      let inner = sizeOf(Array(x.shape[(a + 1)...]))
      let perBatch = batch == 0 ? 0 : indices.size / batch
      let src = x.values
      let idx = indices.values
      var out = [Float]()
      out.reserveCapacity(sizeOf(outShape))
      for b in 0..<batch {
        for o in 0..<outer {
          let base = (b * outer + o) * dim * inner
          for n in 0..<perBatch {
            let start = base + Int(idx[b * perBatch + n]) * inner
            out.append(contentsOf: src[start..<start + inner])
          }
        }
      }
      return Tensor.build(out, outShape, x.dtype)
    }
  }

  /// `tf.stridedSlice(x, begin, end, strides?, beginMask, endMask, ellipsisMask,
  /// newAxisMask, shrinkAxisMask)` with TF's semantics.
  public func stridedSlice(
    _ begin: [Int], _ end: [Int], _ strides: [Int]? = nil, beginMask: Int = 0, endMask: Int = 0,
    ellipsisMask: Int = 0, newAxisMask: Int = 0, shrinkAxisMask: Int = 0
  ) throws -> Tensor {
    try checkAlive()
    let steps = strides ?? [Int](repeating: 1, count: begin.count)
    if end.count != begin.count || steps.count != begin.count {
      throw TensorError("Error in stridedSlice: begin, end and strides must have the same length.")
    }
    if steps.contains(0) || steps.contains(Int.min) {
      throw TensorError("Error in stridedSlice: strides must be non-zero.")
    }
    if ellipsisMask & (ellipsisMask - 1) != 0 {
      throw TensorError("Multiple ellipses in slice is not allowed.")
    }
    let spec = try denseSliceSpec(
      begin, end, steps, beginMask, endMask, ellipsisMask,
      newAxisMask, shrinkAxisMask)
    let srcStrides = computeStrides(shape)
    var offset = 0
    var viewStrides: [Int] = []
    var viewShape: [Int] = []
    for d in 0..<rank {
      let (b, size, step) = (spec.begin[d], spec.size[d], spec.stride[d])
      if size > 0 { offset += b * srcStrides[d] }
      viewStrides.append(srcStrides[d] * step)
      viewShape.append(size)
    }
    let x = self
    let finalShape = spec.finalShape
    let attrs = OpAttrs([
      "begin": .ints(spec.begin), "size": .ints(spec.size), "strides": .ints(spec.stride),
    ])
    return try Engine.shared.runOp("StridedSlice", inputs: [x], attrs: attrs) {
      let values =
        sizeOf(viewShape) == 0
        ? [] : copyStrided(x.values, offset: offset, strides: viewStrides, outShape: viewShape)
      return Tensor.build(values, finalShape, x.dtype)
    }
  }

  /// Per input dimension: first index, element count, step; and the final output shape.
  private func denseSliceSpec(
    _ begin: [Int], _ end: [Int], _ steps: [Int], _ beginMask: Int, _ endMask: Int,
    _ ellipsisMask: Int, _ newAxisMask: Int, _ shrinkMask: Int
  ) throws -> (begin: [Int], size: [Int], stride: [Int], finalShape: [Int]) {
    let n = begin.count
    let bit = { (mask: Int, i: Int) in mask & (1 << i) != 0 }
    // Sparse entries that consume an input dimension (not ellipsis, not new axis).
    let consuming = (0..<n).filter { !bit(ellipsisMask, $0) && !bit(newAxisMask, $0) }.count
    var dBegin: [Int] = []
    var dSize: [Int] = []
    var dStride: [Int] = []
    var finalShape: [Int] = []
    var dim = 0
    func fullDim() {
      dBegin.append(0)
      dSize.append(shape[dim])
      dStride.append(1)
      finalShape.append(shape[dim])
      dim += 1
    }
    for i in 0..<n {
      if bit(ellipsisMask, i) {
        let count = rank - consuming
        for _ in 0..<Swift.max(0, count) where dim < rank { fullDim() }
        continue
      }
      if bit(newAxisMask, i) {
        finalShape.append(1)
        continue
      }
      guard dim < rank else {
        throw TensorError(
          "Error in stridedSlice: index \(i) of the slice is out of range for "
            + "a tensor of rank \(rank).")
      }
      let size = shape[dim]
      let step = steps[i]
      if bit(shrinkMask, i) {
        var b = begin[i] < 0 ? begin[i] + size : begin[i]
        if bit(beginMask, i) { b = 0 }
        if b < 0 || b >= size {
          throw TensorError("slice index \(begin[i]) of dimension \(dim) out of bounds.")
        }
        dBegin.append(b)
        dSize.append(1)
        dStride.append(1)
        dim += 1
        continue
      }
      var b: Int
      var e: Int
      if step > 0 {
        b = bit(beginMask, i) ? 0 : (begin[i] < 0 ? begin[i] + size : begin[i])
        e = bit(endMask, i) ? size : (end[i] < 0 ? end[i] + size : end[i])
        b = Swift.min(Swift.max(b, 0), size)
        e = Swift.min(Swift.max(e, 0), size)
      } else {
        b = bit(beginMask, i) ? size - 1 : (begin[i] < 0 ? begin[i] + size : begin[i])
        e = bit(endMask, i) ? -1 : (end[i] < 0 ? end[i] + size : end[i])
        b = Swift.min(Swift.max(b, -1), size - 1)
        e = Swift.min(Swift.max(e, -1), size - 1)
      }
      let count =
        step > 0 ? (e > b ? (e - b - 1) / step + 1 : 0) : (b > e ? (b - e - 1) / -step + 1 : 0)
      dBegin.append(b)
      dSize.append(count)
      dStride.append(step)
      finalShape.append(count)
      dim += 1
    }
    while dim < rank { fullDim() }
    return (dBegin, dSize, dStride, finalShape)
  }
}
