// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// Batch normalization (TF.js `BatchNormalization`): moving statistics in inference,
/// batch statistics (and a moving-average update) in training.
public final class BatchNormalization: Layer {
  override public class var className: String { "BatchNormalization" }
  /// The normalized axis (negative counts from the end).
  public let axis: Int
  let momentum: Double, epsilon: Double
  let center: Bool, scale: Bool
  let betaInitializer: Initializer, gammaInitializer: Initializer
  let movingMeanInitializer: Initializer, movingVarianceInitializer: Initializer
  let betaRegularizer: Regularizer?, gammaRegularizer: Regularizer?
  var gamma: LayerVariable?, beta: LayerVariable?
  var movingMean: LayerVariable?, movingVariance: LayerVariable?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    // Keras 2 writes `axis: [3]`.
    if let list = try args.ints("axis") {
      guard list.count == 1 else {
        throw LayersError(.notImplemented, "BatchNormalization over several axes is not supported.")
      }
      axis = list[0]
    } else {
      axis = -1
    }
    momentum = try args.double("momentum") ?? 0.99
    epsilon = try args.double("epsilon") ?? 1e-3
    center = try args.bool("center") ?? true
    scale = try args.bool("scale") ?? true
    betaInitializer = try Initializer.from(args["betaInitializer"], default: "zeros")
    gammaInitializer = try Initializer.from(args["gammaInitializer"], default: "ones")
    movingMeanInitializer = try Initializer.from(args["movingMeanInitializer"], default: "zeros")
    movingVarianceInitializer = try Initializer.from(
      args["movingVarianceInitializer"], default: "ones")
    betaRegularizer = try Regularizer.from(args["betaRegularizer"])
    gammaRegularizer = try Regularizer.from(args["gammaRegularizer"])
    try super.init(args)
  }

  func resolvedAxis(_ rank: Int) -> Int { axis < 0 ? rank + axis : axis }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let s = inputShapes[0]
    let a = resolvedAxis(s.count)
    guard a >= 0, a < s.count, let dim = s[a] else {
      throw valueError(
        "Axis \(axis) of input tensor should have a defined dimension but the "
          + "layer received an input with shape \(shapeJSON(s)).")
    }
    inputSpec = InputSpec(ndim: s.count, axes: [a: dim])
    if scale {
      gamma = try addWeight(
        "gamma", shape: [dim], initializer: gammaInitializer,
        regularizer: gammaRegularizer)
    }
    if center {
      beta = try addWeight(
        "beta", shape: [dim], initializer: betaInitializer,
        regularizer: betaRegularizer)
    }
    movingMean = try addWeight(
      "moving_mean", shape: [dim], initializer: movingMeanInitializer,
      trainable: false)
    movingVariance = try addWeight(
      "moving_variance", shape: [dim],
      initializer: movingVarianceInitializer, trainable: false)
    built = true
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    let a = resolvedAxis(x.rank)
    guard let movingMean, let movingVariance else {
      throw LayersError(.runtimeError, "BatchNormalization \(name) is not built.")
    }
    return [
      try Engine.shared.tidy {
        var bshape = [Int](repeating: 1, count: x.rank)
        bshape[a] = x.shape[a]
        func b(_ t: Tensor) throws -> Tensor { a == x.rank - 1 ? t : try t.reshape(bshape) }
        let reduce = (0..<x.rank).filter { $0 != a }
        if training {
          let m = try x.moments(reduce, keepDims: false)
          // As TF.js: the moving variance averages the batch (biased) variance.
          try updateMoving(movingMean, m.mean)
          try updateMoving(movingVariance, m.variance)
          return try normalize(x, try b(m.mean), try b(m.variance), b)
        }
        if a == x.rank - 1 && !Engine.shared.isRecording {
          return try x.batchNorm(
            mean: movingMean.read(), variance: movingVariance.read(), offset: beta?.read(),
            scale: gamma?.read(), varianceEpsilon: Float(epsilon))
        }
        return try normalize(x, try b(movingMean.read()), try b(movingVariance.read()), b)
      }
    ]
  }

  /// `(x - mean) / sqrt(variance + ε) · gamma + beta` from differentiable ops.
  private func normalize(
    _ x: Tensor, _ mean: Tensor, _ variance: Tensor,
    _ b: (Tensor) throws -> Tensor
  ) throws -> Tensor {
    var y = try x.sub(mean).mul(try variance.add(Tensor.scalar(Float(epsilon))).rsqrt())
    if let gamma { y = try y.mul(try b(gamma.read())) }
    if let beta { y = try y.add(try b(beta.read())) }
    return y
  }

  /// `moving ← moving − (moving − value)·(1 − momentum)`, outside any gradient tape.
  private func updateMoving(_ v: LayerVariable, _ value: Tensor) throws {
    try Engine.shared.noGrad {
      let delta = try v.read().sub(value).mul(Tensor.scalar(Float(1 - momentum)))
      try v.variable.assign(try v.read().sub(delta))
    }
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("axis", .int(axis)), ("momentum", .number(momentum)), ("epsilon", .number(epsilon)),
      ("center", .bool(center)), ("scale", .bool(scale)),
      ("betaInitializer", betaInitializer.serialized),
      ("gammaInitializer", gammaInitializer.serialized),
      ("movingMeanInitializer", movingMeanInitializer.serialized),
      ("movingVarianceInitializer", movingVarianceInitializer.serialized),
      ("betaRegularizer", betaRegularizer?.serialized ?? .null),
      ("gammaRegularizer", gammaRegularizer?.serialized ?? .null),
    ])
  }
}

/// Normalizes each sample over `axis` (TF.js `LayerNormalization`): weights `gamma`,
/// `beta` shaped like the normalized axes.
public final class LayerNormalization: Layer {
  override public class var className: String { "LayerNormalization" }
  let axisArg: [Int]
  var axes: [Int] = []
  let epsilon: Double
  let center: Bool, scale: Bool
  let betaInitializer: Initializer, gammaInitializer: Initializer
  let betaRegularizer: Regularizer?, gammaRegularizer: Regularizer?
  var gamma: LayerVariable?, beta: LayerVariable?

  /// Creates the layer from TF.js args (camelCase keys; Keras configs camel-cased).
  public required init(_ args: ConfigObject) throws {
    axisArg = try args.ints("axis") ?? [-1]
    epsilon = try args.double("epsilon") ?? 1e-3
    center = try args.bool("center") ?? true
    scale = try args.bool("scale") ?? true
    betaInitializer = try Initializer.from(args["betaInitializer"], default: "zeros")
    gammaInitializer = try Initializer.from(args["gammaInitializer"], default: "ones")
    betaRegularizer = try Regularizer.from(args["betaRegularizer"])
    gammaRegularizer = try Regularizer.from(args["gammaRegularizer"])
    try super.init(args)
  }

  override public func build(_ inputShapes: [[Int?]]) throws {
    let s = inputShapes[0]
    axes = axisArg.map { $0 < 0 ? $0 + s.count : $0 }
    for a in axes where a < 0 || a >= s.count { throw valueError("Invalid axis: \(a)") }
    if Set(axes).count != axes.count {
      throw valueError("Found duplicate axes in: \(axes.map(String.init).joined(separator: ","))")
    }
    let paramShape = try axes.map { a -> Int in
      guard let d = s[a] else {
        throw valueError("LayerNormalization needs a defined dimension on axis \(a).")
      }
      return d
    }
    inputSpec = InputSpec(ndim: s.count)
    if scale {
      gamma = try addWeight(
        "gamma", shape: paramShape, initializer: gammaInitializer, regularizer: gammaRegularizer)
    }
    if center {
      beta = try addWeight(
        "beta", shape: paramShape, initializer: betaInitializer, regularizer: betaRegularizer)
    }
    built = true
  }

  override public func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    let x = inputs[0]
    return [
      try Engine.shared.tidy {
        let m = try x.moments(axes, keepDims: true)
        var bshape = [Int](repeating: 1, count: x.rank)
        for a in axes { bshape[a] = x.shape[a] }
        var y = try x.sub(m.mean).mul(
          try m.variance.add(Tensor.scalar(Float(epsilon))).rsqrt())
        if let gamma { y = try y.mul(try gamma.read().reshape(bshape)) }
        if let beta { y = try y.add(try beta.read().reshape(bshape)) }
        return y
      }
    ]
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      ("axis", .ints(axes.isEmpty ? axisArg : axes)), ("epsilon", .number(epsilon)),
      ("center", .bool(center)), ("scale", .bool(scale)),
      ("betaInitializer", betaInitializer.serialized),
      ("gammaInitializer", gammaInitializer.serialized),
      ("betaRegularizer", betaRegularizer?.serialized ?? .null),
      ("gammaRegularizer", gammaRegularizer?.serialized ?? .null),
    ])
  }
}
