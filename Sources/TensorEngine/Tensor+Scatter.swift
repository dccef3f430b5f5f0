// SPDX-License-Identifier: MIT
import Foundation

// Ops that scatter values into a zero tensor: diag and unsortedSegmentSum.

extension Tensor {
  /// `tf.diag(x)`: a tensor of shape `x.shape + x.shape` with `x` on its diagonal.
  public func diag() throws -> Tensor {
    try checkAlive()
    let outShape = shape + shape
    try Tensor.checkShape(outShape)
    let x = self
    return try Engine.shared.runOp("Diag", inputs: [x]) {
      let n = x.size
      let src = x.values
      return Tensor.filled(outShape, x.dtype) { buf in
        buf.initialize(repeating: 0)
        for i in 0..<n { buf[i * n + i] = src[i] }
      }
    }
  }

  /// `tf.unsortedSegmentSum(x, segmentIds, numSegments)`: sums the slices `x[i]` into
  /// row `segmentIds[i]` of a `[numSegments, ...x.shape[1...]]` result; ids outside
  /// `[0, numSegments)` are dropped, as TF does.
  public func unsortedSegmentSum(_ segmentIds: Tensor, numSegments: Int) throws -> Tensor {
    try checkAlive()
    try segmentIds.checkAlive()
    try segmentIds.requireDtype(.int32, arg: "segmentIds", op: "unsortedSegmentSum")
    if rank == 0 { throw TensorError("unsortedSegmentSum() expects a tensor of rank >= 1.") }
    if segmentIds.rank != 1 || segmentIds.size != shape[0] {
      throw TensorError(
        "segmentIds must be a vector of length x.shape[0] (\(shape[0])), but "
          + "has shape \(shapeText(segmentIds.shape)).")
    }
    if numSegments < 0 {
      throw TensorError("numSegments must be non-negative, got \(numSegments).")
    }
    let outShape = [numSegments] + Array(shape.dropFirst())
    try Tensor.checkShape(outShape)
    let x = self
    return try Engine.shared.runOp(
      "UnsortedSegmentSum", inputs: [x, segmentIds],
      attrs: OpAttrs(["numSegments": .int(numSegments)])
    ) {
      let inner = sizeOf(Array(x.shape.dropFirst()))
      let src = x.values
      let ids = segmentIds.values
      var out = [Float](repeating: 0, count: sizeOf(outShape))
      for (i, idValue) in ids.enumerated() {
        let id = Int(idValue)
        guard id >= 0 && id < numSegments else { continue }
        for k in 0..<inner { out[id * inner + k] += src[i * inner + k] }
      }
      return Tensor.build(
        x.dtype == .bool ? out.map(DType.int32.convert) : out, outShape,
        x.dtype == .bool ? .int32 : x.dtype)
    }
  }
}

// MARK: - TensorBuffer from a tensor

extension Tensor {
  /// `x.bufferSync()`: a mutable copy of the values as a `TensorBuffer`.
  public func bufferSync() throws -> TensorBuffer {
    try checkAlive()
    return try TensorBuffer(shape: shape, dtype: dtype, values: storage.values)
  }
}
