// SPDX-License-Identifier: MIT
import Foundation

// The matMul gradient (TF.js BatchMatMul_grad): one product per operand,
// chosen by the transpose flags, then summed over broadcast batch axes.

extension Gradients {
  static func matMulRules() -> [String: GradientRule] {
    let rule: GradientRule = { g in
      let (a, b, dy) = (try float(g.input(0)), try float(g.input(1)), g.dy)
      let ta = g.attrs.bool("transposeA") ?? false
      let tb = g.attrs.bool("transposeB") ?? false
      var da: Tensor?
      var db: Tensor?
      switch (ta, tb) {
      case (false, false):
        if g.needs(0) { da = try dy.matMul(b, transposeA: false, transposeB: true) }
        if g.needs(1) { db = try a.matMul(dy, transposeA: true, transposeB: false) }
      case (false, true):
        if g.needs(0) { da = try dy.matMul(b) }
        if g.needs(1) { db = try dy.matMul(a, transposeA: true, transposeB: false) }
      case (true, false):
        if g.needs(0) { da = try b.matMul(dy, transposeA: false, transposeB: true) }
        if g.needs(1) { db = try a.matMul(dy) }
      case (true, true):
        if g.needs(0) { da = try b.matMul(dy, transposeA: true, transposeB: true) }
        if g.needs(1) { db = try dy.matMul(a, transposeA: true, transposeB: true) }
      }
      return [
        try da.map { try sumToShape($0, g.input(0).shape) },
        try db.map { try sumToShape($0, g.input(1).shape) },
      ]
    }
    return ["BatchMatMul": rule]
  }
}
