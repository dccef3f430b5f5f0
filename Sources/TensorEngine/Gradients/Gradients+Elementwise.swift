// SPDX-License-Identifier: MIT
import Foundation

// Gradients of the element-wise ops, with TF.js's formulas (tfjs-core
// src/gradients/*_grad.ts). Binary gradients are summed over broadcast axes
// back to each operand's shape.

extension Gradients {
  /// A rule for a one-input op: `body(x, y, dy)` gives dx.
  private static func unary(_ body: @escaping (Tensor, Tensor, Tensor) throws -> Tensor)
    -> GradientRule
  {
    { g in [g.needs(0) ? try body(g.input(0), g.output, g.dy) : nil] }
  }

  /// A rule for a broadcasting two-input op: `da(a, b, y, dy)` and `db(...)` give the
  /// unreduced gradients, which are then summed back to each operand's shape.
  private static func binary(
    _ da: @escaping (Tensor, Tensor, Tensor, Tensor) throws -> Tensor,
    _ db: @escaping (Tensor, Tensor, Tensor, Tensor) throws -> Tensor
  ) -> GradientRule {
    { g in
      let (a, b, y, dy) = (g.input(0), g.input(1), g.output, g.dy)
      return [
        g.needs(0) ? try sumToShape(try da(a, b, y, dy), a.shape) : nil,
        g.needs(1) ? try sumToShape(try db(a, b, y, dy), b.shape) : nil,
      ]
    }
  }

  // MARK: - Unary

  static func unaryRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["Neg"] = unary { _, _, dy in try dy.neg() }
    r["Abs"] = unary { x, _, dy in try dy.mul(try float(x).step(alpha: -1)) }
    r["Square"] = unary { x, _, dy in try dy.mul(try float(x).mul(scalar(2))) }
    r["Reciprocal"] = unary { x, _, dy in try dy.div(try float(x).square().neg()) }
    r["Sqrt"] = unary { x, _, dy in try dy.div(try float(x).sqrt().mul(scalar(2))) }
    r["Rsqrt"] = unary { x, _, dy in
      try dy.div(try float(x).pow(scalar(1.5)).mul(scalar(2))).neg()
    }
    r["Exp"] = unary { _, y, dy in try dy.mul(y) }
    r["Expm1"] = unary { x, _, dy in try dy.mul(try x.exp()) }
    r["Log"] = unary { x, _, dy in try dy.div(try float(x)) }
    r["Log1p"] = unary { x, _, dy in try dy.div(try float(x).add(scalar(1))) }
    r["Sin"] = unary { x, _, dy in try float(x).cos().mul(dy) }
    r["Cos"] = unary { x, _, dy in try float(x).sin().neg().mul(dy) }
    r["Tan"] = unary { x, _, dy in try dy.div(try float(x).cos().square()) }
    r["Asin"] = unary { x, _, dy in
      try dy.div(try scalar(1).sub(try float(x).square()).sqrt())
    }
    r["Acos"] = unary { x, _, dy in
      try dy.div(try scalar(1).sub(try float(x).square()).sqrt()).neg()
    }
    r["Atan"] = unary { x, _, dy in try dy.div(try float(x).square().add(scalar(1))) }
    r["Asinh"] = unary { x, _, dy in
      try dy.div(try float(x).square().add(scalar(1)).sqrt())
    }
    r["Acosh"] = unary { x, _, dy in
      try dy.div(try float(x).square().sub(scalar(1)).sqrt())
    }
    r["Atanh"] = unary { x, _, dy in
      try dy.div(try scalar(1).sub(try float(x).square()))
    }
    r["Sinh"] = unary { x, _, dy in try float(x).cosh().mul(dy) }
    r["Cosh"] = unary { x, _, dy in try float(x).sinh().mul(dy) }
    r["Tanh"] = unary { _, y, dy in try scalar(1).sub(try y.square()).mul(dy) }
    r["Erf"] = unary { x, _, dy in
      let a = try float(x).square().neg().exp().mul(scalar(Float(2 / Double.pi.squareRoot())))
      return try dy.mul(a)
    }
    r["Sigmoid"] = unary { _, y, dy in try dy.mul(try y.mul(try scalar(1).sub(y))) }
    r["Softplus"] = unary { x, _, dy in try dy.mul(try float(x).sigmoid()) }
    r["Relu"] = unary { x, _, dy in try dy.mul(try float(x).step()) }
    r["Relu6"] = unary { x, _, dy in
      let mask = try x.lessEqual(scalar(6)).cast(.float32).mul(try float(x).step())
      return try dy.mul(mask)
    }
    // EluGrad: dy where y >= 0, else dy·(y + 1). This is TensorFlow's kernel and TF.js's
    // default browser ones (packed WebGL, WebGPU); TF.js's CPU and unpacked WebGL kernels
    // test y >= 1 instead, which is wrong for 0 <= x < 1.
    r["Elu"] = unary { _, y, dy in
      let mask = try y.greaterEqual(scalar(0))
      return try Tensor.where(mask, dy, try dy.mul(try y.add(scalar(1))))
    }
    r["Selu"] = unary { x, _, dy in
      let scale: Float = 1.0507009873554804934193349852946
      let scaleAlpha: Float = 1.7580993408473768599402175208123
      let positive = try dy.mul(scalar(scale))
      let negative = try dy.mul(scalar(scaleAlpha)).mul(try float(x).exp())
      return try Tensor.where(try x.greater(scalar(0)), positive, negative)
    }
    r["LeakyRelu"] = { g in
      guard g.needs(0) else { return [nil] }
      let alpha = Float(g.attrs.float("alpha") ?? 0.2)
      let mask = try g.input(0).greater(scalar(0))
      return [try Tensor.where(mask, g.dy, try g.dy.mul(scalar(alpha)))]
    }
    r["ClipByValue"] = { g in
      guard g.needs(0) else { return [nil] }
      let lo = Float(g.attrs.float("clipValueMin") ?? -.infinity)
      let hi = Float(g.attrs.float("clipValueMax") ?? .infinity)
      let x = g.input(0)
      let inside = try x.greaterEqual(scalar(lo)).logicalAnd(try x.lessEqual(scalar(hi)))
      return [try Tensor.where(inside, g.dy, try zeros(g.dy.shape))]
    }
    r["Cast"] = unary { _, _, dy in try dy.clone() }
    r["Identity"] = unary { _, _, dy in try dy.clone() }
    r.merge(same(
      ["Sign", "Floor", "Ceil", "Round", "Step", "IsNan", "IsFinite", "IsInf", "LogicalNot"],
      zeroRule)) { _, new in new }
    return r
  }

  // MARK: - Binary

  static func binaryRules() -> [String: GradientRule] {
    var r: [String: GradientRule] = [:]
    r["Add"] = binary({ _, _, _, dy in dy }, { _, _, _, dy in dy })
    r["Sub"] = binary({ _, _, _, dy in dy }, { _, _, _, dy in try dy.neg() })
    r["Multiply"] = binary(
      { _, b, _, dy in try dy.mul(try float(b)) }, { a, _, _, dy in try dy.mul(try float(a)) })
    let divGrad = binary(
      { _, b, _, dy in try dy.div(try float(b)) },
      { a, b, _, dy in try dy.mul(try float(a)).div(try float(b).square()).neg() })
    r["RealDiv"] = divGrad
    r["FloorDiv"] = divGrad
    r["DivNoNan"] = binary(
      { _, b, _, dy in try dy.divNoNan(try float(b)) },
      { a, b, _, dy in try dy.mul(try float(a)).divNoNan(try float(b).square()).neg() })
    r["Mod"] = binary(
      { _, _, _, dy in dy },
      { a, b, _, dy in try dy.mul(try float(a).div(try float(b)).floor().neg()) })
    r["Pow"] = binary(
      { a, b, _, dy in
        let e = try float(b)
        return try dy.mul(try e.mul(try float(a).pow(try e.sub(scalar(1)))))
      },
      { a, _, y, dy in
        let base = try float(a)
        let logBase = try Tensor.where(
          try base.greater(scalar(0)), try base.log(), try zeros(base.shape))
        return try dy.mul(try float(y).mul(logBase))
      })
    r["Maximum"] = binary(
      { a, b, _, dy in try dy.mul(try a.greaterEqual(b).cast(.float32)) },
      { a, b, _, dy in try dy.mul(try a.less(b).cast(.float32)) })
    r["Minimum"] = binary(
      { a, b, _, dy in try dy.mul(try a.lessEqual(b).cast(.float32)) },
      { a, b, _, dy in try dy.mul(try a.greater(b).cast(.float32)) })
    r["SquaredDifference"] = binary(
      { a, b, _, dy in try dy.mul(try scalar(2).mul(try float(a).sub(try float(b)))) },
      { a, b, _, dy in try dy.mul(try scalar(2).mul(try float(b).sub(try float(a)))) })
    r["Atan2"] = binary(
      { a, b, _, dy in
        let d = try float(a).square().add(try float(b).square())
        return try dy.mul(try float(b).div(d))
      },
      { a, b, _, dy in
        let d = try float(a).square().add(try float(b).square())
        return try dy.mul(try float(a).div(d)).neg()
      })
    r["Prelu"] = binary(
      { a, b, _, dy in
        try Tensor.where(try a.greater(scalar(0)), dy, try dy.mul(try float(b)))
      },
      { a, _, _, dy in
        try Tensor.where(try a.greater(scalar(0)), try zeros(dy.shape), try dy.mul(try float(a)))
      })
    r["AddN"] = { g in try g.needed.map { $0 ? try g.dy.clone() : nil } }
    r["Select"] = { g in
      let (cond, a, b, dy) = (g.input(0), g.input(1), g.input(2), g.dy)
      let zero = try zeros(dy.shape)
      return [
        g.needs(0) ? try zeros(cond.shape) : nil,
        g.needs(1) ? try sumToShape(try Tensor.where(cond, dy, zero), a.shape) : nil,
        g.needs(2) ? try sumToShape(try Tensor.where(cond, zero, dy), b.shape) : nil,
      ]
    }
    r.merge(same(
      ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd",
       "LogicalOr", "LogicalXor"],
      zeroRule)) { _, new in new }
    return r
  }
}
