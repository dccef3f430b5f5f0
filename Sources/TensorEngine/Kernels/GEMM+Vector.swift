// The M = 1 product (a dense layer on one example): y = alpha · x · op(B) + beta · y.
//
// With B stored K×N, each worker keeps 64 columns of y in eight SIMD8 accumulators and
// streams those columns of every row of B: B is read once, y never leaves registers.
// With B stored N×K (transposed), four rows of B are dotted with x at a time.

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// y[columns] for B stored K×N (row stride `ldb`); x[k] is `x[k * incx]`.
func vectorTimesMatrix(
  _ x: UnsafePointer<Float>, incx: Int, _ B: UnsafePointer<Float>, ldb: Int, K: Int,
  columns: Range<Int>, alpha: Float, beta: Float, _ y: UnsafeMutablePointer<Float>
) {
  let out = TileOutput(C: y, ldc: 0, alpha: alpha, beta: beta)
  var j = columns.lowerBound
  while j + 64 <= columns.upperBound {
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
    var c4 = SIMD8<Float>(), c5 = SIMD8<Float>(), c6 = SIMD8<Float>(), c7 = SIMD8<Float>()
    var pb = B + j
    var px = x
    for _ in 0..<K {
      let s = SIMD8<Float>(repeating: px[0])
      c0 = madd(c0, s, load8(pb))
      c1 = madd(c1, s, load8(pb + 8))
      c2 = madd(c2, s, load8(pb + 16))
      c3 = madd(c3, s, load8(pb + 24))
      c4 = madd(c4, s, load8(pb + 32))
      c5 = madd(c5, s, load8(pb + 40))
      c6 = madd(c6, s, load8(pb + 48))
      c7 = madd(c7, s, load8(pb + 56))
      pb += ldb
      px += incx
    }
    out.store(c0, row: 0, column: j)
    out.store(c1, row: 0, column: j + 8)
    out.store(c2, row: 0, column: j + 16)
    out.store(c3, row: 0, column: j + 24)
    out.store(c4, row: 0, column: j + 32)
    out.store(c5, row: 0, column: j + 40)
    out.store(c6, row: 0, column: j + 48)
    out.store(c7, row: 0, column: j + 56)
    j += 64
  }
  while j + 8 <= columns.upperBound {
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>()
    var pb = B + j
    var px = x
    var k = 0
    while k + 2 <= K {
      c0 = madd(c0, SIMD8<Float>(repeating: px[0]), load8(pb))
      c1 = madd(c1, SIMD8<Float>(repeating: px[incx]), load8(pb + ldb))
      pb += 2 * ldb
      px += 2 * incx
      k += 2
    }
    if k < K { c0 = c0 + SIMD8<Float>(repeating: px[0]) * load8(pb) }
    out.store(c0 + c1, row: 0, column: j)
    j += 8
  }
  while j < columns.upperBound {
    var sum: Float = 0
    for k in 0..<K { sum += x[k * incx] * B[k * ldb + j] }
    y[j] = beta == 0 ? alpha * sum : alpha * sum + beta * y[j]
    j += 1
  }
}

/// y[columns] for B stored K×N, streaming eight rows of B at a time into a running sum of
/// y's columns (kept in `scratch`, `columns.count` floats, L1-sized for a dense layer).
func vectorTimesMatrixRows(
  _ x: UnsafePointer<Float>, incx: Int, _ B: UnsafePointer<Float>, ldb: Int, K: Int,
  columns: Range<Int>, alpha: Float, beta: Float, _ y: UnsafeMutablePointer<Float>,
  scratch acc: UnsafeMutablePointer<Float>
) {
  let n = columns.count
  let vectorN = n / 8 * 8
  acc.update(repeating: 0, count: n)
  let base = B + columns.lowerBound
  var k = 0
  while k < K {
    let rows = min(8, K - k)
    // Rows past K repeat row k with a zero weight.
    @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> {
      base + (r < rows ? (k + r) * ldb : k * ldb)
    }
    @inline(__always) func weight(_ r: Int) -> Float { r < rows ? x[(k + r) * incx] : 0 }
    let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
    let r4 = row(4), r5 = row(5), r6 = row(6), r7 = row(7)
    let s0 = weight(0), s1 = weight(1), s2 = weight(2), s3 = weight(3)
    let s4 = weight(4), s5 = weight(5), s6 = weight(6), s7 = weight(7)
    let v0 = SIMD8<Float>(repeating: s0), v1 = SIMD8<Float>(repeating: s1)
    let v2 = SIMD8<Float>(repeating: s2), v3 = SIMD8<Float>(repeating: s3)
    let v4 = SIMD8<Float>(repeating: s4), v5 = SIMD8<Float>(repeating: s5)
    let v6 = SIMD8<Float>(repeating: s6), v7 = SIMD8<Float>(repeating: s7)
    var j = 0
    while j < vectorN {
      var sum = madd(load8(acc + j), v0, load8(r0 + j))
      var other = v1 * load8(r1 + j)
      sum = madd(sum, v2, load8(r2 + j))
      other = madd(other, v3, load8(r3 + j))
      sum = madd(sum, v4, load8(r4 + j))
      other = madd(other, v5, load8(r5 + j))
      sum = madd(sum, v6, load8(r6 + j))
      other = madd(other, v7, load8(r7 + j))
      UnsafeMutableRawPointer(acc + j).storeBytes(of: sum + other, as: SIMD8<Float>.self)
      j += 8
    }
    while j < n {
      var t = s0 * r0[j] + s1 * r1[j] + s2 * r2[j] + s3 * r3[j]
      t += s4 * r4[j] + s5 * r5[j] + s6 * r6[j] + s7 * r7[j]
      acc[j] += t
      j += 1
    }
    k += rows
  }
  let out = y + columns.lowerBound
  for j in 0..<n {
    out[j] = beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * out[j]
  }
}

/// y[rows] for B stored N×K (row stride `ldb`), so y[j] = dot(B[j, :], x); x[k] is
/// `x[k * incx]`.
func matrixTimesVector(
  _ x: UnsafePointer<Float>, incx: Int, _ B: UnsafePointer<Float>, ldb: Int, K: Int,
  rows: Range<Int>, alpha: Float, beta: Float, _ y: UnsafeMutablePointer<Float>
) {
  @inline(__always)
  func finish(_ sum: Float, _ j: Int) {
    y[j] = beta == 0 ? alpha * sum : alpha * sum + beta * y[j]
  }
  var j = rows.lowerBound
  let vectorK = K / 8 * 8
  while j < rows.upperBound {
    let count = min(4, rows.upperBound - j)
    var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    let r0 = B + j * ldb
    let r1 = count > 1 ? r0 + ldb : r0
    let r2 = count > 2 ? r0 + 2 * ldb : r0
    let r3 = count > 3 ? r0 + 3 * ldb : r0
    var k = 0
    if incx == 1 {
      while k < vectorK {
        let v = load8(x + k)
        acc.0 = madd(acc.0, load8(r0 + k), v)
        acc.1 = madd(acc.1, load8(r1 + k), v)
        acc.2 = madd(acc.2, load8(r2 + k), v)
        acc.3 = madd(acc.3, load8(r3 + k), v)
        k += 8
      }
    }
    var sums = SIMD4<Float>(acc.0.sum(), acc.1.sum(), acc.2.sum(), acc.3.sum())
    while k < K {
      sums = sums + SIMD4<Float>(r0[k], r1[k], r2[k], r3[k]) * x[k * incx]
      k += 1
    }
    for r in 0..<count { finish(sums[r], j + r) }
    j += count
  }
}
