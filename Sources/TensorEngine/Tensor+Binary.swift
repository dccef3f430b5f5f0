// SPDX-License-Identifier: MIT
import Foundation

// Binary element-wise ops with numpy broadcasting. Operands are upcast to a
// common dtype first (bool < int32 < float32), as TF.js's `makeTypesMatch`.
// Tape names are TF.js kernel names: Add, Sub, Multiply, RealDiv, FloorDiv,
// Mod, Pow, Maximum, Minimum, SquaredDifference, Atan2, Equal, NotEqual, Less,
// LessEqual, Greater, GreaterEqual, LogicalAnd, LogicalOr, LogicalXor, Select, Prelu.

extension Tensor {
  /// Runs a broadcasting binary op whose result dtype is `outDtype` (default: the upcast type).
  @inline(__always)
  func binaryOp(
    _ name: String, _ other: Tensor, outDtype: DType? = nil, fast: FastBinaryOp? = nil,
    _ op: (Float, Float) -> Float
  ) throws -> Tensor {
    let a = self
    let b = other
    try a.checkAlive()
    try b.checkAlive()
    let shape = try broadcastShapes(a.shape, b.shape)
    let dtype = outDtype ?? DType.upcast(a.dtype, b.dtype)
    // The loop runs here, where `op` is a closure literal the compiler inlines into it;
    // captured by runOp's forward closure it would be an indirect call per element.
    // Specialised loops (BinaryFastPaths.swift) compute the same values on common layouts.
    let values = fast.flatMap { fastBinary($0, a.values, a.shape, b.values, b.shape, shape) }
      ?? mapBinary(a.values, a.shape, b.values, b.shape, shape, op)
    return try Engine.shared.runOp(name, inputs: [a, b]) {
      Tensor.build(dtype == .float32 ? values : values.map(dtype.convert), shape, dtype)
    }
  }

  /// Throws TF.js's argument-dtype error unless the tensor has `dtype`.
  func requireDtype(_ dtype: DType, arg: String, op: String) throws {
    if self.dtype != dtype {
      throw TensorError(
        "Argument '\(arg)' passed to '\(op)' must be \(dtype) tensor, but got \(self.dtype) tensor")
    }
  }

  // MARK: - Arithmetic

  /// `a + b` with broadcasting.
  public func add(_ b: Tensor) throws -> Tensor { try binaryOp("Add", b, fast: .add) { $0 + $1 } }

  /// `a - b` with broadcasting.
  public func sub(_ b: Tensor) throws -> Tensor { try binaryOp("Sub", b, fast: .sub) { $0 - $1 } }

  /// `a * b` with broadcasting.
  public func mul(_ b: Tensor) throws -> Tensor {
    try binaryOp("Multiply", b, fast: .mul) { $0 * $1 }
  }

  /// `a / b`; two int32 operands give floor division, as in TF.js.
  public func div(_ b: Tensor) throws -> Tensor {
    if DType.upcast(dtype, b.dtype) == .int32 { return try floorDiv(b) }
    return try binaryOp("RealDiv", b, outDtype: .float32, fast: .div) { $0 / $1 }
  }

  /// `a / b`, but 0 where `b` is 0.
  public func divNoNan(_ b: Tensor) throws -> Tensor {
    try binaryOp("DivNoNan", b, outDtype: .float32) { $1 == 0 ? 0 : $0 / $1 }
  }

  /// `floor(a / b)`.
  public func floorDiv(_ b: Tensor) throws -> Tensor {
    try binaryOp("FloorDiv", b) { ($0 / $1).rounded(.down) }
  }

  /// Floor modulo: the result has the sign of `b`.
  public func mod(_ b: Tensor) throws -> Tensor {
    try binaryOp("Mod", b) { x, y in
      let r = fmodf(x, y)
      return (x < 0) == (y < 0) || r == 0 ? r : fmodf(r + y, y)
    }
  }

  /// `a ^ b`.
  public func pow(_ b: Tensor) throws -> Tensor {
    try binaryOp("Pow", b) { Float(Foundation.pow(Double($0), Double($1))) }
  }

  /// Element-wise maximum (bool operands give int32).
  public func maximum(_ b: Tensor) throws -> Tensor {
    let dt = DType.upcast(dtype, b.dtype) == .bool ? DType.int32 : nil
    return try binaryOp("Maximum", b, outDtype: dt, fast: .maximum) {
      $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1)
    }
  }

  /// Element-wise minimum (bool operands give int32).
  public func minimum(_ b: Tensor) throws -> Tensor {
    let dt = DType.upcast(dtype, b.dtype) == .bool ? DType.int32 : nil
    return try binaryOp("Minimum", b, outDtype: dt, fast: .minimum) {
      $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1)
    }
  }

  /// `(a - b)^2`.
  public func squaredDifference(_ b: Tensor) throws -> Tensor {
    try binaryOp("SquaredDifference", b) { x, y in
      let d = Double(x) - Double(y)  // in double, as TF.js's kernel
      return Float(d * d)
    }
  }

  /// `atan2(a, b)`.
  public func atan2(_ b: Tensor) throws -> Tensor {
    try binaryOp("Atan2", b) { Float(Foundation.atan2(Double($0), Double($1))) }
  }

  /// `tf.addN(tensors)`: element-wise sum of equal-shaped, equal-dtype tensors.
  public static func addN(_ tensors: [Tensor]) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError("Must pass at least one tensor to tf.addN(), but got 0")
    }
    for t in tensors {
      try t.checkAlive()
      if t.dtype != first.dtype {
        throw TensorError("All tensors passed to tf.addN() must have the same dtype")
      }
      if t.shape != first.shape {
        throw TensorError("All tensors passed to tf.addN() must have the same shape")
      }
    }
    return try Engine.shared.runOp("AddN", inputs: tensors) {
      var acc = first.values
      for t in tensors.dropFirst() {
        acc = mapBinary(acc, first.shape, t.values, t.shape, first.shape) { $0 + $1 }
      }
      return Tensor.build(
        first.dtype == .float32 ? acc : acc.map(first.dtype.convert),
        first.shape, first.dtype)
    }
  }

  // MARK: - Comparison (bool results)

  /// `a == b`.
  public func equal(_ b: Tensor) throws -> Tensor {
    try binaryOp("Equal", b, outDtype: .bool) { $0 == $1 ? 1 : 0 }
  }

  /// `a != b`.
  public func notEqual(_ b: Tensor) throws -> Tensor {
    try binaryOp("NotEqual", b, outDtype: .bool) { $0 != $1 ? 1 : 0 }
  }

  /// `a < b`.
  public func less(_ b: Tensor) throws -> Tensor {
    try binaryOp("Less", b, outDtype: .bool) { $0 < $1 ? 1 : 0 }
  }

  /// `a <= b`.
  public func lessEqual(_ b: Tensor) throws -> Tensor {
    try binaryOp("LessEqual", b, outDtype: .bool) { $0 <= $1 ? 1 : 0 }
  }

  /// `a > b`.
  public func greater(_ b: Tensor) throws -> Tensor {
    try binaryOp("Greater", b, outDtype: .bool) { $0 > $1 ? 1 : 0 }
  }

  /// `a >= b`.
  public func greaterEqual(_ b: Tensor) throws -> Tensor {
    try binaryOp("GreaterEqual", b, outDtype: .bool) { $0 >= $1 ? 1 : 0 }
  }

  // MARK: - Logical (bool operands)

  /// `a && b` on bool tensors.
  public func logicalAnd(_ b: Tensor) throws -> Tensor {
    try requireDtype(.bool, arg: "a", op: "logicalAnd")
    try b.requireDtype(.bool, arg: "b", op: "logicalAnd")
    return try binaryOp("LogicalAnd", b, outDtype: .bool) { $0 != 0 && $1 != 0 ? 1 : 0 }
  }

  /// `a || b` on bool tensors.
  public func logicalOr(_ b: Tensor) throws -> Tensor {
    try requireDtype(.bool, arg: "a", op: "logicalOr")
    try b.requireDtype(.bool, arg: "b", op: "logicalOr")
    return try binaryOp("LogicalOr", b, outDtype: .bool) { $0 != 0 || $1 != 0 ? 1 : 0 }
  }

  /// `a xor b` on bool tensors.
  public func logicalXor(_ b: Tensor) throws -> Tensor {
    try requireDtype(.bool, arg: "a", op: "logicalXor")
    try b.requireDtype(.bool, arg: "b", op: "logicalXor")
    return try binaryOp("LogicalXor", b, outDtype: .bool) { ($0 != 0) != ($1 != 0) ? 1 : 0 }
  }

  // MARK: - Selection

  /// `tf.where(condition, a, b)`: `a` where the bool condition holds, else `b`, all broadcast;
  /// the result has the upcast dtype of `a` and `b`.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    try condition.checkAlive()
    try a.checkAlive()
    try b.checkAlive()
    try condition.requireDtype(.bool, arg: "condition", op: "where")
    let shape = try broadcastShapes(try broadcastShapes(condition.shape, a.shape), b.shape)
    return try Engine.shared.runOp("Select", inputs: [condition, a, b]) {
      let c = try condition.broadcastTo(shape).values
      let av = try a.broadcastTo(shape).values
      let bv = try b.broadcastTo(shape).values
      var out = [Float](repeating: 0, count: c.count)
      for i in 0..<c.count { out[i] = c[i] != 0 ? av[i] : bv[i] }
      return Tensor.build(out, shape, DType.upcast(a.dtype, b.dtype))
    }
  }

  /// `prelu(x, alpha)`: `x` if positive, else `alpha * x` (alpha broadcast).
  public func prelu(_ alpha: Tensor) throws -> Tensor {
    try binaryOp("Prelu", alpha) { $0 < 0 ? $1 * $0 : $0 }
  }
}
