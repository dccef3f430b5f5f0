// SPDX-License-Identifier: MIT
import Foundation

/// How `tf.losses.*` reduce per-element losses (TF.js `Reduction`).
public enum LossReduction: Sendable {
  /// No reduction: the weighted losses.
  case none
  /// Mean of the weighted losses (divided by the weight sum when weighted).
  case mean
  /// Sum of the weighted losses.
  case sum
  /// Sum divided by the number of non-zero weights (the default).
  case sumByNonzeroWeights
}

/// The `tf.losses` namespace: loss functions built from primitive ops, as in TF.js.
public enum Losses {
  /// `tf.losses.computeWeightedLoss(losses, weights?, reduction)`.
  public static func computeWeightedLoss(
    _ losses: Tensor, weights: Tensor? = nil, reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try Engine.shared.tidy {
      let weighted = try weights.map { try losses.mul($0) } ?? losses
      switch reduction {
      case .none:
        return weighted === losses ? try losses.clone() : weighted
      case .sum:
        return try weighted.sum()
      case .mean:
        guard let weights else { return try weighted.mean() }
        let factor = Float(losses.size) / Float(Swift.max(weights.size, 1))
        let result = try weighted.sum().div(try weights.sum())
        return factor > 1 ? try result.div(Tensor.scalar(factor)) : result
      case .sumByNonzeroWeights:
        guard let weights else {
          return try weighted.sum().div(Tensor.scalar(Float(losses.size)))
        }
        let broadcast = try weights.mul(try Tensor.ones(losses.shape))
        let nonZero = try broadcast.notEqual(Tensor.scalar(0)).sum().cast(.float32)
        return try weighted.sum().div(nonZero)
      }
    }
  }

  private static func checkShapes(_ a: Tensor, _ b: Tensor, _ op: String) throws {
    try a.checkAlive()
    try b.checkAlive()
    if a.shape != b.shape {
      throw TensorError(
        "Error in \(op):  Shapes \(shapeText(a.shape)) and "
          + "\(shapeText(b.shape)) must match")
    }
  }

  /// `tf.losses.meanSquaredError(labels, predictions, weights?, reduction)`.
  public static func meanSquaredError(
    _ labels: Tensor, _ predictions: Tensor, weights: Tensor? = nil,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "meanSquaredError")
    return try Engine.shared.tidy {
      try computeWeightedLoss(
        try labels.squaredDifference(predictions), weights: weights,
        reduction: reduction)
    }
  }

  /// `tf.losses.absoluteDifference(labels, predictions, weights?, reduction)`.
  public static func absoluteDifference(
    _ labels: Tensor, _ predictions: Tensor, weights: Tensor? = nil,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "absoluteDifference")
    return try Engine.shared.tidy {
      try computeWeightedLoss(
        try labels.sub(predictions).abs(), weights: weights,
        reduction: reduction)
    }
  }

  /// `tf.losses.cosineDistance(labels, predictions, axis, weights?, reduction)`:
  /// `1 - Σ labels·predictions` along `axis` (inputs assumed unit-normalized).
  public static func cosineDistance(
    _ labels: Tensor, _ predictions: Tensor, axis: Int, weights: Tensor? = nil,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "cosineDistance")
    return try Engine.shared.tidy {
      let dots = try labels.mul(predictions).sum([axis], keepDims: true)
      return try computeWeightedLoss(
        try Tensor.scalar(1).sub(dots), weights: weights,
        reduction: reduction)
    }
  }

  /// `tf.losses.hingeLoss(labels, predictions, weights?, reduction)`: labels in {0, 1}.
  public static func hingeLoss(
    _ labels: Tensor, _ predictions: Tensor, weights: Tensor? = nil,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "hingeLoss")
    return try Engine.shared.tidy {
      let one = Tensor.scalar(1)
      let signed = try Tensor.scalar(2).mul(labels).sub(one)
      let losses = try one.sub(try signed.mul(predictions)).relu()
      return try computeWeightedLoss(losses, weights: weights, reduction: reduction)
    }
  }

  /// `tf.losses.huberLoss(labels, predictions, weights?, delta, reduction)`.
  public static func huberLoss(
    _ labels: Tensor, _ predictions: Tensor, weights: Tensor? = nil, delta: Float = 1,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "huberLoss")
    return try Engine.shared.tidy {
      let d = Tensor.scalar(delta)
      let error = try predictions.sub(labels).abs()
      let quadratic = try error.minimum(d)
      let linear = try error.sub(quadratic)
      let losses = try Tensor.scalar(0.5).mul(try quadratic.square()).add(try d.mul(linear))
      return try computeWeightedLoss(losses, weights: weights, reduction: reduction)
    }
  }

  /// `tf.losses.logLoss(labels, predictions, weights?, epsilon, reduction)`.
  public static func logLoss(
    _ labels: Tensor, _ predictions: Tensor, weights: Tensor? = nil, epsilon: Float = 1e-7,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, predictions, "logLoss")
    return try Engine.shared.tidy {
      let one = Tensor.scalar(1)
      let eps = Tensor.scalar(epsilon)
      let l1 = try labels.mul(try predictions.add(eps).log()).neg()
      let l2 = try one.sub(labels).mul(try one.sub(predictions).add(eps).log())
      return try computeWeightedLoss(try l1.sub(l2), weights: weights, reduction: reduction)
    }
  }

  /// `tf.losses.sigmoidCrossEntropy(multiClassLabels, logits, weights?, labelSmoothing,
  /// reduction)`, computed stably from logits.
  public static func sigmoidCrossEntropy(
    _ labels: Tensor, _ logits: Tensor, weights: Tensor? = nil, labelSmoothing: Float = 0,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, logits, "sigmoidCrossEntropy")
    return try Engine.shared.tidy {
      var y = labels
      if labelSmoothing > 0 {
        y = try y.mul(Tensor.scalar(1 - labelSmoothing)).add(Tensor.scalar(0.5 * labelSmoothing))
      }
      let losses = try logits.relu().sub(try logits.mul(y))
        .add(try logits.abs().neg().exp().log1p())
      return try computeWeightedLoss(losses, weights: weights, reduction: reduction)
    }
  }

  /// `tf.losses.softmaxCrossEntropy(onehotLabels, logits, weights?, labelSmoothing,
  /// reduction)`: `-Σ labels · logSoftmax(logits)` over the last axis.
  public static func softmaxCrossEntropy(
    _ labels: Tensor, _ logits: Tensor, weights: Tensor? = nil, labelSmoothing: Float = 0,
    reduction: LossReduction = .sumByNonzeroWeights
  ) throws -> Tensor {
    try checkShapes(labels, logits, "softmaxCrossEntropy")
    return try Engine.shared.tidy {
      var y = labels
      if labelSmoothing > 0 {
        let classes = Float(labels.shape.count > 1 ? labels.shape[1] : labels.shape.last ?? 1)
        y = try y.mul(Tensor.scalar(1 - labelSmoothing)).add(
          Tensor.scalar(labelSmoothing / classes))
      }
      let logits32 = logits.dtype == .float32 ? logits : try logits.cast(.float32)
      let lse = try logits32.logSumExp([logits.rank - 1], keepDims: true)
      let losses = try logits32.sub(lse).mul(y).neg().sum([logits.rank - 1])
      return try computeWeightedLoss(losses, weights: weights, reduction: reduction)
    }
  }
}
