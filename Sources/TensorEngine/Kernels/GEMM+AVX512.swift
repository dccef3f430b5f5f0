// AVX-512 GEMM: a 12×32 register tile on SIMD16<Float> (24 zmm accumulators, two B vectors
// and one broadcast A value, 27 of the 32 registers), for builds whose target CPU has
// AVX-512 (Package.swift defines TL_AVX512 then, and `-target-cpu skylake-avx512`).
//
// Blocking (Goto/BLIS order): K in blocks of `kBlock`; for each, op(B)'s columns are
// packed into 32-wide panels (kBlock×32 floats, zero-padded past N), then op(A)'s rows in
// blocks of `rowBlock`, packed into 12-row slivers (kBlock×12, zero-padded past M). Each B
// panel (32 KiB) stays in L1 while every sliver of the row block (in L2) passes it. A
// row-major op(A) whose slivers meet at most 4 panels is read in place instead (packing
// it cost as much as it saved: 12544×32×64 went from 265 to 446 GFLOP/s), except a last
// sliver of fewer than 12 rows. Full tiles go straight into C with alpha and beta (beta on
// the first K block only; C is not read when beta is 0); edge tiles through a 12×32
// scratch tile, so they need no special kernel. `gemm` splits rows or 32-column panels of
// C over the workers and calls `avx512Block` on each part; `sgemmRaw` calls it whole.
// No `hardwareFMA` check is needed: TL_AVX512 builds target a CPU with FMA.

// MARK: - Availability

/// True when this build has the AVX-512 kernels (the target CPU has AVX-512F/BW/DQ/VL/CD).
#if TL_AVX512
let avx512Kernels = true
#else
let avx512Kernels = false
#endif

private let tileRows = 12
private let tileColumns = 32
private let kBlock = 256
private let rowBlock = 96

@inline(__always)
private func madd16(_ acc: SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>)
  -> SIMD16<Float>
{
  var r = acc
  r.addProduct(x, y)
  return r
}

@inline(__always)
private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

// MARK: - Micro-kernel

/// How a finished tile goes into C: `C = alpha · acc + scale · C` (C not read when `scale`
/// is 0; `scale` is beta for the first K block, 1 after).
private struct TileUpdate {
  var alpha: Float
  var scale: Float

  @inline(__always)
  func put(_ acc: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    var v = alpha == 1 ? acc : acc * alpha
    if scale != 0 {
      let old = load16(p)
      v = scale == 1 ? v + old : v + old * scale
    }
    store16(v, p)
  }
}

/// The 12×32 product of op(A)'s rows (element (r, k) at `pa0[r * rs + k * cs]`: a packed
/// sliver has rs = 1, cs = 12) and a packed panel `pb0` (k×32) over `k` steps: added into
/// C (row stride `ldc`) through `out` when `C` is given (a full tile), else written to
/// `tile` (12×32, row stride 32).
@inline(never)
private func kernel12x32(
  _ pa0: UnsafePointer<Float>, rs: Int, cs: Int, _ pb0: UnsafePointer<Float>, k: Int,
  _ C: UnsafeMutablePointer<Float>?, ldc: Int, _ out: TileUpdate,
  _ tile: UnsafeMutablePointer<Float>
) {
  var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
  var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
  var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
  var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
  var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
  var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
  var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
  var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
  var c80 = SIMD16<Float>(), c81 = SIMD16<Float>()
  var c90 = SIMD16<Float>(), c91 = SIMD16<Float>()
  var c100 = SIMD16<Float>(), c101 = SIMD16<Float>()
  var c110 = SIMD16<Float>(), c111 = SIMD16<Float>()
  var pa = pa0
  var pb = pb0
  for _ in 0..<k {
    let b0 = load16(pb)
    let b1 = load16(pb + 16)
    var x: SIMD16<Float>
    x = SIMD16<Float>(repeating: pa[0])
    c00 = madd16(c00, x, b0)
    c01 = madd16(c01, x, b1)
    x = SIMD16<Float>(repeating: pa[rs])
    c10 = madd16(c10, x, b0)
    c11 = madd16(c11, x, b1)
    x = SIMD16<Float>(repeating: pa[2 * rs])
    c20 = madd16(c20, x, b0)
    c21 = madd16(c21, x, b1)
    x = SIMD16<Float>(repeating: pa[3 * rs])
    c30 = madd16(c30, x, b0)
    c31 = madd16(c31, x, b1)
    x = SIMD16<Float>(repeating: pa[4 * rs])
    c40 = madd16(c40, x, b0)
    c41 = madd16(c41, x, b1)
    x = SIMD16<Float>(repeating: pa[5 * rs])
    c50 = madd16(c50, x, b0)
    c51 = madd16(c51, x, b1)
    x = SIMD16<Float>(repeating: pa[6 * rs])
    c60 = madd16(c60, x, b0)
    c61 = madd16(c61, x, b1)
    x = SIMD16<Float>(repeating: pa[7 * rs])
    c70 = madd16(c70, x, b0)
    c71 = madd16(c71, x, b1)
    x = SIMD16<Float>(repeating: pa[8 * rs])
    c80 = madd16(c80, x, b0)
    c81 = madd16(c81, x, b1)
    x = SIMD16<Float>(repeating: pa[9 * rs])
    c90 = madd16(c90, x, b0)
    c91 = madd16(c91, x, b1)
    x = SIMD16<Float>(repeating: pa[10 * rs])
    c100 = madd16(c100, x, b0)
    c101 = madd16(c101, x, b1)
    x = SIMD16<Float>(repeating: pa[11 * rs])
    c110 = madd16(c110, x, b0)
    c111 = madd16(c111, x, b1)
    pa += cs
    pb += 32
  }
  if let C {
    out.put(c00, C + 0 * ldc)
    out.put(c01, C + 0 * ldc + 16)
    out.put(c10, C + 1 * ldc)
    out.put(c11, C + 1 * ldc + 16)
    out.put(c20, C + 2 * ldc)
    out.put(c21, C + 2 * ldc + 16)
    out.put(c30, C + 3 * ldc)
    out.put(c31, C + 3 * ldc + 16)
    out.put(c40, C + 4 * ldc)
    out.put(c41, C + 4 * ldc + 16)
    out.put(c50, C + 5 * ldc)
    out.put(c51, C + 5 * ldc + 16)
    out.put(c60, C + 6 * ldc)
    out.put(c61, C + 6 * ldc + 16)
    out.put(c70, C + 7 * ldc)
    out.put(c71, C + 7 * ldc + 16)
    out.put(c80, C + 8 * ldc)
    out.put(c81, C + 8 * ldc + 16)
    out.put(c90, C + 9 * ldc)
    out.put(c91, C + 9 * ldc + 16)
    out.put(c100, C + 10 * ldc)
    out.put(c101, C + 10 * ldc + 16)
    out.put(c110, C + 11 * ldc)
    out.put(c111, C + 11 * ldc + 16)
  } else {
    store16(c00, tile + 0 * 32)
    store16(c01, tile + 0 * 32 + 16)
    store16(c10, tile + 1 * 32)
    store16(c11, tile + 1 * 32 + 16)
    store16(c20, tile + 2 * 32)
    store16(c21, tile + 2 * 32 + 16)
    store16(c30, tile + 3 * 32)
    store16(c31, tile + 3 * 32 + 16)
    store16(c40, tile + 4 * 32)
    store16(c41, tile + 4 * 32 + 16)
    store16(c50, tile + 5 * 32)
    store16(c51, tile + 5 * 32 + 16)
    store16(c60, tile + 6 * 32)
    store16(c61, tile + 6 * 32 + 16)
    store16(c70, tile + 7 * 32)
    store16(c71, tile + 7 * 32 + 16)
    store16(c80, tile + 8 * 32)
    store16(c81, tile + 8 * 32 + 16)
    store16(c90, tile + 9 * 32)
    store16(c91, tile + 9 * 32 + 16)
    store16(c100, tile + 10 * 32)
    store16(c101, tile + 10 * 32 + 16)
    store16(c110, tile + 11 * 32)
    store16(c111, tile + 11 * 32 + 16)
  }
}

// MARK: - Packing

/// Packs op(B)[k0..<k0+kb, columns] into 32-wide panels at `dst`: panel p holds columns
/// `columns.lowerBound + 32p ..< +32`, kb rows of 32 floats, zeros past the last column.
private func packPanels(
  _ B: UnsafePointer<Float>, ldb: Int, transB: Bool, k0: Int, kb: Int, columns: Range<Int>,
  _ dst: UnsafeMutablePointer<Float>
) {
  var out = dst
  var j0 = columns.lowerBound
  while j0 < columns.upperBound {
    let n = min(tileColumns, columns.upperBound - j0)
    if transB {
      // B stored N×K: op(B)[k, j] = B[j * ldb + k].
      if n < tileColumns { out.update(repeating: 0, count: kb * tileColumns) }
      for c in 0..<n {
        let column = B + (j0 + c) * ldb + k0
        for k in 0..<kb { out[k * tileColumns + c] = column[k] }
      }
    } else if n == tileColumns {
      for k in 0..<kb {
        let row = B + (k0 + k) * ldb + j0
        store16(load16(row), out + k * tileColumns)
        store16(load16(row + 16), out + k * tileColumns + 16)
      }
    } else {
      for k in 0..<kb {
        let row = B + (k0 + k) * ldb + j0
        let dstRow = out + k * tileColumns
        for c in 0..<tileColumns { dstRow[c] = c < n ? row[c] : 0 }
      }
    }
    out += kb * tileColumns
    j0 += tileColumns
  }
}

/// Packs op(A)[rows, k0..<k0+kb] into 12-row slivers at `dst` (kb groups of 12 floats,
/// zeros past the last row).
private func packSlivers(
  _ a: StridedA, k0: Int, kb: Int, rows: Range<Int>, _ dst: UnsafeMutablePointer<Float>
) {
  let rs = a.rowStride
  let cs = a.columnStride
  var out = dst
  var i0 = rows.lowerBound
  while i0 < rows.upperBound {
    let m = min(tileRows, rows.upperBound - i0)
    let base = a.base + i0 * rs + k0 * cs
    if m < tileRows { out.update(repeating: 0, count: kb * tileRows) }
    if cs == 1 {
      for r in 0..<m {
        let row = base + r * rs
        for k in 0..<kb { out[k * tileRows + r] = row[k] }
      }
    } else {
      for k in 0..<kb {
        let column = base + k * cs
        for r in 0..<m { out[k * tileRows + r] = column[r * rs] }
      }
    }
    out += kb * tileRows
    i0 += tileRows
  }
}

// MARK: - Store

/// `C[m×n] = alpha · tile + beta · C` (`first`: C not read when beta is 0) or
/// `C += alpha · tile` (later K blocks).
@inline(__always)
private func storeTile(
  _ tile: UnsafePointer<Float>, m: Int, n: Int, _ C: UnsafeMutablePointer<Float>, ldc: Int,
  alpha: Float, beta: Float, first: Bool
) {
  let b: Float = first ? beta : 1
  for r in 0..<m {
    let src = tile + r * tileColumns
    let dst = C + r * ldc
    var j = 0
    while j + 16 <= n {
      var v = load16(src + j) * alpha
      if b != 0 {
        let old = load16(dst + j)
        v = b == 1 ? v + old : v + old * b
      }
      store16(v, dst + j)
      j += 16
    }
    while j < n {
      let v = alpha * src[j]
      dst[j] = b == 0 ? v : v + b * dst[j]
      j += 1
    }
  }
}

// MARK: - Driver

/// Floats of scratch `avx512Block` needs for an op(B) of `columns` columns.
private func avx512ScratchCount(K: Int, columns: Int) -> Int {
  let kb = min(K, kBlock)
  let panels = (columns + tileColumns - 1) / tileColumns
  return kb * panels * tileColumns + kb * rowBlock + tileRows * tileColumns
}

/// `C[rows, columns] = alpha · op(A)[rows, :] · op(B)[:, columns] + beta · C[rows, columns]`
/// on one thread with the 12×32 AVX-512 tiles. `C` points at C[0, 0].
func avx512Block(
  _ a: StridedA, rows: Range<Int>, columns: Range<Int>, K: Int, _ B: UnsafePointer<Float>,
  ldb: Int, transB: Bool, _ C: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
  beta: Float
) {
  guard !rows.isEmpty, !columns.isEmpty else { return }
  let panels = (columns.count + tileColumns - 1) / tileColumns
  let kbMax = min(K, kBlock)
  // op(A) is read in place when it is row-major and each sliver meets only a few panels
  // (packing would cost as much as it saves), unless its row stride is a multiple of
  // 2 KiB, which would put a sliver's 12 rows in a few L1 sets.
  let packA = a.columnStride != 1 || panels > 4 || a.rowStride % 512 == 0
  ScratchPool.shared.withScratch(avx512ScratchCount(K: K, columns: columns.count)) { scratch in
    let packedB = scratch
    let packedA = scratch + kbMax * panels * tileColumns
    let tile = packedA + kbMax * rowBlock
    var k0 = 0
    while k0 < K {
      let kb = min(kBlock, K - k0)
      packPanels(B, ldb: ldb, transB: transB, k0: k0, kb: kb, columns: columns, packedB)
      var i0 = rows.lowerBound
      while i0 < rows.upperBound {
        let block = i0..<min(rows.upperBound, i0 + rowBlock)
        if packA { packSlivers(a, k0: k0, kb: kb, rows: block, packedA) }
        for p in 0..<panels {
          let j = columns.lowerBound + p * tileColumns
          let n = min(tileColumns, columns.upperBound - j)
          let pb = UnsafePointer(packedB + p * kb * tileColumns)
          var i = block.lowerBound
          while i < block.upperBound {
            let m = min(tileRows, block.upperBound - i)
            // A last sliver of fewer than 12 rows is always packed (zero-padded): in place,
            // the kernel would read past op(A)'s last row.
            let packed = packA || m < tileRows
            if packed && !packA { packSlivers(a, k0: k0, kb: kb, rows: i..<i + m, packedA) }
            let sliver =
              packA
              ? UnsafePointer(packedA + (i - block.lowerBound) * kb)
              : packed ? UnsafePointer(packedA) : a.base + i * a.rowStride + k0
            let (rs, cs) = packed ? (1, tileRows) : (a.rowStride, 1)
            let out = TileUpdate(alpha: alpha, scale: k0 == 0 ? beta : 1)
            if m == tileRows && n == tileColumns {
              kernel12x32(sliver, rs: rs, cs: cs, pb, k: kb, C + i * ldc + j, ldc: ldc, out,
                          tile)
            } else {
              kernel12x32(sliver, rs: rs, cs: cs, pb, k: kb, nil, ldc: 0, out, tile)
              storeTile(
                tile, m: m, n: n, C + i * ldc + j, ldc: ldc, alpha: alpha, beta: beta,
                first: k0 == 0)
            }
            i += tileRows
          }
        }
        i0 = block.upperBound
      }
      k0 += kb
    }
  }
}
