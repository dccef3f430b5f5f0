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

  /// Runs a unary op on its specialised loop (`UnaryLoops.swift`): same checks and dtypes
  /// as the closure form, without a closure call per element.
  func unaryOp(
    _ name: String, jsName: String? = nil, requireFloat: Bool = false, outDtype: DType? = nil,
    attrs: OpAttrs = OpAttrs(), kernel: UnaryKernel
  ) throws -> Tensor {
    try checkAlive()
    if requireFloat {
      try requireDtype(
        .float32, arg: "x", op: jsName ?? name.prefix(1).lowercased() + name.dropFirst())
    }
    let dtype = outDtype ?? self.dtype
    let x = self
    let values = kernel.values(x.values)
    return try Engine.shared.runOp(name, inputs: [x], attrs: attrs) {
      Tensor.build(dtype == .float32 ? values : values.map(dtype.convert), x.shape, dtype)
    }
  }

  // MARK: - Arithmetic

  /// `-x`.
  public func neg() throws -> Tensor { try unaryOp("Neg", kernel: .neg) }
  /// `|x|`.
  public func abs() throws -> Tensor { try unaryOp("Abs", kernel: .abs) }
  /// -1, 0 or 1 by the sign of `x` (0 for NaN).
  public func sign() throws -> Tensor { try unaryOp("Sign", kernel: .sign) }
  /// `x * x`.
  public func square() throws -> Tensor { try unaryOp("Square", kernel: .square) }
  /// `1 / x`.
  public func reciprocal() throws -> Tensor { try unaryOp("Reciprocal", kernel: .reciprocal) }
  /// `sqrt(x)` (float32 only).
  public func sqrt() throws -> Tensor {
    try unaryOp("Sqrt", requireFloat: true, kernel: .sqrt)
  }
  /// `1 / sqrt(x)` (float32 only).
  public func rsqrt() throws -> Tensor {
    try unaryOp("Rsqrt", requireFloat: true, kernel: .rsqrt)
  }
  /// `e^x` (always float32).
  public func exp() throws -> Tensor {
    try unaryOp("Exp", outDtype: .float32, kernel: .exp)
  }
  /// `e^x - 1`.
  public func expm1() throws -> Tensor { try unaryOp("Expm1", kernel: .expm1) }
  /// Natural log (float32 only).
  public func log() throws -> Tensor {
    try unaryOp("Log", requireFloat: true, kernel: .log)
  }
  /// `log(1 + x)`.
  public func log1p() throws -> Tensor { try unaryOp("Log1p", kernel: .log1p) }

  // MARK: - Rounding

  /// Rounds down (float32 only).
  public func floor() throws -> Tensor {
    try unaryOp("Floor", requireFloat: true, kernel: .floor)
  }
  /// Rounds up (float32 only).
  public func ceil() throws -> Tensor {
    try unaryOp("Ceil", requireFloat: true, kernel: .ceil)
  }
  /// Rounds half to even (banker's rounding), as TF does.
  public func round() throws -> Tensor { try unaryOp("Round", kernel: .round) }

  // MARK: - Trigonometric and hyperbolic

  /// `sin(x)` (float32 only).
  public func sin() throws -> Tensor {
    try unaryOp("Sin", requireFloat: true, kernel: .sin)
  }
  /// `cos(x)` (float32 only).
  public func cos() throws -> Tensor {
    try unaryOp("Cos", requireFloat: true, kernel: .cos)
  }
  /// `tan(x)` (float32 only).
  public func tan() throws -> Tensor {
    try unaryOp("Tan", requireFloat: true, kernel: .tan)
  }
  /// `asin(x)`.
  public func asin() throws -> Tensor { try unaryOp("Asin", kernel: .asin) }
  /// `acos(x)`.
  public func acos() throws -> Tensor { try unaryOp("Acos", kernel: .acos) }
  /// `atan(x)`.
  public func atan() throws -> Tensor { try unaryOp("Atan", kernel: .atan) }
  /// `sinh(x)`.
  public func sinh() throws -> Tensor { try unaryOp("Sinh", kernel: .sinh) }
  /// `cosh(x)` (float32 only).
  public func cosh() throws -> Tensor {
    try unaryOp("Cosh", requireFloat: true, kernel: .cosh)
  }
  /// `tanh(x)` (float32 only).
  public func tanh() throws -> Tensor {
    try unaryOp("Tanh", requireFloat: true, kernel: .tanh)
  }
  /// `asinh(x)`.
  public func asinh() throws -> Tensor { try unaryOp("Asinh", kernel: .asinh) }
  /// `acosh(x)`.
  public func acosh() throws -> Tensor { try unaryOp("Acosh", kernel: .acosh) }
  /// `atanh(x)`.
  public func atanh() throws -> Tensor { try unaryOp("Atanh", kernel: .atanh) }
  /// The Gauss error function.
  public func erf() throws -> Tensor { try unaryOp("Erf", kernel: .erf) }

  // MARK: - Activations

  /// `1 / (1 + e^-x)` (float32 only).
  public func sigmoid() throws -> Tensor {
    try unaryOp("Sigmoid", requireFloat: true, kernel: .sigmoid)
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
    try unaryOp("Elu", requireFloat: true, kernel: .elu)
  }
  /// Scaled ELU with TF's constants.
  public func selu() throws -> Tensor {
    try unaryOp("Selu", kernel: .selu)
  }
  /// `x` if `x >= 0`, else `alpha * x` (always float32).
  public func leakyRelu(alpha: Float = 0.2) throws -> Tensor {
    try unaryOp(
      "LeakyRelu", outDtype: .float32, attrs: OpAttrs(["alpha": .float(Double(alpha))]),
      kernel: .leakyRelu(alpha: alpha))
  }
  /// `log(1 + e^x)`, computed stably with TF.js's thresholds.
  public func softplus() throws -> Tensor {
    try unaryOp("Softplus", kernel: .softplus)
  }
  /// `log(sigmoid(x))` = `-softplus(-x)`, built from primitives.
  public func logSigmoid() throws -> Tensor {
    try Engine.shared.tidy { try neg().softplus().neg() }
  }
  /// `1` if `x > 0`, else `alpha` (NaN stays NaN).
  public func step(alpha: Float = 0) throws -> Tensor {
    try unaryOp(
      "Step", attrs: OpAttrs(["alpha": .float(Double(alpha))]), kernel: .step(alpha: alpha))
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
    try unaryOp("IsNan", outDtype: .bool, kernel: .isNaN)
  }
  /// True where finite.
  public func isFinite() throws -> Tensor {
    try unaryOp("IsFinite", outDtype: .bool, kernel: .isFinite)
  }
  /// True where infinite.
  public func isInf() throws -> Tensor {
    try unaryOp("IsInf", outDtype: .bool, kernel: .isInf)
  }
  /// Logical not of a bool tensor.
  public func logicalNot() throws -> Tensor {
    try requireDtype(.bool, arg: "x", op: "logicalNot")
    return try unaryOp("LogicalNot", kernel: .logicalNot)
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
