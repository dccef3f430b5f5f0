// Matrix multiply: Swift SIMD kernels for the small shapes OpenBLAS handles slowly here,
// OpenBLAS (single-threaded calls, split over the workers ourselves) for the rest.
//
// Paths (`gemmPath`), measured one core, CPU time, -target-cpu haswell (GFLOP/s, ours
// against single-threaded OpenBLAS on the same shape):
// - K ≤ 64 and K·N ≤ 8192 (the early pointwise convolutions): 6×16 register tiles, each
//   row tile sweeping all of B, which stays in L1; rows split over the workers.
//   12544×8×16: 84 against 70; 12544×32×64: 123 against 117.
// - M < 64 and K ≤ 512 (the 7×7 pointwise convolutions, small batches): the same tiles,
//   16-column panels of B split over the workers. 49×256×256: 123 against 107.
// - M = 1 (a dense layer on one example): GEMV kernels streaming B (GEMM+Vector.swift),
//   on par with sgemv on one core, with no call overhead when split.
// - Builds with AVX-512 (TL_AVX512, set by Package.swift; GEMM+AVX512.swift): everything
//   else but K < 16 (still the 6×16 tiles by rows) and M < 24 with N < 64 (by columns)
//   goes to the 12×32 SIMD16 tiles, rows (or 32-column panels) split over the workers.
//   Two workers, wall time, against numpy's own (SkylakeX) OpenBLAS in the same run:
//   1024³ 440 against 468, 12544×32×64 427 against 365, 3136×128×128 490 against 454,
//   49×256×256 340 against 283 (the AVX2 paths, same command earlier: 252, 239, 248, 228).
// - Otherwise OpenBLAS. Debian's 0.3.21 threads skinny shapes badly (12544×8×16 ran at 9.8
//   GFLOP/s with its 2 threads, 51 with one), so it is pinned to one thread and `gemm`
//   splits the rows of C over the workers (or the columns when there are too few rows).
// The Swift kernels need hardware FMA (`hardwareFMA`); without it everything but M = 1
// goes to OpenBLAS. Splitting uses KernelThreading's persistent workers, whose fast
// start mattered as much as the kernels at these sizes (a whole 12544×8×16 product is
// about 25 µs on two cores).

import CBLAS
import Foundation

/// Pins OpenBLAS to one thread, once; `gemm` does its own splitting. Also stops the worker
/// threads a threaded OpenBLAS starts when it loads: they would only spin-wait for work
/// that never comes (measured here: ~0.1 s of CPU on the other core at every start, fib(30)
/// in 0.12 s wall had 0.10 s of system time). `blas_thread_shutdown_` is what OpenBLAS
/// itself calls before a fork; it is looked up at run time, so serial builds are fine.
private let blasSingleThreaded: Void = {
  openblas_set_num_threads(1)
  typealias Shutdown = @convention(c) () -> Int32
  if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") {
    _ = unsafeBitCast(symbol, to: Shutdown.self)()
  }
}()

/// Makes sure OpenBLAS runs single-threaded (kernels that call `cblas_sgemm` directly from
/// worker threads call this first).
@inline(__always)
public func prepareBLAS() {
  _ = blasSingleThreaded
}

/// Which GEMM implementation handles a shape (see `gemmPath`).
enum GEMMPath: Equatable {
  /// OpenBLAS, rows or columns split over the workers.
  case blas
  /// The Swift register-tiled kernels, rows split over the workers; each 6-row tile sweeps
  /// all of a small B.
  case tilesByRows
  /// The Swift register-tiled kernels, 16-column panels split over the workers; each panel
  /// sweeps all (few) rows.
  case tilesByColumns
  /// The 12×32 AVX-512 tiles (builds with TL_AVX512), rows or columns split over the
  /// workers.
  case avx512
  /// M = 1: the Swift vector kernels (OpenBLAS's sgemv with `swiftKernels` off).
  case vector
}

/// Tuning switches for `gemm` (benchmarks compare against plain OpenBLAS with them).
public enum GEMMTuning {
  /// Use the Swift kernels for the shapes they win on; false sends everything to OpenBLAS.
  nonisolated(unsafe) public static var swiftKernels = true
  /// Tests: the path every product takes, whatever its shape (even without hardware FMA).
  nonisolated(unsafe) static var forcedPath: GEMMPath?
}

/// The implementation `gemm` uses for an M×K×N product (M, N, K > 0).
func gemmPath(M: Int, N: Int, K: Int) -> GEMMPath {
  if let forced = GEMMTuning.forcedPath { return forced == .vector && M != 1 ? .blas : forced }
  guard GEMMTuning.swiftKernels, hardwareFMA else { return M == 1 ? .vector : .blas }
  if M == 1 { return .vector }
  if avx512Kernels {
    // The AVX-512 tiles win everywhere else measured except at tiny K (12544×8×16: the
    // 6×16 tiles 163, these 136 GFLOP/s) and for few rows and columns both (12×300×40:
    // 117 against 103; 16×128×128: 73 against 109, 8×256×256: 70 against 103).
    if K < 16 && K * N <= 8192 { return .tilesByRows }
    if M < 24 && K <= 512 && N < 64 { return .tilesByColumns }
    return .avx512
  }
  // B small enough to stay in L1 while every row streams past it: packing A and B (what
  // OpenBLAS does first) would cost as much as the multiply.
  if K <= 64 && K * N <= 8192 { return .tilesByRows }
  // Few rows: OpenBLAS's blocking has nothing to amortise over.
  if M < 64 && K <= 512 { return .tilesByColumns }
  if avx512Kernels { return .avx512 }
  return .blas
}

/// Row-major single-precision GEMM: `C = alpha · op(A) · op(B) + beta · C`, where `op(A)`
/// is M×K and `op(B)` is K×N. `lda`, `ldb`, `ldc` are the row strides of A, B, C as
/// stored (A is M×K, or K×M when `transA`). As in BLAS, C is not read when `beta` is 0.
/// Small K·N, few rows and M = 1 run on Swift SIMD kernels (GEMM+Tiles.swift,
/// GEMM+Vector.swift); the rest on single-threaded OpenBLAS calls split over the cores.
public func gemm(
  transA: Bool, transB: Bool, M: Int, N: Int, K: Int,
  alpha: Float = 1,
  _ A: UnsafePointer<Float>, lda: Int,
  _ B: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0,
  _ C: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard M > 0, N > 0 else { return }
  if K == 0 || alpha == 0 {
    scaleMatrix(C, rows: M, columns: N, ldc: ldc, beta: beta)
    return
  }
  let work = M * N * K
  switch gemmPath(M: M, N: N, K: K) {
  case .vector:
    rowTimesMatrix(transA: transA, transB: transB, N: N, K: K, alpha: alpha, A, lda: lda, B,
                   ldb: ldb, beta: beta, C)
  case .tilesByRows:
    let a = StridedA(A, lda: lda, transposed: transA)
    let out = TileOutput(C: C, ldc: ldc, alpha: alpha, beta: beta)
    KernelThreading.forTasks(M, work: work, minimumChunk: 48) { rows in
      tiledColumns(a, rows: rows, columns: 0..<N, K: K, B, ldb: ldb, transB: transB, out,
                   rowsOuter: true)
    }
  case .tilesByColumns:
    let a = StridedA(A, lda: lda, transposed: transA)
    let out = TileOutput(C: C, ldc: ldc, alpha: alpha, beta: beta)
    let panels = (N + 15) / 16
    KernelThreading.forTasks(panels, work: work, tasksPerWorker: 2) { range in
      let columns = range.lowerBound * 16..<min(N, range.upperBound * 16)
      tiledColumns(a, rows: 0..<M, columns: columns, K: K, B, ldb: ldb, transB: transB, out,
                   rowsOuter: false)
    }
  case .avx512:
    avx512GEMM(transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, A, lda: lda,
               B, ldb: ldb, beta: beta, C, ldc: ldc)
  case .blas:
    blasGEMM(transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, A, lda: lda, B,
             ldb: ldb, beta: beta, C, ldc: ldc)
  }
}

/// `C[rows, columns]` by the tiled kernels. With `rowsOuter` (a small op(B)), op(B)'s
/// columns are taken whole, otherwise in 16-column panels, each swept over all rows. A
/// panel is packed when it is transposed, when its rows are loose (a small B, packed once),
/// or when its row stride is a multiple of 2 KiB, which maps all its rows to one or two L1
/// sets (49×1024×1024 ran at half speed unpacked); otherwise it is read in place, as
/// packing costs more than it saves for few rows.
private func tiledColumns(
  _ a: StridedA, rows: Range<Int>, columns: Range<Int>, K: Int, _ B: UnsafePointer<Float>,
  ldb: Int, transB: Bool, _ out: TileOutput, rowsOuter: Bool
) {
  let width = rowsOuter ? columns.count : min(16, columns.count)
  let pack = rowsOuter ? ldb != width : ldb % 512 == 0
  // Row-major, in place, whole vectors: the common case needs no scratch buffer at all.
  let inPlace = !transB && !pack && columns.count % 8 == 0
  func sweep(_ scratch: UnsafeMutablePointer<Float>?) {
    var j = columns.lowerBound
    while j < columns.upperBound {
      let n = min(width, columns.upperBound - j)
      let b = transB ? B + j * ldb : B + j
      var shifted = out
      shifted.C = out.C + j
      let panel =
        if let scratch {
          makePanelB(b, ldb: ldb, transB: transB, K: K, N: n, pack: pack, scratch: scratch)
        } else {
          PanelB(base: b, ldb: ldb, tail: nil, fullColumns: n, columns: n)
        }
      tiledBlock(a, rows: rows, columns: 0..<n, K: K, panel, shifted)
      j += n
    }
  }
  if inPlace {
    sweep(nil)
  } else {
    ScratchPool.shared.withScratch(panelScratchCount(K: K, N: width)) { sweep($0) }
  }
}

/// The AVX-512 tiles on row blocks of C split over the workers (or column blocks, in
/// multiples of 32, when there are too few rows).
private func avx512GEMM(
  transA: Bool, transB: Bool, M: Int, N: Int, K: Int, alpha: Float,
  _ A: UnsafePointer<Float>, lda: Int, _ B: UnsafePointer<Float>, ldb: Int,
  beta: Float, _ C: UnsafeMutablePointer<Float>, ldc: Int
) {
  let a = StridedA(A, lda: lda, transposed: transA)
  let workers = KernelThreading.workerCount
  if M >= 48 * workers || N < 64 * workers {
    let tiles = (M + 11) / 12
    KernelThreading.forChunks(tiles, work: M * N * K, minimumChunk: 1) { _, range in
      let rows = range.lowerBound * 12..<min(M, range.upperBound * 12)
      avx512Block(a, rows: rows, columns: 0..<N, K: K, B, ldb: ldb, transB: transB, C,
                  ldc: ldc, alpha: alpha, beta: beta)
    }
  } else {
    let panels = (N + 31) / 32
    KernelThreading.forChunks(panels, work: M * N * K, minimumChunk: 1) { _, range in
      let columns = range.lowerBound * 32..<min(N, range.upperBound * 32)
      avx512Block(a, rows: 0..<M, columns: columns, K: K, B, ldb: ldb, transB: transB, C,
                  ldc: ldc, alpha: alpha, beta: beta)
    }
  }
}

/// OpenBLAS, single-threaded calls on row or column blocks of C split over the workers.
private func blasGEMM(
  transA: Bool, transB: Bool, M: Int, N: Int, K: Int, alpha: Float,
  _ A: UnsafePointer<Float>, lda: Int, _ B: UnsafePointer<Float>, ldb: Int,
  beta: Float, _ C: UnsafeMutablePointer<Float>, ldc: Int
) {
  prepareBLAS()
  let work = M * N * K
  let workers = KernelThreading.workerCount
  let splitRows = M >= 32 * workers || N < 16 * workers
  if splitRows {
    KernelThreading.forChunks(M, work: work, minimumChunk: 8) { _, rows in
      let a = transA ? A + rows.lowerBound : A + rows.lowerBound * lda
      cblasGEMM(
        transA, transB, rows.count, N, K, alpha, a, lda, B, ldb, beta,
        C + rows.lowerBound * ldc, ldc)
    }
  } else {
    KernelThreading.forChunks(N, work: work, minimumChunk: 16) { _, cols in
      let b = transB ? B + cols.lowerBound * ldb : B + cols.lowerBound
      cblasGEMM(
        transA, transB, M, cols.count, K, alpha, A, lda, b, ldb, beta,
        C + cols.lowerBound, ldc)
    }
  }
}

/// The M = 1 case (a dense layer on one example) on the vector kernels, columns of y
/// split over the workers; with `GEMMTuning.swiftKernels` off, OpenBLAS's sgemv.
private func rowTimesMatrix(
  transA: Bool, transB: Bool, N: Int, K: Int, alpha: Float, _ A: UnsafePointer<Float>,
  lda: Int, _ B: UnsafePointer<Float>, ldb: Int, beta: Float, _ C: UnsafeMutablePointer<Float>
) {
  // The row of op(A) is A's first row, or A's first column when transposed.
  let incx = transA ? lda : 1
  if GEMMTuning.forcedPath == .vector || (GEMMTuning.swiftKernels && hardwareFMA) {
    // Chunks of 64 columns (the wide kernel's width) for B stored K×N.
    let unit = transB ? 4 : 64
    let units = (N + unit - 1) / unit
    KernelThreading.forTasks(units, work: N * K, tasksPerWorker: 2) { range in
      let cols = range.lowerBound * unit..<min(N, range.upperBound * unit)
      if transB {
        matrixTimesVector(A, incx: incx, B, ldb: ldb, K: K, rows: cols, alpha: alpha,
                          beta: beta, C)
      } else {
        ScratchPool.shared.withScratch(cols.count) { acc in
          vectorTimesMatrix(A, incx: incx, B, ldb: ldb, K: K, columns: cols, alpha: alpha,
                            beta: beta, C, scratch: acc)
        }
      }
    }
    return
  }
  prepareBLAS()
  KernelThreading.forChunks(N, work: N * K, minimumChunk: 64) { _, cols in
    let n = blasint(cols.count)
    let out = C + cols.lowerBound
    if transB {
      // op(B) = Bᵀ with B stored N×K: y = B[cols, :] · x.
      cblas_sgemv(
        CblasRowMajor, CblasNoTrans, n, blasint(K), alpha, B + cols.lowerBound * ldb,
        blasint(ldb), A, blasint(incx), beta, out, 1)
    } else {
      // B stored K×N: y = B[:, cols]ᵀ · x.
      cblas_sgemv(
        CblasRowMajor, CblasTrans, blasint(K), n, alpha, B + cols.lowerBound, blasint(ldb), A,
        blasint(incx), beta, out, 1)
    }
  }
}

/// One single-threaded GEMM (no splitting; kernels that split work themselves call it from
/// their workers), same arguments as `gemm`: the Swift tiles for the shapes `gemm` gives
/// them (a pointwise convolution's row blocks), otherwise one `cblas_sgemm` call.
public func sgemmRaw(
  _ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
  _ A: UnsafePointer<Float>, _ lda: Int, _ B: UnsafePointer<Float>, _ ldb: Int,
  _ beta: Float, _ C: UnsafeMutablePointer<Float>, _ ldc: Int
) {
  if M > 0, N > 0, K > 0, alpha != 0 {
    let path = gemmPath(M: M, N: N, K: K)
    if path == .avx512 {
      avx512Block(
        StridedA(A, lda: lda, transposed: transA), rows: 0..<M, columns: 0..<N, K: K, B,
        ldb: ldb, transB: transB, C, ldc: ldc, alpha: alpha, beta: beta)
      return
    }
    if path == .tilesByRows || path == .tilesByColumns {
      tiledColumns(
        StridedA(A, lda: lda, transposed: transA), rows: 0..<M, columns: 0..<N, K: K, B,
        ldb: ldb, transB: transB, TileOutput(C: C, ldc: ldc, alpha: alpha, beta: beta),
        rowsOuter: path == .tilesByRows)
      return
    }
  }
  cblasGEMM(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
}

/// One single-threaded `cblas_sgemm` call in row-major order.
@inline(__always)
private func cblasGEMM(
  _ transA: Bool, _ transB: Bool, _ M: Int, _ N: Int, _ K: Int, _ alpha: Float,
  _ A: UnsafePointer<Float>, _ lda: Int, _ B: UnsafePointer<Float>, _ ldb: Int,
  _ beta: Float, _ C: UnsafeMutablePointer<Float>, _ ldc: Int
) {
  prepareBLAS()
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
