// SPDX-License-Identifier: MIT
import Foundation

// Unary element-wise ops. As in TF.js's CPU backend, the result keeps the
// input's dtype (int32 results are truncated) unless the op says otherwise;
// ops that TF.js declares float32-only reject other dtypes with its message.
// Tape names are the TF.js kernel names (Neg, Abs, Exp, Sigmoid, Relu, ...).

/// Evaluates `f` in double precision and rounds once to float32, as TF.js's JavaScript
/// kernels do (so printed digits match TF.js's).
@inline(__always)
func viaDouble(_ x: Float, _ f: (Double) -> Double) -> Float { Float(f(Double(x))) }

extension Tensor {
  /// Runs a unary op: optional float32 requirement, output dtype (default: input's).
  @inline(__always)
  func unaryOp(
    _ name: String, jsName: String? = nil, requireFloat: Bool = false, outDtype: DType? = nil,
    attrs: OpAttrs = OpAttrs(), _ op: (Float) -> Float
  ) throws -> Tensor {
    try checkAlive()
    if requireFloat {
      try requireDtype(
        .float32, arg: "x", op: jsName ?? name.prefix(1).lowercased() + name.dropFirst())
    }
    let dtype = outDtype ?? self.dtype
    let x = self
    // The loop runs here, where `op` is a closure literal the compiler inlines into it;
    // captured by runOp's forward closure it would be an indirect call per element.
    let values = mapUnary(x.values, op)
    return try Engine.shared.runOp(name, inputs: [x], attrs: attrs) {
      Tensor.build(dtype == .float32 ? values : values.map(dtype.convert), x.shape, dtype)
    }
  }

  // MARK: - Arithmetic

  /// `-x`.
  public func neg() throws -> Tensor { try unaryOp("Neg") { -$0 } }
  /// `|x|`.
  public func abs() throws -> Tensor { try unaryOp("Abs") { Swift.abs($0) } }
  /// -1, 0 or 1 by the sign of `x` (0 for NaN).
  public func sign() throws -> Tensor { try unaryOp("Sign") { $0 < 0 ? -1 : ($0 > 0 ? 1 : 0) } }
  /// `x * x`.
  public func square() throws -> Tensor { try unaryOp("Square") { $0 * $0 } }
  /// `1 / x`.
  public func reciprocal() throws -> Tensor { try unaryOp("Reciprocal") { 1 / $0 } }
  /// `sqrt(x)` (float32 only).
  public func sqrt() throws -> Tensor {
    try unaryOp("Sqrt", requireFloat: true) { $0.squareRoot() }
  }
  /// `1 / sqrt(x)` (float32 only).
  public func rsqrt() throws -> Tensor {
    try unaryOp("Rsqrt", requireFloat: true) { 1 / $0.squareRoot() }
  }
  /// `e^x` (always float32).
  public func exp() throws -> Tensor {
    try unaryOp("Exp", outDtype: .float32) { viaDouble($0, Foundation.exp) }
  }
  /// `e^x - 1`.
  public func expm1() throws -> Tensor { try unaryOp("Expm1") { viaDouble($0, Foundation.expm1) } }
  /// Natural log (float32 only).
  public func log() throws -> Tensor {
    try unaryOp("Log", requireFloat: true) { viaDouble($0, Foundation.log) }
  }
  /// `log(1 + x)`.
  public func log1p() throws -> Tensor { try unaryOp("Log1p") { viaDouble($0, Foundation.log1p) } }

  // MARK: - Rounding

  /// Rounds down (float32 only).
  public func floor() throws -> Tensor {
    try unaryOp("Floor", requireFloat: true) { $0.rounded(.down) }
  }
  /// Rounds up (float32 only).
  public func ceil() throws -> Tensor {
    try unaryOp("Ceil", requireFloat: true) { $0.rounded(.up) }
  }
  /// Rounds half to even (banker's rounding), as TF does.
  public func round() throws -> Tensor { try unaryOp("Round") { $0.rounded(.toNearestOrEven) } }

  // MARK: - Trigonometric and hyperbolic

  /// `sin(x)` (float32 only).
  public func sin() throws -> Tensor {
    try unaryOp("Sin", requireFloat: true) { viaDouble($0, Foundation.sin) }
  }
  /// `cos(x)` (float32 only).
  public func cos() throws -> Tensor {
    try unaryOp("Cos", requireFloat: true) { viaDouble($0, Foundation.cos) }
  }
  /// `tan(x)` (float32 only).
  public func tan() throws -> Tensor {
    try unaryOp("Tan", requireFloat: true) { viaDouble($0, Foundation.tan) }
  }
  /// `asin(x)`.
  public func asin() throws -> Tensor { try unaryOp("Asin") { viaDouble($0, Foundation.asin) } }
  /// `acos(x)`.
  public func acos() throws -> Tensor { try unaryOp("Acos") { viaDouble($0, Foundation.acos) } }
  /// `atan(x)`.
  public func atan() throws -> Tensor { try unaryOp("Atan") { viaDouble($0, Foundation.atan) } }
  /// `sinh(x)`.
  public func sinh() throws -> Tensor { try unaryOp("Sinh") { viaDouble($0, Foundation.sinh) } }
  /// `cosh(x)` (float32 only).
  public func cosh() throws -> Tensor {
    try unaryOp("Cosh", requireFloat: true) { viaDouble($0, Foundation.cosh) }
  }
  /// `tanh(x)` (float32 only).
  public func tanh() throws -> Tensor {
    try unaryOp("Tanh", requireFloat: true) { viaDouble($0, Foundation.tanh) }
  }
  /// `asinh(x)`.
  public func asinh() throws -> Tensor { try unaryOp("Asinh") { viaDouble($0, Foundation.asinh) } }
  /// `acosh(x)`.
  public func acosh() throws -> Tensor { try unaryOp("Acosh") { viaDouble($0, Foundation.acosh) } }
  /// `atanh(x)`.
  public func atanh() throws -> Tensor { try unaryOp("Atanh") { viaDouble($0, Foundation.atanh) } }
  /// The Gauss error function.
  public func erf() throws -> Tensor { try unaryOp("Erf") { viaDouble($0, Foundation.erf) } }

  // MARK: - Activations

  /// `1 / (1 + e^-x)` (float32 only).
  public func sigmoid() throws -> Tensor {
    try unaryOp("Sigmoid", requireFloat: true) { viaDouble($0) { 1 / (1 + Foundation.exp(-$0)) } }
  }
  /// `max(x, 0)`.
  public func relu() throws -> Tensor {
    if dtype == .float32 { return try clampOp("Relu", lower: 0, upper: .infinity) }
    let dt: DType? = dtype == .bool ? .int32 : nil
    return try unaryOp("Relu", outDtype: dt) { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
  }
  /// `min(max(x, 0), 6)`.
  public func relu6() throws -> Tensor {
    if dtype == .float32 { return try clampOp("Relu6", lower: 0, upper: 6) }
    let dt: DType? = dtype == .bool ? .int32 : nil
    return try unaryOp("Relu6", outDtype: dt) { $0.isNaN ? $0 : Swift.min(Swift.max($0, 0), 6) }
  }
  /// `x` if `x >= 0`, else `e^x - 1` (float32 only).
  public func elu() throws -> Tensor {
    try unaryOp("Elu", requireFloat: true) {
      $0 >= 0 ? $0 : viaDouble($0) { Foundation.exp($0) - 1 }
    }
  }
  /// Scaled ELU with TF's constants.
  public func selu() throws -> Tensor {
    let scale = 1.0507009873554804934193349852946
    let scaleAlpha = 1.7580993408473768599402175208123
    return try unaryOp("Selu") {
      viaDouble($0) { $0 >= 0 ? scale * $0 : scaleAlpha * (Foundation.exp($0) - 1) }
    }
  }
  /// `x` if `x >= 0`, else `alpha * x` (always float32).
  public func leakyRelu(alpha: Float = 0.2) throws -> Tensor {
    try unaryOp("LeakyRelu", outDtype: .float32, attrs: OpAttrs(["alpha": .float(Double(alpha))])) {
      $0 < 0 ? Float(Double(alpha) * Double($0)) : $0
    }
  }
  /// `log(1 + e^x)`, computed stably with TF.js's thresholds.
  public func softplus() throws -> Tensor {
    let threshold = Foundation.log(1.1920928955078125e-7) + 2
    return try unaryOp("Softplus") {
      viaDouble($0) { x in
        if x < threshold { return Foundation.exp(x) }
        if x > -threshold { return x }
        return Foundation.log(1 + Foundation.exp(x))
      }
    }
  }
  /// `log(sigmoid(x))` = `-softplus(-x)`, built from primitives.
  public func logSigmoid() throws -> Tensor {
    try Engine.shared.tidy { try neg().softplus().neg() }
  }
  /// `1` if `x > 0`, else `alpha` (NaN stays NaN).
  public func step(alpha: Float = 0) throws -> Tensor {
    try unaryOp("Step", attrs: OpAttrs(["alpha": .float(Double(alpha))])) {
      $0.isNaN ? .nan : ($0 > 0 ? 1 : alpha)
    }
  }

  /// Clamps to `[min, max]`.
  public func clipByValue(_ min: Float, _ max: Float) throws -> Tensor {
    if !(min <= max) {
      throw TensorError(
        "Error in clip: min (\(jsNumber(Double(min)))) must be less than or equal to max "
          + "(\(jsNumber(Double(max)))).")
    }
    let attrs = OpAttrs(["clipValueMin": .float(Double(min)), "clipValueMax": .float(Double(max))])
    if dtype == .float32 { return try clampOp("ClipByValue", lower: min, upper: max, attrs: attrs) }
    return try unaryOp("ClipByValue", attrs: attrs) {
      $0.isNaN ? $0 : Swift.min(Swift.max($0, min), max)
    }
  }

  // MARK: - Predicates (bool results)

  /// True where NaN.
  public func isNaN() throws -> Tensor {
    try unaryOp("IsNan", outDtype: .bool) { $0.isNaN ? 1 : 0 }
  }
  /// True where finite.
  public func isFinite() throws -> Tensor {
    try unaryOp("IsFinite", outDtype: .bool) { $0.isFinite ? 1 : 0 }
  }
  /// True where infinite.
  public func isInf() throws -> Tensor {
    try unaryOp("IsInf", outDtype: .bool) { $0.isInfinite ? 1 : 0 }
  }
  /// Logical not of a bool tensor.
  public func logicalNot() throws -> Tensor {
    try requireDtype(.bool, arg: "x", op: "logicalNot")
    return try unaryOp("LogicalNot") { $0 == 0 ? 1 : 0 }
  }

  // MARK: - Cast

  /// Converts to `dtype` (float to int32 truncates toward zero; to bool is `x != 0`).
  public func cast(_ dtype: DType) throws -> Tensor {
    try checkAlive()
    if dtype == self.dtype {
      let x = self
      return try Engine.shared.runOp(
        "Cast", inputs: [x], attrs: OpAttrs(["dtype": .string(dtype.rawValue)])
      ) {
        Tensor.sharing(x, shape: x.shape)
      }
    }
    if dtype == .float32 {
      // int32 and bool values are stored as exact floats: the float32 values are the same
      // numbers, so the new tensor takes the value array as it is (copy-on-write).
      let x = self
      return try Engine.shared.runOp(
        "Cast", inputs: [x], attrs: OpAttrs(["dtype": .string(dtype.rawValue)])
      ) {
        Tensor.build(x.values, x.shape, .float32)
      }
    }
    return try unaryOp("Cast", outDtype: dtype, attrs: OpAttrs(["dtype": .string(dtype.rawValue)]))
    { $0 }
  }
}
