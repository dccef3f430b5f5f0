// SPDX-License-Identifier: MIT
import Foundation

// The batch-norm gradient (TF.js BatchNorm_grad) for
// y = (x − mean) · scale / sqrt(variance + ε) + offset, with the parameters
// broadcast against x and their gradients summed back to their shapes.

extension Gradients {
  static func normalizationRules() -> [String: GradientRule] {
    let rule: GradientRule = { g in
      let x = g.input(0)
      let mean = g.input(1)
      let variance = g.input(2)
      let hasOffset = g.attrs.bool("hasOffset") ?? false
      let hasScale = g.attrs.bool("hasScale") ?? false
      let offsetIndex: Int? = hasOffset ? 3 : nil
      let scaleIndex: Int? = hasScale ? (hasOffset ? 4 : 3) : nil
      let epsilon = Float(g.attrs.float("varianceEpsilon") ?? 0.001)
      let dy = g.dy
      let scale = try scaleIndex.map { try float(g.input($0)) } ?? scalar(1)
      let xMinusMean = try float(x).sub(mean)
      let dyTimesScale = try dy.mul(scale)
      let rsqrtVariance = try float(variance).add(scalar(epsilon)).rsqrt()
      var grads: [Tensor?] = Array(repeating: nil, count: g.node.savedInputs.count)
      if g.needs(0) {
        // TF.js's order, (dy · rsqrt) · scale, for its float32 rounding.
        grads[0] = try sumToShape(try dy.mul(rsqrtVariance).mul(scale), x.shape)
      }
      if g.needs(1) {
        grads[1] = try sumToShape(try rsqrtVariance.neg().mul(dyTimesScale), mean.shape)
      }
      if g.needs(2) {
        let minusHalfRCube = try rsqrtVariance.mul(rsqrtVariance).mul(rsqrtVariance)
          .mul(scalar(-0.5))
        grads[2] = try sumToShape(
          try minusHalfRCube.mul(xMinusMean).mul(dyTimesScale), variance.shape)
      }
      if let i = offsetIndex, g.needs(i) { grads[i] = try sumToShape(dy, g.input(i).shape) }
      if let i = scaleIndex, g.needs(i) {
        grads[i] = try sumToShape(try dy.mul(try xMinusMean.mul(rsqrtVariance)), g.input(i).shape)
      }
      return grads
    }
    return ["FusedBatchNorm": rule]
  }
}
