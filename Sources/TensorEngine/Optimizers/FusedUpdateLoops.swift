// SPDX-License-Identifier: MIT
import CBLAS
import Foundation

// The fused optimizer updates as loops over raw buffers that the compiler
// vectorises: no copy-on-write of the old arrays and no bounds or uniqueness
// checks per element. Each element gets the same float32 expression, in the same
// order, as the op-by-op update, so the results are bit-identical.

/// New arrays of `count` floats, filled by `body(outputs, lo, hi)` over `0..<count` (split
/// over two workers for large counts); written in place, never copied.
func fusedOutputs(
  _ arrays: Int, count: Int,
  _ body: ([UnsafeMutablePointer<Float>], Int, Int) -> Void
) -> [[Float]] {
  guard count > 0 else { return Array(repeating: [], count: arrays) }
  var pointers: [UnsafeMutablePointer<Float>] = []
  var results: [[Float]] = []
  func make(_ k: Int) {
    if k == arrays {
      parallelRanges(count) { lo, hi in body(pointers, lo, hi) }
      return
    }
    let array = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let base = buffer.baseAddress {
        pointers.append(base)
        make(k + 1)
      }
      initialized = count
    }
    results.append(array)
  }
  make(0)
  return results.reversed()
}

/// Adam's step: `m' = m·β1 + g·(1-β1)`, `v' = v·β2 + g²·(1-β2)`,
/// `x' = m'/d1 / (√(v'/d2) + ε) · rate + x` with `d = 1 - β^t` and `rate = -lr`.
func adamUpdate(
  g: [Float], m: [Float], v: [Float], x: [Float],
  b1: Float, c1: Float, b2: Float, c2: Float, d1: Float, d2: Float, eps: Float, rate: Float
) -> (m: [Float], v: [Float], x: [Float]) {
  let n = x.count
  let out = g.withUnsafeBufferPointer { pg in
    m.withUnsafeBufferPointer { pm in
      v.withUnsafeBufferPointer { pv in
        x.withUnsafeBufferPointer { px in
          fusedOutputs(3, count: n) { o, lo, hi in
            guard let g = pg.baseAddress, let m = pm.baseAddress, let v = pv.baseAddress,
              let x = px.baseAddress
            else { return }
            let (om, ov, ox) = (o[0], o[1], o[2])
            // A plain loop over raw pointers: LLVM vectorises it (vdivps, vsqrtps); tl_sqrtf
            // is the IEEE square root of Float.squareRoot() without sqrtf's errno branch.
            for j in lo..<hi {
              let newM = m[j] * b1 + g[j] * c1
              let newV = v[j] * b2 + g[j] * g[j] * c2
              om[j] = newM
              ov[j] = newV
              ox[j] = newM / d1 / (tl_sqrtf(newV / d2) + eps) * rate + x[j]
            }
          }
        }
      }
    }
  }
  return (out[0], out[1], out[2])
}
