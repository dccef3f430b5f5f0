// SPDX-License-Identifier: MIT
import Foundation

// Specialised float32 loops for the clamps (relu, relu6, clipByValue): eight
// lanes at a time with no closure call per element. They give bit-identical
// results to the scalar expressions the ops are defined by:
//
//   clamp(x) = x.isNaN ? x : Swift.min(Swift.max(x, lower), upper)
//
// `Swift.max(x, lower)` is `lower >= x ? lower : x` and `Swift.min(v, upper)` is
// `upper < v ? upper : v`, so the clamp is "lower where x <= lower, then upper
// where that value > upper"; NaN fails both comparisons and passes through, and
// a zero equal to `lower` becomes `lower` itself (relu(-0) is +0).

/// `x <= lower ? lower : x`, then `v > upper ? upper : v`, on one float.
@inline(__always)
func clampScalar(_ x: Float, _ lower: Float, _ upper: Float) -> Float {
  let v = x <= lower ? lower : x
  return v > upper ? upper : v
}

/// Clamps `count` floats from `src` into `dst` (which may be `src`).
@inline(__always)
func clampRun(
  _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
  lower: Float, upper: Float
) {
  let lo = SIMD8<Float>(repeating: lower)
  let hi = SIMD8<Float>(repeating: upper)
  var i = 0
  while i + 8 <= count {
    let x = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
    let v = x.replacing(with: lo, where: x .<= lo)
    let y = v.replacing(with: hi, where: v .> hi)
    UnsafeMutableRawPointer(dst + i).storeBytes(of: y, as: SIMD8<Float>.self)
    i += 8
  }
  while i < count {
    dst[i] = clampScalar(src[i], lower, upper)
    i += 1
  }
}

/// A new array with every value of `x` clamped to `[lower, upper]` (NaN kept).
func clampValues(_ x: [Float], lower: Float, upper: Float) -> [Float] {
  let n = x.count
  return [Float](unsafeUninitializedCapacity: n) { out, count in
    x.withUnsafeBufferPointer { src in
      if let s = src.baseAddress, let o = out.baseAddress {
        parallelRanges(n) { lo, hi in
          clampRun(s + lo, o + lo, hi - lo, lower: lower, upper: upper)
        }
      }
    }
    count = n
  }
}

extension Tensor {
  /// A float32 clamp op (relu, relu6, clipByValue) on the vector loop; callers keep their
  /// element closures for the other dtypes.
  func clampOp(_ name: String, lower: Float, upper: Float, attrs: OpAttrs = OpAttrs()) throws
    -> Tensor
  {
    try checkAlive()
    let x = self
    return try Engine.shared.runOp(name, inputs: [x], attrs: attrs) {
      Tensor.build(clampValues(x.values, lower: lower, upper: upper), x.shape, .float32)
    }
  }
}
