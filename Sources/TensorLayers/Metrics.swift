// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Training metrics (TF.js layers/metrics.ts). Each gives per-sample values (or
// a scalar); fit and evaluate average them.

/// A metric: values from targets and predictions.
public typealias MetricFunction = (_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor

/// The named metrics of `compile({metrics})`.
public enum LayerMetrics {
  /// mean(y == (ŷ > 0.5)) over the last axis.
  public static func binaryAccuracy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let thresholded = try p.greater(Tensor.scalar(0.5)).cast(y.dtype)
    return try y.equal(thresholded).cast(.float32).mean([-1])
  }
  /// argmax(y) == argmax(ŷ).
  public static func categoricalAccuracy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try y.argMax(-1).equal(try p.argMax(-1)).cast(.float32)
  }
  /// label == argmax(ŷ).
  public static func sparseCategoricalAccuracy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let labels = y.rank == p.rank ? try y.squeeze([y.rank - 1]) : y
    return try labels.equal(try p.argMax(-1).cast(labels.dtype)).cast(.float32)
  }
  static func count(_ y: Tensor, _ p: Tensor, _ yv: Float, _ pv: Float) throws -> Tensor {
    try y.equal(Tensor.scalar(yv)).logicalAnd(try p.equal(Tensor.scalar(pv))).cast(.float32).sum()
  }
  /// tp / (tp + fp) over all elements (0 when nothing is predicted positive).
  public static func precision(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let tp = try count(y, p, 1, 1)
    let fp = try count(y, p, 0, 1)
    let d = try tp.add(fp)
    return try Tensor.where(try d.greater(Tensor.scalar(0)), try tp.div(d), try Tensor.zeros([]))
  }
  /// tp / (tp + fn) over all elements.
  public static func recall(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let tp = try count(y, p, 1, 1)
    let fn = try count(y, p, 1, 0)
    let d = try tp.add(fn)
    return try Tensor.where(try d.greater(Tensor.scalar(0)), try tp.div(d), try Tensor.zeros([]))
  }

  /// A metric by name (`accuracy`/`acc`/`crossentropy`/`ce` need the loss and output
  /// context, see `resolve`).
  public static func named(_ name: String) throws -> MetricFunction {
    switch name {
    case "binaryAccuracy": return binaryAccuracy
    case "categoricalAccuracy": return categoricalAccuracy
    case "sparseCategoricalAccuracy": return sparseCategoricalAccuracy
    case "precision": return precision
    case "recall": return recall
    case "categoricalCrossentropy": return LayerLosses.categoricalCrossentropy
    case "sparseCategoricalCrossentropy": return LayerLosses.sparseCategoricalCrossentropy
    case "binaryCrossentropy": return LayerLosses.binaryCrossentropy
    case "mse", "MSE", "meanSquaredError": return LayerLosses.meanSquaredError
    case "mae", "MAE", "meanAbsoluteError": return LayerLosses.meanAbsoluteError
    case "mape", "MAPE", "meanAbsolutePercentageError":
      return LayerLosses.meanAbsolutePercentageError
    case "cosine", "cosineProximity": return LayerLosses.cosineProximity
    default:
      let known = [
        "accuracy", "acc", "crossentropy", "ce", "binaryAccuracy", "categoricalAccuracy",
        "sparseCategoricalAccuracy", "precision", "recall", "categoricalCrossentropy",
        "sparseCategoricalCrossentropy", "binaryCrossentropy", "mse", "mae", "mape", "cosine",
      ]
      throw valueError(
        "Unknown metric function: \(name)." + didYouMean(toCamelCase(name), in: known))
    }
  }

  /// Resolves a metric name for one output as TF.js compile does: `accuracy`/`acc` picks
  /// binary, sparse or categorical accuracy from the loss and the output's last
  /// dimension; the log name is `acc` (or `ce`).
  public static func resolve(_ name: String, lossName: String?, outputShape: [Int?])
    throws -> (logName: String, fn: MetricFunction)
  {
    switch name {
    case "accuracy", "acc":
      if outputShape.last == 1 || lossName == "binaryCrossentropy" {
        return ("acc", binaryAccuracy)
      }
      if lossName == "sparseCategoricalCrossentropy" { return ("acc", sparseCategoricalAccuracy) }
      return ("acc", categoricalAccuracy)
    case "crossentropy", "ce":
      if outputShape.last == 1 || lossName == "binaryCrossentropy" {
        return ("ce", LayerLosses.binaryCrossentropy)
      }
      if lossName == "sparseCategoricalCrossentropy" {
        return ("ce", LayerLosses.sparseCategoricalCrossentropy)
      }
      return ("ce", LayerLosses.categoricalCrossentropy)
    default:
      return (name, try named(name))
    }
  }
}
