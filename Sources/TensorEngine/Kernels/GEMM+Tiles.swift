// Register-tiled Swift GEMM kernels for the shapes OpenBLAS runs slowly here: small K·N
// (the early pointwise convolutions of a MobileNet: 12544×8×16) and few rows (the 7×7
// pointwise convolutions: 49×256×256).
//
// One micro-kernel shape: 6 rows × 16 columns of C in twelve SIMD8 accumulators, plus two
// B vectors and one broadcast A value (15 of the 16 AVX2 registers). op(B) is usually read
// in place; it is packed when transposed, or when its row stride would crowd a panel
// into a few L1 sets (`tiledColumns` in GEMM.swift decides). op(A) is read through a row
// and a column stride, so a transposed A costs nothing extra. Columns that do not fill a
// vector come from a zero-padded 8-wide copy and are stored lane by lane.
//
// The multiply-add is fused (`addProduct`): a separate multiply and add need a temporary
// register per product, and the 6×16 tile then spills (measured 66 against 124 GFLOP/s
// on 49×256×256, one core). Without an FMA target CPU, though, `addProduct` becomes
// per-lane `fmaf` calls (native-recipes.md), so `gemm` only uses these kernels after
// `hardwareFMA` has checked, once, that they run at vector speed.

import Dispatch

// MARK: - Operands

/// op(A) as strides: element (i, k) is `base[i * rowStride + k * columnStride]`.
struct StridedA {
  var base: UnsafePointer<Float>
  var rowStride: Int
  var columnStride: Int

  init(_ A: UnsafePointer<Float>, lda: Int, transposed: Bool) {
    base = A
    rowStride = transposed ? 1 : lda
    columnStride = transposed ? lda : 1
  }
}

/// The output block `C = alpha · acc + beta · C` is written with.
struct TileOutput {
  var C: UnsafeMutablePointer<Float>
  var ldc: Int
  var alpha: Float
  var beta: Float

  /// Stores `acc` (8 columns) at row `i`, column `j`, keeping the first `count` lanes.
  @inline(__always)
  func store(_ acc: SIMD8<Float>, row i: Int, column j: Int, count: Int = 8) {
    let p = C + i * ldc + j
    var value = acc
    if alpha != 1 { value = value * alpha }
    if count == 8 {
      if beta != 0 {
        value = value + UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) * beta
      }
      UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    } else {
      for lane in 0..<count {
        p[lane] = beta == 0 ? value[lane] : value[lane] + beta * p[lane]
      }
    }
  }
}

/// `acc + x · y`, lane by lane, fused (one instruction when built for an FMA CPU, e.g.
/// `-target-cpu haswell`; see `hardwareFMA` for builds without).
@inline(__always)
func madd(_ acc: SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
  var r = acc
  r.addProduct(x, y)
  return r
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

// MARK: - Micro-kernels

/// C[i0..<i0+6, j..<j+16] from op(A)'s rows and B's 16 columns at `b` (row stride `ldb`).
@inline(__always)
private func tile6x16(
  _ a: StridedA, row i0: Int, K: Int, _ b: UnsafePointer<Float>, ldb: Int,
  _ out: TileOutput, column j: Int
) {
  var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
  var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
  var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
  var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
  var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
  var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
  let rs = a.rowStride
  let cs = a.columnStride
  var pa = a.base + i0 * rs
  var pb = b
  for _ in 0..<K {
    let b0 = load8(pb)
    let b1 = load8(pb + 8)
    var x = SIMD8<Float>(repeating: pa[0])
    c00 = madd(c00, x, b0)
    c01 = madd(c01, x, b1)
    x = SIMD8<Float>(repeating: pa[rs])
    c10 = madd(c10, x, b0)
    c11 = madd(c11, x, b1)
    x = SIMD8<Float>(repeating: pa[2 * rs])
    c20 = madd(c20, x, b0)
    c21 = madd(c21, x, b1)
    x = SIMD8<Float>(repeating: pa[3 * rs])
    c30 = madd(c30, x, b0)
    c31 = madd(c31, x, b1)
    x = SIMD8<Float>(repeating: pa[4 * rs])
    c40 = madd(c40, x, b0)
    c41 = madd(c41, x, b1)
    x = SIMD8<Float>(repeating: pa[5 * rs])
    c50 = madd(c50, x, b0)
    c51 = madd(c51, x, b1)
    pa += cs
    pb += ldb
  }
  out.store(c00, row: i0, column: j)
  out.store(c01, row: i0, column: j + 8)
  out.store(c10, row: i0 + 1, column: j)
  out.store(c11, row: i0 + 1, column: j + 8)
  out.store(c20, row: i0 + 2, column: j)
  out.store(c21, row: i0 + 2, column: j + 8)
  out.store(c30, row: i0 + 3, column: j)
  out.store(c31, row: i0 + 3, column: j + 8)
  out.store(c40, row: i0 + 4, column: j)
  out.store(c41, row: i0 + 4, column: j + 8)
  out.store(c50, row: i0 + 5, column: j)
  out.store(c51, row: i0 + 5, column: j + 8)
}

/// C[i0..<i0+6, j..<j+8] (the first `count` columns kept) from 8 columns of B at `b`.
@inline(__always)
private func tile6x8(
  _ a: StridedA, row i0: Int, K: Int, _ b: UnsafePointer<Float>, ldb: Int,
  _ out: TileOutput, column j: Int, count: Int
) {
  var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
  var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
  let rs = a.rowStride
  let cs = a.columnStride
  var pa = a.base + i0 * rs
  var pb = b
  for _ in 0..<K {
    let b0 = load8(pb)
    c0 = madd(c0, SIMD8<Float>(repeating: pa[0]), b0)
    c1 = madd(c1, SIMD8<Float>(repeating: pa[rs]), b0)
    c2 = madd(c2, SIMD8<Float>(repeating: pa[2 * rs]), b0)
    c3 = madd(c3, SIMD8<Float>(repeating: pa[3 * rs]), b0)
    c4 = madd(c4, SIMD8<Float>(repeating: pa[4 * rs]), b0)
    c5 = madd(c5, SIMD8<Float>(repeating: pa[5 * rs]), b0)
    pa += cs
    pb += ldb
  }
  out.store(c0, row: i0, column: j, count: count)
  out.store(c1, row: i0 + 1, column: j, count: count)
  out.store(c2, row: i0 + 2, column: j, count: count)
  out.store(c3, row: i0 + 3, column: j, count: count)
  out.store(c4, row: i0 + 4, column: j, count: count)
  out.store(c5, row: i0 + 5, column: j, count: count)
}

/// One row of C, columns j..<j+16, from B's 16 columns at `b`.
@inline(__always)
private func tile1x16(
  _ a: StridedA, row i: Int, K: Int, _ b: UnsafePointer<Float>, ldb: Int,
  _ out: TileOutput, column j: Int
) {
  var c0 = SIMD8<Float>(), c1 = SIMD8<Float>()
  var d0 = SIMD8<Float>(), d1 = SIMD8<Float>()
  let cs = a.columnStride
  var pa = a.base + i * a.rowStride
  var pb = b
  var k = 0
  // Two independent chains per vector, so the adds do not wait on each other.
  while k + 2 <= K {
    let x = SIMD8<Float>(repeating: pa[0])
    let y = SIMD8<Float>(repeating: pa[cs])
    c0 = madd(c0, x, load8(pb))
    c1 = madd(c1, x, load8(pb + 8))
    d0 = madd(d0, y, load8(pb + ldb))
    d1 = madd(d1, y, load8(pb + ldb + 8))
    pa += 2 * cs
    pb += 2 * ldb
    k += 2
  }
  if k < K {
    let x = SIMD8<Float>(repeating: pa[0])
    c0 = madd(c0, x, load8(pb))
    c1 = madd(c1, x, load8(pb + 8))
  }
  out.store(c0 + d0, row: i, column: j)
  out.store(c1 + d1, row: i, column: j + 8)
}

/// One row of C, columns j..<j+8 (the first `count` kept), from 8 columns of B at `b`.
@inline(__always)
private func tile1x8(
  _ a: StridedA, row i: Int, K: Int, _ b: UnsafePointer<Float>, ldb: Int,
  _ out: TileOutput, column j: Int, count: Int
) {
  var c0 = SIMD8<Float>(), d0 = SIMD8<Float>()
  let cs = a.columnStride
  var pa = a.base + i * a.rowStride
  var pb = b
  var k = 0
  while k + 2 <= K {
    c0 = madd(c0, SIMD8<Float>(repeating: pa[0]), load8(pb))
    d0 = madd(d0, SIMD8<Float>(repeating: pa[cs]), load8(pb + ldb))
    pa += 2 * cs
    pb += 2 * ldb
    k += 2
  }
  if k < K { c0 = c0 + SIMD8<Float>(repeating: pa[0]) * load8(pb) }
  out.store(c0 + d0, row: i, column: j, count: count)
}

// MARK: - Block driver

/// op(B) as the kernels read it: K rows of at least `columns` floats, row stride `ldb`,
/// with columns `fullColumns..<columns` (the last partial vector) also available
/// zero-padded to 8 in `tail` (row stride 8).
struct PanelB {
  var base: UnsafePointer<Float>
  var ldb: Int
  var tail: UnsafePointer<Float>?
  var fullColumns: Int
  var columns: Int
}

/// `C[rows, columns] = alpha · op(A)[rows, :] · B[:, columns] + beta · C` for a block whose
/// column range starts and ends on multiples of 8 (or at `b.columns`): each 6-row tile
/// sweeps all the columns (B, at most a few tens of KiB, stays in L1).
func tiledBlock(
  _ a: StridedA, rows: Range<Int>, columns: Range<Int>, K: Int, _ b: PanelB,
  _ out: TileOutput
) {
  let fullRowsEnd = rows.lowerBound + (rows.count / 6) * 6
  let fullEnd = min(columns.upperBound, b.fullColumns)

  /// All kernels for one row tile (6 rows, or a single row) over the column panel `cols`.
  @inline(__always)
  func rowTile(_ i: Int, six: Bool, _ cols: Range<Int>) {
    var j = cols.lowerBound
    while j + 16 <= min(cols.upperBound, fullEnd) {
      if six {
        tile6x16(a, row: i, K: K, b.base + j, ldb: b.ldb, out, column: j)
      } else {
        tile1x16(a, row: i, K: K, b.base + j, ldb: b.ldb, out, column: j)
      }
      j += 16
    }
    if j + 8 <= min(cols.upperBound, fullEnd) {
      if six {
        tile6x8(a, row: i, K: K, b.base + j, ldb: b.ldb, out, column: j, count: 8)
      } else {
        tile1x8(a, row: i, K: K, b.base + j, ldb: b.ldb, out, column: j, count: 8)
      }
      j += 8
    }
    if j < cols.upperBound, let tail = b.tail {
      let count = cols.upperBound - j
      if six {
        tile6x8(a, row: i, K: K, tail, ldb: 8, out, column: j, count: count)
      } else {
        tile1x8(a, row: i, K: K, tail, ldb: 8, out, column: j, count: count)
      }
    }
  }

  var i = rows.lowerBound
  while i < fullRowsEnd {
    rowTile(i, six: true, columns)
    i += 6
  }
  while i < rows.upperBound {
    rowTile(i, six: false, columns)
    i += 1
  }
}

// MARK: - Packing

/// Floats of scratch `makePanelB` needs for a K×N op(B).
func panelScratchCount(K: Int, N: Int) -> Int {
  K * N + (N % 8 == 0 ? 0 : K * 8)
}

/// Presents op(B) (K×N) as a `PanelB`: B itself when it is stored K×N and `pack` is false,
/// else a contiguous copy (a transposed B, or rows far apart in memory, which would share
/// L1 sets: a 4 KiB row stride left one set for a whole panel), plus the zero-padded tail
/// panel when N is not a multiple of 8. `scratch` holds `panelScratchCount` floats.
func makePanelB(
  _ B: UnsafePointer<Float>, ldb: Int, transB: Bool, K: Int, N: Int, pack: Bool,
  scratch: UnsafeMutablePointer<Float>
) -> PanelB {
  var base = B
  var stride = ldb
  var next = scratch
  if transB {
    // B is stored N×K: op(B)[k, j] = B[j, k].
    for j in 0..<N {
      let column = B + j * ldb
      for k in 0..<K { next[k * N + j] = column[k] }
    }
    base = UnsafePointer(next)
    stride = N
    next += K * N
  } else if pack {
    for k in 0..<K { (next + k * N).update(from: B + k * ldb, count: N) }
    base = UnsafePointer(next)
    stride = N
    next += K * N
  }
  let full = N / 8 * 8
  var tail: UnsafePointer<Float>? = nil
  if full < N {
    let width = N - full
    for k in 0..<K {
      let row = next + k * 8
      for t in 0..<8 { row[t] = t < width ? base[k * stride + full + t] : 0 }
    }
    tail = UnsafePointer(next)
  }
  return PanelB(base: base, ldb: stride, tail: tail, fullColumns: full, columns: N)
}

// MARK: - FMA probe

/// True when `madd` runs as vector FMA instructions, false when the build lacks an FMA
/// target CPU and it became per-lane `fmaf` calls (tens of times slower than a separate
/// multiply and add). Measured once, in a few microseconds, by timing the two forms on the
/// same data; the Swift kernels that rely on `madd` are only used when it is true.
let hardwareFMA: Bool = {
  let data: [Float] = [1.0, 0.5, 0.25, 0.125]
  var fused = UInt64.max
  var separate = UInt64.max
  data.withUnsafeBufferPointer { p in
    for _ in 0..<3 {
      var t = DispatchTime.now().uptimeNanoseconds
      probeSink += probeFused(p.baseAddress!, 512)
      fused = min(fused, DispatchTime.now().uptimeNanoseconds - t)
      t = DispatchTime.now().uptimeNanoseconds
      probeSink += probeSeparate(p.baseAddress!, 512)
      separate = min(separate, DispatchTime.now().uptimeNanoseconds - t)
    }
  }
  return fused <= 3 * separate + 2_000
}()

/// Keeps the probes' results alive.
nonisolated(unsafe) private var probeSink: Float = 0

@inline(never)
private func probeFused(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  var a = SIMD8<Float>(repeating: p[0]), b = a, c = a, d = a
  let x = SIMD8<Float>(repeating: p[1])
  let y = SIMD8<Float>(repeating: p[2])
  for _ in 0..<n {
    a = madd(a, x, y)
    b = madd(b, y, x)
    c = madd(c, x, x)
    d = madd(d, y, y)
  }
  return (a + b + c + d).sum()
}

@inline(never)
private func probeSeparate(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  var a = SIMD8<Float>(repeating: p[0]), b = a, c = a, d = a
  let x = SIMD8<Float>(repeating: p[1])
  let y = SIMD8<Float>(repeating: p[2])
  for _ in 0..<n {
    a = a + x * y
    b = b + y * x
    c = c + x * x
    d = d + y * y
  }
  return (a + b + c + d).sum()
}
