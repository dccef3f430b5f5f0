// SPDX-License-Identifier: MIT
import Dispatch
import Foundation

// Specialised loops for the unary element-wise ops. The op is chosen once per
// worker range (the switch is outside the loop), and each case runs a loop
// with its scalar definition inlined: no closure call per element at any size.
//
// Each case evaluates exactly the scalar expression the op is defined by (the
// `UnaryKernel.scalar` definitions), so the results are bit-identical to an
// element-by-element map: transcendental ops still compute in Double and round
// once to float32, as TF.js's kernels do. The sign and arithmetic ops (neg, abs,
// square, ...) are float32 expressions the compiler vectorises as they are.

/// A unary element-wise op with a specialised loop over float32 values.
enum UnaryKernel {
  case neg, abs, sign, square, reciprocal, sqrt, rsqrt
  case exp, expm1, log, log1p
  case floor, ceil, round
  case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, erf
  case sigmoid, elu, selu, softplus
  case leakyRelu(alpha: Float)
  case step(alpha: Float)
  case isNaN, isFinite, isInf, logicalNot

  // MARK: - Scalar definitions

  static let seluScale = 1.0507009873554804934193349852946
  static let seluScaleAlpha = 1.7580993408473768599402175208123
  /// TF.js's softplus threshold: `log(float32 epsilon) + 2`.
  static let softplusThreshold = Foundation.log(1.1920928955078125e-7) + 2

  @inline(__always)
  static func sigmoid(_ x: Float) -> Float { viaDouble(x) { 1 / (1 + Foundation.exp(-$0)) } }

  @inline(__always)
  static func elu(_ x: Float) -> Float { x >= 0 ? x : viaDouble(x) { Foundation.exp($0) - 1 } }

  @inline(__always)
  static func selu(_ x: Float) -> Float {
    viaDouble(x) { $0 >= 0 ? seluScale * $0 : seluScaleAlpha * (Foundation.exp($0) - 1) }
  }

  @inline(__always)
  static func softplus(_ x: Float) -> Float {
    viaDouble(x) { x in
      if x < softplusThreshold { return Foundation.exp(x) }
      if x > -softplusThreshold { return x }
      return Foundation.log(1 + Foundation.exp(x))
    }
  }

  @inline(__always)
  static func leakyRelu(_ x: Float, _ alpha: Float) -> Float {
    x < 0 ? Float(Double(alpha) * Double(x)) : x
  }

  @inline(__always)
  static func step(_ x: Float, _ alpha: Float) -> Float { x.isNaN ? .nan : (x > 0 ? 1 : alpha) }

  /// The op on one value: the definition every loop below agrees with bit for bit.
  func scalar(_ x: Float) -> Float {
    var out: Float = 0
    withUnsafePointer(to: x) { s in run(s, &out, 1) }
    return out
  }

  // MARK: - Loops

  /// Applies the op to `count` values from `s` into `o`, with one loop per op.
  func run(_ s: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ count: Int) {
    switch self {
    case .neg: unaryLoop(s, o, count) { -$0 }
    case .abs: unaryLoop(s, o, count) { Swift.abs($0) }
    case .sign: unaryLoop(s, o, count) { $0 < 0 ? -1 : ($0 > 0 ? 1 : 0) }
    case .square: unaryLoop(s, o, count) { $0 * $0 }
    case .reciprocal: unaryLoop(s, o, count) { 1 / $0 }
    case .sqrt: unaryLoop(s, o, count) { $0.squareRoot() }
    case .rsqrt: unaryLoop(s, o, count) { 1 / $0.squareRoot() }
    case .exp: unaryLoop(s, o, count) { viaDouble($0, Foundation.exp) }
    case .expm1: unaryLoop(s, o, count) { viaDouble($0, Foundation.expm1) }
    case .log: unaryLoop(s, o, count) { viaDouble($0, Foundation.log) }
    case .log1p: unaryLoop(s, o, count) { viaDouble($0, Foundation.log1p) }
    case .floor: unaryLoop(s, o, count) { $0.rounded(.down) }
    case .ceil: unaryLoop(s, o, count) { $0.rounded(.up) }
    case .round: unaryLoop(s, o, count) { $0.rounded(.toNearestOrEven) }
    case .sin: unaryLoop(s, o, count) { viaDouble($0, Foundation.sin) }
    case .cos: unaryLoop(s, o, count) { viaDouble($0, Foundation.cos) }
    case .tan: unaryLoop(s, o, count) { viaDouble($0, Foundation.tan) }
    case .asin: unaryLoop(s, o, count) { viaDouble($0, Foundation.asin) }
    case .acos: unaryLoop(s, o, count) { viaDouble($0, Foundation.acos) }
    case .atan: unaryLoop(s, o, count) { viaDouble($0, Foundation.atan) }
    case .sinh: unaryLoop(s, o, count) { viaDouble($0, Foundation.sinh) }
    case .cosh: unaryLoop(s, o, count) { viaDouble($0, Foundation.cosh) }
    case .tanh: unaryLoop(s, o, count) { viaDouble($0, Foundation.tanh) }
    case .asinh: unaryLoop(s, o, count) { viaDouble($0, Foundation.asinh) }
    case .acosh: unaryLoop(s, o, count) { viaDouble($0, Foundation.acosh) }
    case .atanh: unaryLoop(s, o, count) { viaDouble($0, Foundation.atanh) }
    case .erf: unaryLoop(s, o, count) { viaDouble($0, Foundation.erf) }
    case .sigmoid: unaryLoop(s, o, count) { UnaryKernel.sigmoid($0) }
    case .elu: unaryLoop(s, o, count) { UnaryKernel.elu($0) }
    case .selu: unaryLoop(s, o, count) { UnaryKernel.selu($0) }
    case .softplus: unaryLoop(s, o, count) { UnaryKernel.softplus($0) }
    case .leakyRelu(let alpha): unaryLoop(s, o, count) { UnaryKernel.leakyRelu($0, alpha) }
    case .step(let alpha): unaryLoop(s, o, count) { UnaryKernel.step($0, alpha) }
    case .isNaN: unaryLoop(s, o, count) { $0.isNaN ? 1 : 0 }
    case .isFinite: unaryLoop(s, o, count) { $0.isFinite ? 1 : 0 }
    case .isInf: unaryLoop(s, o, count) { $0.isInfinite ? 1 : 0 }
    case .logicalNot: unaryLoop(s, o, count) { $0 == 0 ? 1 : 0 }
    }
  }

  /// A new array with the op applied to every value, split over two workers when large.
  func values(_ x: [Float]) -> [Float] {
    let n = x.count
    return [Float](unsafeUninitializedCapacity: n) { out, count in
      x.withUnsafeBufferPointer { src in
        if let s = src.baseAddress, let o = out.baseAddress {
          parallelRanges(n) { lo, hi in run(s + lo, o + lo, hi - lo) }
        }
      }
      count = n
    }
  }
}

/// `o[i] = f(s[i])` for `i < count`; `f` is a closure literal inlined into each caller.
@inline(__always)
private func unaryLoop(
  _ s: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ count: Int,
  _ f: (Float) -> Float
) {
  for i in 0..<count { o[i] = f(s[i]) }
}
