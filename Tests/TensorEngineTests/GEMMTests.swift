// `gemm` on each of its paths (OpenBLAS, the Swift row and column tiles, the M = 1 vector
// kernels) against a Double-accumulated reference, with transposes, odd sizes, padded
// leading dimensions, alpha and beta; and the worker pool behind `forChunks`.

import XCTest
@testable import TensorEngine

final class GEMMTests: XCTestCase {
  /// `alpha · op(A) · op(B) + beta · C` one element at a time, in Double, plus the
  /// magnitude `alpha · Σ|a·b| + |beta·c|` each element's rounding error scales with.
  private func reference(
    transA: Bool, transB: Bool, M: Int, N: Int, K: Int, alpha: Float, _ A: [Float], lda: Int,
    _ B: [Float], ldb: Int, beta: Float, _ C: [Float], ldc: Int
  ) -> (values: [Double], scale: [Double]) {
    var values = [Double](repeating: 0, count: M * N)
    var scale = [Double](repeating: 0, count: M * N)
    for i in 0..<M {
      for j in 0..<N {
        var sum = 0.0
        var magnitude = 0.0
        for k in 0..<K {
          let a = Double(transA ? A[k * lda + i] : A[i * lda + k])
          let b = Double(transB ? B[j * ldb + k] : B[k * ldb + j])
          sum += a * b
          magnitude += abs(a * b)
        }
        let c = beta == 0 ? 0 : Double(beta) * Double(C[i * ldc + j])
        values[i * N + j] = Double(alpha) * sum + c
        scale[i * N + j] = abs(Double(alpha)) * magnitude + abs(c)
      }
    }
    return (values, scale)
  }

  /// Runs one product through `gemm` (on `path`, or the shape's own path when nil) and
  /// checks every element of C, including the padding between rows, which must not change.
  private func check(
    path: GEMMPath?, transA: Bool, transB: Bool, M: Int, K: Int, N: Int, pad: Int = 0,
    alpha: Float = 1, beta: Float = 0, seed: UInt64 = 1, serial: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    var random = TestRandom(seed: seed &+ UInt64(M * 1_000_003 + K * 1009 + N))
    let lda = (transA ? M : K) + pad
    let ldb = (transB ? K : N) + pad
    let ldc = N + pad
    let A = random.floats((transA ? K : M) * lda)
    let B = random.floats((transB ? N : K) * ldb)
    var C = random.floats(M * ldc)
    if beta == 0 {
      // BLAS does not read C when beta is 0: NaNs there must not leak into the result.
      for i in 0..<M { for j in 0..<N { C[i * ldc + j] = .nan } }
    }
    let before = C
    let expected = reference(
      transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, A, lda: lda, B,
      ldb: ldb, beta: beta, C, ldc: ldc)
    GEMMTuning.forcedPath = path
    defer { GEMMTuning.forcedPath = nil }
    A.withUnsafeBufferPointer { a in
      B.withUnsafeBufferPointer { b in
        C.withUnsafeMutableBufferPointer { c in
          if serial {
            sgemmRaw(
              transA, transB, M, N, K, alpha, a.baseAddress!, lda, b.baseAddress!, ldb, beta,
              c.baseAddress!, ldc)
          } else {
            gemm(
              transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, a.baseAddress!,
              lda: lda, b.baseAddress!, ldb: ldb, beta: beta, c.baseAddress!, ldc: ldc)
          }
        }
      }
    }
    let label =
      "\(path.map { "\($0)" } ?? "auto") \(M)x\(K)x\(N) transA \(transA) transB \(transB) "
      + "pad \(pad) alpha \(alpha) beta \(beta)"
    var failures = 0
    for i in 0..<M {
      for j in 0..<ldc {
        let got = C[i * ldc + j]
        if j >= N {
          if got.bitPattern != before[i * ldc + j].bitPattern {
            failures += 1
            if failures <= 3 {
              XCTFail("\(label): padding C[\(i), \(j)] changed", file: file, line: line)
            }
          }
          continue
        }
        let want = expected.values[i * N + j]
        let tolerance = 1e-5 * expected.scale[i * N + j] + 1e-6
        if !(abs(Double(got) - want) <= tolerance) {
          failures += 1
          if failures <= 3 {
            XCTFail("\(label): C[\(i), \(j)] = \(got), expected \(want)", file: file, line: line)
          }
        }
      }
    }
  }

  /// Shapes that reach every kernel's full tiles and remainders: rows not a multiple of 6,
  /// columns not a multiple of 8 or 16, K = 1 and odd K.
  private let shapes = [
    (M: 7, K: 5, N: 13), (M: 12, K: 1, N: 16), (M: 13, K: 8, N: 16), (M: 25, K: 64, N: 40),
    (M: 6, K: 3, N: 7), (M: 49, K: 37, N: 33), (M: 2, K: 17, N: 24), (M: 1, K: 9, N: 70),
    (M: 1, K: 130, N: 3), (M: 19, K: 2, N: 8), (M: 31, K: 12, N: 1), (M: 1, K: 1, N: 1),
  ]

  private func checkAllShapes(path: GEMMPath?) {
    for (M, K, N) in shapes {
      for transA in [false, true] {
        for transB in [false, true] {
          check(path: path, transA: transA, transB: transB, M: M, K: K, N: N)
          check(path: path, transA: transA, transB: transB, M: M, K: K, N: N, pad: 3,
                alpha: 0.5, beta: -1.5)
          check(path: path, transA: transA, transB: transB, M: M, K: K, N: N, pad: 1,
                alpha: 2, beta: 1)
        }
      }
    }
  }

  func testRowTiles() { checkAllShapes(path: .tilesByRows) }

  func testColumnTiles() {
    checkAllShapes(path: .tilesByColumns)
    // A row stride of 512 floats (2 KiB): panels are packed before use.
    check(path: .tilesByColumns, transA: false, transB: false, M: 13, K: 21, N: 40, pad: 472,
          alpha: 1.5, beta: 0.5)
    check(path: .tilesByColumns, transA: true, transB: false, M: 8, K: 3, N: 37, pad: 475)
  }

  /// The AVX-512 tiles (forced here, so they are checked on any build): the standard
  /// shapes, then sizes that cross the K blocks (256), the row blocks (96), several 12-row
  /// slivers and 32-column panels with remainders, with transposes, strides and beta.
  func testAVX512Tiles() {
    checkAllShapes(path: .avx512)
    // More than 4 panels (A packed even when row-major) and an A row stride of 512 floats
    // (packed too); fewer panels read a row-major A in place.
    let sizes = [(109, 300, 70), (97, 257, 33), (24, 512, 64), (13, 600, 31), (30, 40, 170)]
    for (M, K, N) in sizes {
      for transA in [false, true] {
        for transB in [false, true] {
          check(path: .avx512, transA: transA, transB: transB, M: M, K: K, N: N)
          check(path: .avx512, transA: transA, transB: transB, M: M, K: K, N: N, pad: 3,
                alpha: 0.5, beta: -1.5)
        }
      }
    }
    check(path: .avx512, transA: false, transB: false, M: 26, K: 500, N: 20, pad: 12,
          alpha: 1.5, beta: 0.5)
  }

  func testVectorKernels() {
    // Forced `.vector` applies to M = 1 only (other shapes fall back to OpenBLAS).
    checkAllShapes(path: .vector)
    for transA in [false, true] {
      for transB in [false, true] {
        check(path: .vector, transA: transA, transB: transB, M: 1, K: 67, N: 203, pad: 5,
              alpha: -1, beta: 0.25)
      }
    }
  }

  func testOpenBLASAndAutomaticPaths() {
    checkAllShapes(path: .blas)
    checkAllShapes(path: nil)
  }

  /// `sgemmRaw`, the unsplit entry point conv kernels call from their own workers, takes
  /// the same paths.
  func testSerialEntryPoint() {
    for path in [GEMMPath.tilesByRows, .tilesByColumns, .avx512, .blas, nil] {
      for (M, K, N) in [(100, 8, 16), (13, 30, 51), (1, 7, 9), (150, 270, 90)] {
        check(path: path, transA: false, transB: false, M: M, K: K, N: N, serial: true)
        check(path: path, transA: true, transB: true, M: M, K: K, N: N, pad: 2, alpha: 0.5,
              beta: 2, serial: true)
      }
    }
  }

  /// Split over the workers even at test sizes, so chunk boundaries (row tiles, 16-column
  /// panels, 64-column vector chunks) are crossed.
  func testParallelSplits() {
    let saved = KernelThreading.minimumParallelWork
    KernelThreading.minimumParallelWork = 0
    defer { KernelThreading.minimumParallelWork = saved }
    for path in [GEMMPath.tilesByRows, .tilesByColumns, .avx512, .vector, .blas] {
      for (M, K, N) in [(101, 9, 45), (1, 33, 517), (37, 70, 150), (130, 40, 29)] {
        check(path: path, transA: false, transB: false, M: M, K: K, N: N, pad: 2, beta: 0.5)
        check(path: path, transA: true, transB: true, M: M, K: K, N: N, alpha: 3)
      }
    }
  }

  /// An infinity in B's last row reaches exactly its column (no kernel multiplies padding
  /// or repeated rows by zero into a NaN).
  func testInfinityStaysInItsColumn() {
    for path in [GEMMPath.tilesByRows, .tilesByColumns, .avx512, .vector, .blas] {
      for (M, K, N) in [(1, 9, 20), (7, 9, 20), (13, 3, 13), (14, 300, 40)] {
        var random = TestRandom(seed: 7)
        let A = random.floats(M * K).map { abs($0) + 0.1 }
        var B = random.floats(K * N)
        let column = N - 2
        B[(K - 1) * N + column] = .infinity
        var C = [Float](repeating: 0, count: M * N)
        GEMMTuning.forcedPath = path
        A.withUnsafeBufferPointer { a in
          B.withUnsafeBufferPointer { b in
            C.withUnsafeMutableBufferPointer { c in
              gemm(transA: false, transB: false, M: M, N: N, K: K, a.baseAddress!, lda: K,
                   b.baseAddress!, ldb: N, c.baseAddress!, ldc: N)
            }
          }
        }
        GEMMTuning.forcedPath = nil
        for i in 0..<M {
          for j in 0..<N {
            let value = C[i * N + j]
            if j == column {
              XCTAssertEqual(value, .infinity, "\(path) \(M)x\(K)x\(N) C[\(i), \(j)]")
            } else {
              XCTAssertTrue(value.isFinite, "\(path) \(M)x\(K)x\(N) C[\(i), \(j)] = \(value)")
            }
          }
        }
      }
    }
  }

  /// A and B each end right before an inaccessible page, so a kernel that reads past
  /// op(A)'s last row or op(B)'s last element crashes here (an in-place 12-row sliver did).
  func testNoReadsPastTheOperands() {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    func guarded(_ values: [Float], _ body: (UnsafePointer<Float>) -> Void) {
      let bytes = values.count * 4
      let size = (bytes + page - 1) / page * page + page
      guard let region = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0), region != MAP_FAILED
      else { return XCTFail("mmap failed") }
      defer { munmap(region, size) }
      XCTAssertEqual(mprotect(region + size - page, page, PROT_NONE), 0)
      let start = (region + size - page - bytes).bindMemory(to: Float.self, capacity: values.count)
      start.update(from: values, count: values.count)
      body(start)
    }
    var random = TestRandom(seed: 11)
    for path in [GEMMPath.tilesByRows, .tilesByColumns, .avx512, .vector, .blas] {
      for (M, K, N) in [(13, 40, 50), (25, 300, 33), (1, 20, 70)] {
        for transA in [false, true] {
          for transB in [false, true] {
            let A = random.floats(M * K)
            let B = random.floats(K * N)
            var C = [Float](repeating: 0, count: M * N)
            GEMMTuning.forcedPath = path
            guarded(A) { a in
              guarded(B) { b in
                C.withUnsafeMutableBufferPointer { c in
                  gemm(transA: transA, transB: transB, M: M, N: N, K: K, a, lda: transA ? M : K,
                       b, ldb: transB ? K : N, c.baseAddress!, ldc: N)
                }
              }
            }
            GEMMTuning.forcedPath = nil
            XCTAssertTrue(C.allSatisfy(\.isFinite), "\(path) \(M)x\(K)x\(N)")
          }
        }
      }
    }
  }

  func testZeroK() {
    // K = 0: C = beta · C (and nothing read from A or B).
    var C: [Float] = [1, 2, 3, 4]
    let A: [Float] = [0]
    C.withUnsafeMutableBufferPointer { c in
      A.withUnsafeBufferPointer { a in
        gemm(transA: false, transB: false, M: 2, N: 2, K: 0, a.baseAddress!, lda: 1,
             a.baseAddress!, ldb: 2, beta: 2, c.baseAddress!, ldc: 2)
      }
    }
    XCTAssertEqual(C, [2, 4, 6, 8])
  }

  // MARK: - Worker pool

  func testForChunksRunsEveryIndexOnce() {
    let saved = KernelThreading.minimumParallelWork
    KernelThreading.minimumParallelWork = 0
    defer { KernelThreading.minimumParallelWork = saved }
    for count in [1, 2, 3, 17, 1000] {
      for _ in 0..<50 {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        KernelThreading.forChunks(count, work: 1) { _, range in
          for i in range { hits[i] += 1 }
        }
        XCTAssertTrue((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count)")
        hits.deallocate()
      }
    }
  }

  func testForTasksRunsEveryIndexOnce() {
    let saved = KernelThreading.minimumParallelWork
    KernelThreading.minimumParallelWork = 0
    defer { KernelThreading.minimumParallelWork = saved }
    for count in [1, 5, 64, 999] {
      for _ in 0..<50 {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        KernelThreading.forTasks(count, work: 1, minimumChunk: 2) { range in
          for i in range { hits[i] += 1 }
        }
        XCTAssertTrue((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count)")
        hits.deallocate()
      }
    }
  }

  func testNestedForChunks() {
    // A chunk that splits again (the pool is busy then) still runs everything once.
    let saved = KernelThreading.minimumParallelWork
    KernelThreading.minimumParallelWork = 0
    defer { KernelThreading.minimumParallelWork = saved }
    let hits = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    hits.initialize(repeating: 0, count: 64)
    defer { hits.deallocate() }
    KernelThreading.forChunks(8, work: 1) { _, outer in
      for o in outer {
        KernelThreading.forChunks(8, work: 1) { _, inner in
          for i in inner { hits[o * 8 + i] += 1 }
        }
      }
    }
    XCTAssertTrue((0..<64).allSatisfy { hits[$0] == 1 })
  }
}
