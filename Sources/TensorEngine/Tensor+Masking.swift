// SPDX-License-Identifier: MIT
import Foundation

// Data-dependent selection: gatherND, whereIndices (TF.js `whereAsync`) and
// booleanMask (TF.js `booleanMaskAsync`), run synchronously here. These have
// no gradients (TF.js defines none for Where; GatherNd's is not needed yet).

extension Tensor {
  /// `tf.gatherND(x, indices)`: the last axis of the int32 `indices` addresses the
  /// leading dimensions of `x`; output shape `indices.shape[:-1] + x.shape[depth:]`.
  public func gatherND(_ indices: Tensor) throws -> Tensor {
    try checkAlive()
    try indices.checkAlive()
    if rank < 1 {
      throw TensorError(
        "tf.gatherND() expects the input to be rank 1 or higher, but the rank "
          + "was \(rank).")
    }
    if indices.rank < 1 {
      throw TensorError(
        "tf.gatherND() expects the indices to be rank 1 or higher, but the "
          + "rank was \(indices.rank).")
    }
    if indices.dtype != .int32 {
      throw TensorError(
        "tf.gatherND() expects the indices to be int32 type, but the dtype "
          + "was \(indices.dtype).")
    }
    let depth = indices.shape[indices.rank - 1]
    if depth > rank {
      throw TensorError(
        "index innermost dimension length must be <= tensor rank; saw: "
          + "\(depth) vs. \(rank)")
    }
    let count = depth == 0 ? 0 : indices.size / depth
    let sliceShape = Array(shape[depth...])
    let sliceSize = sizeOf(sliceShape)
    let outShape = Array(indices.shape.dropLast()) + sliceShape
    try Tensor.checkShape(outShape)
    let strides = computeStrides(shape)
    let idx = indices.values
    var offsets = [Int]()
    offsets.reserveCapacity(count)
    for n in 0..<count {
      var off = 0
      for d in 0..<depth {
        let v = Int(idx[n * depth + d])
        if v < 0 || v >= shape[d] {
          let index = idx[(n * depth)..<((n + 1) * depth)].map { String(Int($0)) }
          throw TensorError(
            "Invalid index: \(index.joined(separator: ",")) does not index into "
              + shapeText(shape))
        }
        off += v * strides[d]
      }
      offsets.append(off)
    }
    let x = self
    return try Engine.shared.runOp("GatherNd", inputs: [x, indices]) {
      let src = x.values
      var out = [Float]()
      out.reserveCapacity(sizeOf(outShape))
      if depth == 0 {
        for _ in 0..<sizeOf(Array(indices.shape.dropLast())) { out += src }
      } else {
        for off in offsets { out += src[off..<off + sliceSize] }
      }
      return Tensor.build(out, outShape, x.dtype)
    }
  }

  /// `tf.whereAsync(condition)`, synchronously: int32 coordinates `[numTrue, rank]` of
  /// the true elements of a bool tensor, in row-major order.
  public func whereIndices() throws -> Tensor {
    try checkAlive()
    try requireDtype(.bool, arg: "condition", op: "whereAsync")
    let strides = computeStrides(shape)
    var coords: [Float] = []
    var n = 0
    for (i, v) in values.enumerated() where v != 0 {
      var rem = i
      for d in 0..<rank {
        coords.append(Float(rem / strides[d]))
        rem %= strides[d]
      }
      n += 1
    }
    return Tensor.build(coords, [n, rank], .int32)
  }

  /// `tf.booleanMaskAsync(tensor, mask, axis)`, synchronously: keeps the slices where the
  /// bool `mask` (matching `shape[axis..<axis + mask.rank]`) is true.
  public func booleanMask(_ mask: Tensor, axis: Int = 0) throws -> Tensor {
    try checkAlive()
    try mask.checkAlive()
    try mask.requireDtype(.bool, arg: "mask", op: "boolMask")
    let a = axis < 0 ? axis + rank : axis
    if mask.rank == 0 { throw TensorError("mask cannot be scalar") }
    guard a >= 0, a + mask.rank <= rank, Array(shape[a..<(a + mask.rank)]) == mask.shape else {
      let part = a >= 0 && a <= rank ? Array(shape[a..<Swift.min(rank, a + mask.rank)]) : []
      throw TensorError(
        "mask's shape must match the first K dimensions of tensor's shape, "
          + "Shapes \(shapeText(part)) and \(shapeText(mask.shape)) must match")
    }
    return try Engine.shared.tidy {
      let lead = sizeOf(mask.shape)
      let target = Array(shape[..<a]) + [lead] + Array(shape[(a + mask.rank)...])
      let flat = try reshape(target)
      let positions = try mask.reshape([-1]).whereIndices().reshape([-1])
      return try flat.gather(positions, axis: a)
    }
  }
}
