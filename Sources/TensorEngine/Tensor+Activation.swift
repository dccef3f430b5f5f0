// SPDX-License-Identifier: MIT
import Foundation

// Composite NN ops written with primitives only, so their gradients come from
// the primitives': softmax, logSoftmax, dropout.

extension Tensor {
  /// Checks `dim` is the last axis, as TF.js's softmax requires.
  private func lastAxis(_ dim: Int, _ what: String, argName: String) throws -> Int {
    let d = dim == -1 ? rank - 1 : dim
    if d != rank - 1 {
      throw TensorError(
        "\(what) along a non-last dimension is not yet supported. Logits was "
          + "rank \(rank) and \(argName) was \(d)")
    }
    return d
  }

  /// `tf.softmax(logits, dim = -1)`: `exp(x - max) / Σ exp(x - max)` over the last axis.
  public func softmax(dim: Int = -1) throws -> Tensor {
    try checkAlive()
    try requireDtype(.float32, arg: "logits", op: "softmax")
    if rank == 0 { throw TensorError("Softmax requires a tensor of rank at least 1.") }
    let d = try lastAxis(dim, "Softmax", argName: "dim")
    return try Engine.shared.tidy {
      let shift = try Engine.shared.noGrad { try self.max([d], keepDims: true) }
      let e = try sub(shift).exp()
      return try e.div(try e.sum([d], keepDims: true))
    }
  }

  /// `tf.logSoftmax(logits, axis = -1)`: `x - max - log Σ exp(x - max)`.
  public func logSoftmax(axis: Int = -1) throws -> Tensor {
    try checkAlive()
    if rank == 0 { throw TensorError("Log softmax requires a tensor of rank at least 1.") }
    let d = try lastAxis(axis, "Log Softmax", argName: "axis")
    return try Engine.shared.tidy {
      let shift = try Engine.shared.noGrad { try self.max([d], keepDims: true) }
      let shifted = try sub(shift)
      let logSum = try shifted.exp().sum([d], keepDims: true).log()
      return try (shifted.dtype == .float32 ? shifted : try shifted.cast(.float32)).sub(logSum)
    }
  }

  /// `tf.dropout(x, rate, noiseShape?, seed?)`: zeroes with probability `rate` and
  /// scales the rest by `1 / (1 - rate)`, with TF.js's seeded draws.
  public func dropout(rate: Double, noiseShape: [Int]? = nil, seed: Double? = nil) throws
    -> Tensor
  {
    try checkAlive()
    if dtype != .float32 {
      throw TensorError(
        "x has to be a floating point tensor since it's going to be scaled, "
          + "but got a \(dtype) tensor instead.")
    }
    if !(rate >= 0 && rate < 1) {
      throw TensorError("rate must be a float in the range [0, 1), but got \(jsNumber(rate)).")
    }
    if rate == 0 { return try clone() }
    let keep = Tensor.scalar(Float(1 - rate))
    return try Engine.shared.tidy {
      let noise = try Tensor.randomUniform(noiseShape ?? shape, seed: seed)
      let multiplier = try noise.add(keep).floor().div(keep)
      return try mul(multiplier)
    }
  }
}
