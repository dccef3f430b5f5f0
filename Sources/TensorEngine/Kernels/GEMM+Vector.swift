// The M = 1 product (a dense layer on one example): y = alpha · x · op(B) + beta · y.
//
// With B stored K×N, each worker streams eight rows of B at a time (its share of their
// columns) into a running sum of y kept in L1: sequential reads that the prefetchers
// follow (keeping 64 columns of y in registers down all rows of B instead measured 20%
// slower). With B stored N×K (transposed), four rows of B are dotted with x at a time.
// Memory-bound: B (4 MB for a 1024→1000 dense layer) is read once per call.

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// y[columns] for B stored K×N, streaming eight rows of B at a time into a running sum of
/// y's columns (kept in `scratch`, `columns.count` floats, L1-sized for a dense layer).
func vectorTimesMatrix(
  _ x: UnsafePointer<Float>, incx: Int, _ B: UnsafePointer<Float>, ldb: Int, K: Int,
  columns: Range<Int>, alpha: Float, beta: Float, _ y: UnsafeMutablePointer<Float>,
  scratch acc: UnsafeMutablePointer<Float>
) {
  let n = columns.count
  let vectorN = n / 8 * 8
  acc.update(repeating: 0, count: n)
  let base = B + columns.lowerBound
  var k = 0
  while k + 8 <= K {
    let r0 = base + k * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb
    let r4 = r3 + ldb, r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb
    let s0 = x[k * incx], s1 = x[(k + 1) * incx], s2 = x[(k + 2) * incx]
    let s3 = x[(k + 3) * incx], s4 = x[(k + 4) * incx], s5 = x[(k + 5) * incx]
    let s6 = x[(k + 6) * incx], s7 = x[(k + 7) * incx]
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
    k += 8
  }
  // The last K mod 8 rows one at a time.
  while k < K {
    let r = base + k * ldb
    let s = x[k * incx]
    let v = SIMD8<Float>(repeating: s)
    var j = 0
    while j < vectorN {
      UnsafeMutableRawPointer(acc + j).storeBytes(
        of: madd(load8(acc + j), v, load8(r + j)), as: SIMD8<Float>.self)
      j += 8
    }
    while j < n {
      acc[j] += s * r[j]
      j += 1
    }
    k += 1
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
