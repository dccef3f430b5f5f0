// SPDX-License-Identifier: MIT
import CBLAS
import Foundation

// matMul (batched, broadcasting batch dimensions) on OpenBLAS, plus dot and
// outerProduct built on it. Tape name: BatchMatMul (attrs transposeA/transposeB).

/// Row-major `C = op(A)·op(B)` for one M×K by K×N product. The only BLAS call site of
/// the element ops, so a faster GEMM (Kernels/) can replace it here.
func engineGemm(
  transA: Bool, transB: Bool, M: Int, N: Int, K: Int,
  _ A: UnsafePointer<Float>, lda: Int, _ B: UnsafePointer<Float>, ldb: Int,
  _ C: UnsafeMutablePointer<Float>, ldc: Int
) {
  // Kernels/GEMM.swift: single-threaded OpenBLAS calls split over the cores.
  gemm(
    transA: transA, transB: transB, M: M, N: N, K: K, A, lda: lda, B, ldb: ldb, C, ldc: ldc)
}

extension Tensor {
  /// `tf.matMul(a, b, transposeA, transposeB)`: rank ≥ 2, batch dimensions broadcast.
  public func matMul(_ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws
    -> Tensor
  {
    let a = self
    try a.checkAlive()
    try b.checkAlive()
    if a.rank < 2 || b.rank < 2 {
      throw TensorError(
        "Error in matMul: inputs must have rank at least 2, got ranks \(a.rank) "
          + "and \(b.rank).")
    }
    let innerA = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
    let innerB = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
    if innerA != innerB {
      throw TensorError(
        "Error in matMul: inner shapes (\(innerA)) and (\(innerB)) of Tensors "
          + "with shapes \(shapeText(a.shape)) and \(shapeText(b.shape)) and "
          + "transposeA=\(transposeA) and transposeB=\(transposeB) must match.")
    }
    let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
    let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
    let batchA = Array(a.shape.dropLast(2))
    let batchB = Array(b.shape.dropLast(2))
    let batch = try broadcastShapes(batchA, batchB)
    let outShape = batch + [m, n]
    try Tensor.checkShape(outShape)
    let dtype = DType.upcast(a.dtype, b.dtype)
    let attrs = OpAttrs(["transposeA": .bool(transposeA), "transposeB": .bool(transposeB)])
    return try Engine.shared.runOp("BatchMatMul", inputs: [a, b], attrs: attrs) {
      let count = sizeOf(batch)
      // Map each output batch index to the (broadcast) batch index of each operand.
      let indexA = batchIndexMap(batchA, batch)
      let indexB = batchIndexMap(batchB, batch)
      let k = innerA
      // sgemm with beta 0 writes every element of C, so the output need not be zeroed
      // first; the matrix-vector (m == 1) and empty-inner (k == 0) paths get zeros.
      let total = count * m * n
      var out = m > 1 && k > 0
        ? [Float](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        : [Float](repeating: 0, count: total)
      a.storage.values.withUnsafeBufferPointer { pa in
        b.storage.values.withUnsafeBufferPointer { pb in
          out.withUnsafeMutableBufferPointer { po in
            guard let A = pa.baseAddress, let B = pb.baseAddress, let C = po.baseAddress else {
              return
            }
            for i in 0..<count {
              engineGemm(
                transA: transposeA, transB: transposeB, M: m, N: n, K: k,
                A + indexA[i] * m * k, lda: transposeA ? m : k,
                B + indexB[i] * k * n, ldb: transposeB ? k : n,
                C + i * m * n, ldc: n)
            }
          }
        }
      }
      return Tensor.build(dtype == .float32 ? out : out.map(dtype.convert), outShape, dtype)
    }
  }

  /// `tf.dot(a, b)` for rank-1/rank-2 operands.
  public func dot(_ b: Tensor) throws -> Tensor {
    try checkAlive()
    try b.checkAlive()
    if !(1...2).contains(rank) || !(1...2).contains(b.rank) {
      throw TensorError(
        "Error in dot: inputs must all be rank 1 or 2, but got ranks \(rank) "
          + "and \(b.rank).")
    }
    let innerA = rank == 1 ? shape[0] : shape[1]
    let innerB = b.rank == 1 ? b.shape[0] : b.shape[0]
    if innerA != innerB {
      throw TensorError(
        "Error in dot: inner dimensions of inputs must match, but got \(innerA) "
          + "and \(innerB).")
    }
    return try Engine.shared.tidy {
      let a2 = rank == 1 ? try reshape([1, -1]) : self
      let b2 = b.rank == 1 ? try b.reshape([-1, 1]) : b
      let p = try a2.matMul(b2)
      switch (rank, b.rank) {
      case (1, 1): return try p.reshape([])
      case (1, 2): return try p.reshape([-1])
      case (2, 1): return try p.reshape([p.size])
      default: return p
      }
    }
  }

  /// `tf.outerProduct(v1, v2)`: `v1ᵀ·v2` of two vectors.
  public func outerProduct(_ v2: Tensor) throws -> Tensor {
    try checkAlive()
    try v2.checkAlive()
    if rank != 1 || v2.rank != 1 {
      throw TensorError(
        "Error in outerProduct: inputs must be rank 1, but got ranks \(rank) "
          + "and \(v2.rank).")
    }
    return try Engine.shared.tidy { try reshape([-1, 1]).matMul(try v2.reshape([1, -1])) }
  }
}

/// For each flat index of `outBatch`, the flat index into `batch` under broadcasting.
private func batchIndexMap(_ batch: [Int], _ outBatch: [Int]) -> [Int] {
  let count = sizeOf(outBatch)
  let strides = broadcastStrides(batch, to: outBatch)
  let outStrides = computeStrides(outBatch)
  return (0..<count).map { flat in
    var rem = flat
    var idx = 0
    for d in 0..<outBatch.count {
      let q = rem / outStrides[d]
      rem %= outStrides[d]
      idx += q * strides[d]
    }
    return idx
  }
}
