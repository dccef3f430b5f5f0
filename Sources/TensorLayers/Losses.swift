// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Training losses (TF.js layers/losses.ts): each maps (yTrue, yPred) to one
// value per sample (reduced over the last axis); training takes the mean.

/// A loss: per-sample values from targets and predictions.
public typealias LossFunction = (_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor

/// The backend epsilon TF.js layers use (1e-7).
let layersEpsilon: Float = 1e-7

/// The named losses of `compile({loss})`.
public enum LayerLosses {
  static func s(_ v: Float) -> Tensor { Tensor.scalar(v) }
  static func clipEps(_ x: Tensor, upper: Float = 1 - layersEpsilon) throws -> Tensor {
    try x.clipByValue(layersEpsilon, upper)
  }

  /// mean((ŷ − y)²) over the last axis.
  public static func meanSquaredError(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try p.sub(y).square().mean([-1])
  }
  /// mean(|ŷ − y|) over the last axis.
  public static func meanAbsoluteError(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try p.sub(y).abs().mean([-1])
  }
  /// 100 · mean(|(y − ŷ) / max(|y|, ε)|).
  public static func meanAbsolutePercentageError(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let clipped = try y.abs().clipByValue(layersEpsilon, .greatestFiniteMagnitude)
    return try y.sub(p).div(clipped).abs().mean([-1]).mul(s(100))
  }
  /// mean((log(1 + ŷ) − log(1 + y))²) with values clipped at ε.
  public static func meanSquaredLogarithmicError(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let big = Float.greatestFiniteMagnitude
    let a = try p.clipByValue(layersEpsilon, big).add(s(1)).log()
    let b = try y.clipByValue(layersEpsilon, big).add(s(1)).log()
    return try a.sub(b).square().mean([-1])
  }
  /// mean(max(1 − y·ŷ, 0)²).
  public static func squaredHinge(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try s(1).sub(y.mul(p)).relu().square().mean([-1])
  }
  /// mean(max(1 − y·ŷ, 0)).
  public static func hinge(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try s(1).sub(y.mul(p)).relu().mean([-1])
  }
  /// max(neg − pos + 1, 0).
  public static func categoricalHinge(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let pos = try y.mul(p).sum([-1])
    let neg = try s(1).sub(y).mul(p).max([-1])
    return try neg.sub(pos).add(s(1)).relu()
  }
  /// mean(log cosh(ŷ − y)).
  public static func logcosh(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let d = try p.sub(y)
    return try d.add(try d.mul(s(-2)).softplus()).sub(s(Float(Foundation.log(2.0)))).mean([-1])
  }
  /// −Σ y · log(ŷ / Σŷ) with ŷ clipped to [ε, 1 − ε].
  public static func categoricalCrossentropy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let normalized = try p.div(try p.sum([-1], keepDims: true))
    return try y.mul(try clipEps(normalized).log()).sum([-1]).neg()
  }
  /// Categorical crossentropy with integer labels.
  public static func sparseCategoricalCrossentropy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let classes = p.shape[p.rank - 1]
    let labels = try Engine.shared.noGrad { try y.flatten().floor().cast(.int32) }
    let oneHot = try Tensor.oneHot(labels, depth: classes).cast(.float32)
    let flatP = try p.reshape([-1, classes])
    let result = try categoricalCrossentropy(oneHot, flatP)
    return try result.reshape(Array(p.shape.dropLast()))
  }
  /// Sigmoid crossentropy after undoing the sigmoid of clipped ŷ; mean over the last axis.
  public static func binaryCrossentropy(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let c = try clipEps(p)
    let logits = try c.div(try s(1).sub(c)).log()
    let ce = try logits.relu().sub(try logits.mul(y)).add(try logits.abs().neg().exp().log1p())
    return try ce.mean([-1])
  }
  /// Σ y · log(y / ŷ) with both clipped to [ε, 1].
  public static func kullbackLeiblerDivergence(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let t = try y.clipByValue(layersEpsilon, 1)
    let q = try p.clipByValue(layersEpsilon, 1)
    return try y.mul(try t.div(q).log()).sum([-1])
  }
  /// mean(ŷ − y · log(ŷ + ε)).
  public static func poisson(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try p.sub(try y.mul(try p.add(s(layersEpsilon)).log())).mean([-1])
  }
  /// −Σ normalize(y) · normalize(ŷ).
  public static func cosineProximity(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    func l2n(_ x: Tensor) throws -> Tensor {
      let n = try x.square().sum([-1], keepDims: true).maximum(s(layersEpsilon)).rsqrt()
      return try x.mul(n)
    }
    return try l2n(y).mul(try l2n(p)).sum([-1]).neg()
  }
  /// Huber loss (δ = 1) per sample.
  public static func huber(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let err = try p.sub(y).abs()
    let quad = try err.minimum(s(1))
    let lin = try err.sub(quad)
    return try quad.square().mul(s(0.5)).add(lin).mean([-1])
  }
  /// Log loss per sample: −y·log(ŷ + ε) − (1 − y)·log(1 − ŷ + ε).
  public static func logLoss(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    let a = try y.mul(try p.add(s(layersEpsilon)).log())
    let b = try s(1).sub(y).mul(try s(1).sub(p).add(s(layersEpsilon)).log())
    return try a.add(b).neg().mean([-1])
  }
  /// 1 − Σ y·ŷ over the last axis (tf.losses.cosineDistance on unit vectors).
  public static func cosineDistance(_ y: Tensor, _ p: Tensor) throws -> Tensor {
    try s(1).sub(try y.mul(p).sum([-1]))
  }

  /// The loss called `name` (camelCase, as TF.js `lossesMap`; a few tf.losses names too).
  public static func named(_ name: String) throws -> LossFunction {
    switch name {
    case "meanSquaredError": return meanSquaredError
    case "meanAbsoluteError": return meanAbsoluteError
    case "meanAbsolutePercentageError": return meanAbsolutePercentageError
    case "meanSquaredLogarithmicError": return meanSquaredLogarithmicError
    case "squaredHinge": return squaredHinge
    case "hinge": return hinge
    case "categoricalHinge": return categoricalHinge
    case "logcosh": return logcosh
    case "categoricalCrossentropy": return categoricalCrossentropy
    case "sparseCategoricalCrossentropy": return sparseCategoricalCrossentropy
    case "binaryCrossentropy": return binaryCrossentropy
    case "kullbackLeiblerDivergence", "KLD", "kld": return kullbackLeiblerDivergence
    case "poisson": return poisson
    case "cosineProximity": return cosineProximity
    case "huberLoss", "huber": return huber
    case "logLoss": return logLoss
    case "cosineDistance": return cosineDistance
    default:
      throw valueError("Unknown loss \(name)" + lossHint(name))
    }
  }
}

/// The names `compile` accepts for `loss`.
let lossNames = [
  "meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError",
  "meanSquaredLogarithmicError", "squaredHinge", "hinge", "categoricalHinge", "logcosh",
  "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy",
  "kullbackLeiblerDivergence", "poisson", "cosineProximity", "huberLoss", "logLoss",
  "cosineDistance",
]

/// A hint for a loss name TF.js does not know: Keras short names and snake_case spellings
/// map to the camelCase name; otherwise the closest name.
func lossHint(_ name: String) -> String {
  let aliases = [
    "mse": "meanSquaredError", "MSE": "meanSquaredError", "mae": "meanAbsoluteError",
    "MAE": "meanAbsoluteError", "mape": "meanAbsolutePercentageError",
    "msle": "meanSquaredLogarithmicError",
  ]
  if let a = aliases[name] { return ". Did you mean '\(a)'?" }
  let camel = toCamelCase(name)
  if camel != name, lossNames.contains(camel) { return ". Did you mean '\(camel)'?" }
  return closestName(name, in: lossNames).map { ". Did you mean '\($0)'?" } ?? ""
}
