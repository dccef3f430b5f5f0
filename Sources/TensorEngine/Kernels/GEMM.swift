// Matrix multiply on OpenBLAS, threaded the way that measured fastest here.
//
// Debian's OpenBLAS 0.3.21 threads skinny shapes badly (12544×8×16 ran at 9.8
// GFLOP/s with its 2 threads, 51 with one). So OpenBLAS is pinned to one thread
// and `gemm` splits the rows of C itself over the workers (or the columns when
// there are too few rows), each worker calling single-threaded `cblas_sgemm`.

import CBLAS

/// Pins OpenBLAS to one thread, once; `gemm` does its own splitting.
private let blasSingleThreaded: Void = {
  openblas_set_num_threads(1)
}()

/// Makes sure OpenBLAS runs single-threaded (kernels that call `cblas_sgemm` directly from
/// worker threads call this first).
@inline(__always)
public func prepareBLAS() {
  _ = blasSingleThreaded
}

/// Row-major single-precision GEMM: `C = alpha · op(A) · op(B) + beta · C`, where `op(A)`
/// is M×K and `op(B)` is K×N. `lda`, `ldb`, `ldc` are the row strides of A, B, C as
/// stored (A is M×K, or K×M when `transA`). Splits the work over the cores above ~0.5
/// MFLOP: rows of C when M ≥ 32 per worker, otherwise columns.
public func gemm(
  transA: Bool, transB: Bool, M: Int, N: Int, K: Int,
  alpha: Float = 1,
  _ A: UnsafePointer<Float>, lda: Int,
  _ B: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0,
  _ C: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard M > 0, N > 0 else { return }
  if K == 0 {
    scaleMatrix(C, rows: M, columns: N, ldc: ldc, beta: beta)
    return
  }
  prepareBLAS()
  let work = M * N * K
  if M == 1 {
    rowTimesMatrix(transA: transA, transB: transB, N: N, K: K, alpha: alpha, A, lda: lda, B,
                   ldb: ldb, beta: beta, C)
    return
  }
  let workers = KernelThreading.workerCount
  let splitRows = M >= 32 * workers || N < 16 * workers
  if splitRows {
    KernelThreading.forChunks(M, work: work, minimumChunk: 8) { _, rows in
      let a = transA ? A + rows.lowerBound : A + rows.lowerBound * lda
      sgemmRaw(
        transA, transB, rows.count, N, K, alpha, a, lda, B, ldb, beta,
        C + rows.lowerBound * ldc, ldc)
    }
  } else {
    KernelThreading.forChunks(N, work: work, minimumChunk: 16) { _, cols in
      let b = transB ? B + cols.lowerBound * ldb : B + cols.lowerBound
      sgemmRaw(
        transA, transB, M, cols.count, K, alpha, A, lda, b, ldb, beta,
        C + cols.lowerBound, ldc)
    }
  }
}

/// The M = 1 case (a dense layer on one example) as matrix-vector products, which OpenBLAS
/// runs several times faster than a one-row GEMM; columns are split over the workers.
private func rowTimesMatrix(
  transA: Bool, transB: Bool, N: Int, K: Int, alpha: Float, _ A: UnsafePointer<Float>,
  lda: Int, _ B: UnsafePointer<Float>, ldb: Int, beta: Float, _ C: UnsafeMutablePointer<Float>
) {
  // The row of op(A) is A's first row, or A's first column when transposed.
  let incx = blasint(transA ? lda : 1)
  KernelThreading.forChunks(N, work: N * K, minimumChunk: 64) { _, cols in
    let n = blasint(cols.count)
    let out = C + cols.lowerBound
    if transB {
      // op(B) = Bᵀ with B stored N×K: y = B[cols, :] · x.
      cblas_sgemv(
        CblasRowMajor, CblasNoTrans, n, blasint(K), alpha, B + cols.lowerBound * ldb,
        blasint(ldb), A, incx, beta, out, 1)
    } else {
      // B stored K×N: y = B[:, cols]ᵀ · x.
      cblas_sgemv(
        CblasRowMajor, CblasTrans, blasint(K), n, alpha, B + cols.lowerBound, blasint(ldb), A,
        incx, beta, out, 1)
    }
  }
}

/// One single-threaded `cblas_sgemm` call in row-major order (no splitting).
@inline(__always)
public func sgemmRaw(
  _ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
  _ A: UnsafePointer<Float>, _ lda: Int, _ B: UnsafePointer<Float>, _ ldb: Int,
  _ beta: Float, _ C: UnsafeMutablePointer<Float>, _ ldc: Int
) {
  cblas_sgemm(
    CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
    blasint(M), blasint(N), blasint(K), alpha, A, blasint(lda), B, blasint(ldb), beta,
    C, blasint(ldc))
}

/// `C = beta · C` for an M×N block (the K = 0 case, which BLAS may reject).
private func scaleMatrix(
  _ C: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, beta: Float
) {
  for i in 0..<rows {
    let row = C + i * ldc
    if beta == 0 {
      row.update(repeating: 0, count: columns)
    } else {
      for j in 0..<columns { row[j] *= beta }
    }
  }
}
