// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Weight initializers (TF.js initializers.ts), by identifier (`glorotUniform`)
// or Keras config (`{className: "GlorotUniform", config: {seed}}`).

/// A weight initializer (TF.js `tf.initializers.*`).
public class Initializer {
  /// The serialized class name (`VarianceScaling` for the Glorot/He/LeCun helpers).
  public let className: String
  /// The serialized config.
  public let config: ConfigObject
  private let body: ([Int], DType) throws -> Tensor

  init(
    _ className: String, _ config: ConfigObject, _ body: @escaping ([Int], DType) throws -> Tensor
  ) {
    self.className = className
    self.config = config
    self.body = body
  }

  /// A tensor of the given shape and dtype.
  public func apply(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
    try body(shape, dtype)
  }

  /// `{className, config}` as getConfig writes it.
  public var serialized: ConfigValue {
    .object(ConfigObject([("className", .string(className)), ("config", .object(config))]))
  }

  // MARK: - Factories

  /// All zeros.
  public static func zeros() -> Initializer {
    Initializer("Zeros", ConfigObject()) { try Tensor.zeros($0, dtype: $1) }
  }
  /// All ones.
  public static func ones() -> Initializer {
    Initializer("Ones", ConfigObject()) { try Tensor.ones($0, dtype: $1) }
  }
  /// One value everywhere.
  public static func constant(_ value: Double) -> Initializer {
    Initializer("Constant", ConfigObject([("value", .number(value))])) {
      try Tensor.fill($0, Float(value), dtype: $1)
    }
  }
  /// Uniform in [minval, maxval).
  public static func randomUniform(
    minval: Double = -0.05, maxval: Double = 0.05, seed: Double? = nil
  )
    -> Initializer
  {
    Initializer(
      "RandomUniform",
      ConfigObject([
        ("minval", .number(minval)), ("maxval", .number(maxval)), ("seed", seedValue(seed)),
      ])
    ) { try Tensor.randomUniform($0, minval: minval, maxval: maxval, dtype: $1, seed: seed) }
  }
  /// Normal with a mean and standard deviation.
  public static func randomNormal(mean: Double = 0, stddev: Double = 0.05, seed: Double? = nil)
    -> Initializer
  {
    Initializer(
      "RandomNormal",
      ConfigObject([
        ("mean", .number(mean)), ("stddev", .number(stddev)), ("seed", seedValue(seed)),
      ])
    ) { shape, dtype in
      try checkFloat(dtype, "randomNormal")
      return try Tensor.randomNormal(shape, mean: mean, stdDev: stddev, dtype: dtype, seed: seed)
    }
  }
  /// Normal redrawn beyond two standard deviations.
  public static func truncatedNormal(mean: Double = 0, stddev: Double = 0.05, seed: Double? = nil)
    -> Initializer
  {
    Initializer(
      "TruncatedNormal",
      ConfigObject([
        ("mean", .number(mean)), ("stddev", .number(stddev)), ("seed", seedValue(seed)),
      ])
    ) { shape, dtype in
      try checkFloat(dtype, "truncatedNormal")
      return try Tensor.truncatedNormal(shape, mean: mean, stdDev: stddev, dtype: dtype, seed: seed)
    }
  }
  /// `gain` times the identity matrix (2-D square shapes only).
  public static func identity(gain: Double = 1) -> Initializer {
    Initializer("Identity", ConfigObject([("gain", .number(gain))])) { shape, _ in
      guard shape.count == 2, shape[0] == shape[1] else {
        throw valueError("Identity matrix initializer can only be used for 2D square matrices.")
      }
      return try Engine.shared.tidy {
        try Tensor.eye(shape[0]).mul(Tensor.scalar(Float(gain)))
      }
    }
  }

  /// Variance scaling (TF.js quirk kept: any distribution but `normal` samples uniformly).
  public static func varianceScaling(
    scale: Double = 1, mode: String = "fanIn", distribution: String = "normal", seed: Double? = nil,
    className: String = "VarianceScaling"
  ) throws -> Initializer {
    if scale <= 0 {
      throw valueError("scale must be a positive float. Got: \(jsNumberText(scale))")
    }
    guard ["fanIn", "fanOut", "fanAvg"].contains(mode) else {
      throw valueError("Invalid mode: \(mode). Valid values are fanIn, fanOut, fanAvg")
    }
    guard ["normal", "uniform", "truncatedNormal"].contains(distribution) else {
      throw valueError(
        "Invalid distribution: \(distribution). Valid values are normal, uniform, "
          + "truncatedNormal")
    }
    let config = ConfigObject([
      ("scale", .number(scale)), ("mode", .string(mode)), ("distribution", .string(distribution)),
      ("seed", seedValue(seed)),
    ])
    return Initializer("VarianceScaling", config) { shape, dtype in
      let (fanIn, fanOut) = computeFans(shape)
      var s = scale
      switch mode {
      case "fanIn": s /= Swift.max(1, fanIn)
      case "fanOut": s /= Swift.max(1, fanOut)
      default: s /= Swift.max(1, (fanIn + fanOut) / 2)
      }
      if distribution == "normal" {
        try checkFloat(dtype, className)
        return try Tensor.truncatedNormal(
          shape, mean: 0, stdDev: s.squareRoot(), dtype: dtype,
          seed: seed)
      }
      let limit = (3 * s).squareRoot()
      return try Tensor.randomUniform(
        shape, minval: -limit, maxval: limit, dtype: dtype, seed: seed)
    }
  }

  /// Orthogonal matrix (Gram-Schmidt on normal draws) times `gain`.
  public static func orthogonal(gain: Double = 1, seed: Double? = nil) -> Initializer {
    Initializer("Orthogonal", ConfigObject([("gain", .number(gain)), ("seed", seedValue(seed))])) {
      shape, _ in
      guard shape.count >= 2 else {
        throw LayersError(
          .notImplemented, "The Orthogonal Initializer does not support non-2D shapes yet.")
      }
      let rows = shape.dropLast().reduce(1, *)
      let cols = shape[shape.count - 1]
      let (n, m) = (Swift.max(rows, cols), Swift.min(rows, cols))
      let draws = try Engine.shared.tidy {
        try Tensor.randomNormal([n, m], seed: seed).dataSync()
      }
      // Columns of an n×m matrix, orthonormalized in order.
      var q = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
      for j in 0..<m {
        var v = (0..<n).map { Double(draws[$0 * m + j]) }
        for k in 0..<j {
          let dot = zip(q[k], v).reduce(0) { $0 + $1.0 * $1.1 }
          for i in 0..<n { v[i] -= dot * q[k][i] }
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        q[j] = v.map { norm > 0 ? $0 / norm : 0 }
      }
      var out = [Float](repeating: 0, count: rows * cols)
      for r in 0..<rows {
        for c in 0..<cols {
          let v = rows >= cols ? q[c][r] : q[r][c]
          out[r * cols + c] = Float(v * gain)
        }
      }
      return try Tensor.tensor(out, shape: shape)
    }
  }

  // MARK: - Lookup

  /// An initializer from a TF.js identifier (`glorotUniform`, `heNormal`, ...).
  public static func named(_ identifier: String, seed: Double? = nil) throws -> Initializer {
    switch identifier {
    case "zeros", "Zeros": return zeros()
    case "ones", "Ones": return ones()
    case "glorotUniform", "GlorotUniform":
      return try varianceScaling(mode: "fanAvg", distribution: "uniform", seed: seed)
    case "glorotNormal", "GlorotNormal":
      return try varianceScaling(mode: "fanAvg", distribution: "normal", seed: seed)
    case "heNormal", "HeNormal":
      return try varianceScaling(scale: 2, mode: "fanIn", distribution: "normal", seed: seed)
    case "heUniform", "HeUniform":
      return try varianceScaling(scale: 2, mode: "fanIn", distribution: "uniform", seed: seed)
    case "leCunNormal", "LeCunNormal":
      return try varianceScaling(mode: "fanIn", distribution: "normal", seed: seed)
    case "leCunUniform", "LeCunUniform":
      return try varianceScaling(mode: "fanIn", distribution: "uniform", seed: seed)
    case "varianceScaling", "VarianceScaling": return try varianceScaling(seed: seed)
    case "randomNormal", "RandomNormal": return randomNormal(seed: seed)
    case "randomUniform", "RandomUniform": return randomUniform(seed: seed)
    case "truncatedNormal", "TruncatedNormal": return truncatedNormal(seed: seed)
    case "orthogonal", "Orthogonal": return orthogonal(seed: seed)
    case "identity", "Identity": return identity()
    case "constant", "Constant": return constant(0)
    default: throw valueError("Unknown initializer: \(identifier)")
    }
  }

  /// An initializer from an arg: identifier string, `{className, config}` object, or an
  /// `Initializer` instance; `fallback` when absent.
  public static func from(_ value: ConfigValue?, default fallback: String) throws -> Initializer {
    guard let value, !value.isNull else { return try named(fallback) }
    switch value {
    case .string(let s): return try named(s)
    case .opaque(let o):
      if let i = o as? Initializer { return i }
      throw valueError("Expected an initializer")
    case .object(let o):
      guard let cls = try o.string("className") else {
        throw valueError(
          "Improper config format: \(value.jsText). 'className' and 'config' must set.")
      }
      let c = o["config"]?.object ?? ConfigObject()
      let seed = try c.double("seed")
      switch cls {
      case "Constant": return constant(try c.double("value") ?? 0)
      case "RandomUniform":
        return randomUniform(
          minval: try c.double("minval") ?? -0.05,
          maxval: try c.double("maxval") ?? 0.05, seed: seed)
      case "RandomNormal":
        return randomNormal(
          mean: try c.double("mean") ?? 0, stddev: try c.double("stddev") ?? 0.05,
          seed: seed)
      case "TruncatedNormal":
        return truncatedNormal(
          mean: try c.double("mean") ?? 0,
          stddev: try c.double("stddev") ?? 0.05, seed: seed)
      case "Identity": return identity(gain: try c.double("gain") ?? 1)
      case "Orthogonal": return orthogonal(gain: try c.double("gain") ?? 1, seed: seed)
      case "VarianceScaling":
        return try varianceScaling(
          scale: try c.double("scale") ?? 1, mode: try c.string("mode") ?? "fanIn",
          distribution: try c.string("distribution") ?? "normal", seed: seed)
      default:
        return try named(cls, seed: seed)
      }
    default:
      throw valueError("Unknown initializer: \(value.jsText)")
    }
  }
}

/// `null` or the seed number.
private func seedValue(_ seed: Double?) -> ConfigValue { seed.map { .number($0) } ?? .null }

private func checkFloat(_ dtype: DType, _ what: String) throws {
  if dtype != .float32 {
    throw LayersError(.notImplemented, "\(what) does not support dType \(dtype).")
  }
}

/// TF.js `computeFans`: fan-in and fan-out of a weight shape (channels last).
func computeFans(_ shape: [Int]) -> (Double, Double) {
  switch shape.count {
  case 0: return (1, 1)
  case 1: return (Double(shape[0]), Double(shape[0]))
  case 2: return (Double(shape[0]), Double(shape[1]))
  default:
    // In Double: an Int product of user kernel sizes (kernelSize 1e10) would overflow.
    let receptive = shape.dropLast(2).reduce(1.0) { $0 * Double($1) }
    return (Double(shape[shape.count - 2]) * receptive, Double(shape[shape.count - 1]) * receptive)
  }
}
