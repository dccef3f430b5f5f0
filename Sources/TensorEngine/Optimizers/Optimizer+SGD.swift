// SPDX-License-Identifier: MIT
import Foundation

// Plain and momentum gradient descent (TF.js SGDOptimizer, MomentumOptimizer).

/// A float32 scalar from a hyper-parameter (as TF.js converts JS numbers).
@inline(__always)
func hyper(_ v: Double) -> Tensor { Tensor.scalar(Float(v)) }

/// `tf.train.sgd(learningRate)`: `x ← x − lr·g`.
public class SGDOptimizer: Optimizer {
  /// The learning rate.
  public private(set) var learningRate: Double
  /// `-learningRate`, kept as a scalar tensor as TF.js does.
  private var c: Tensor

  /// Creates the optimizer.
  public init(learningRate: Double) {
    self.learningRate = learningRate
    self.c = Engine.shared.keep(hyper(-learningRate))
    super.init()
  }

  override public var className: String { "SGD" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate))]
  }

  /// TF.js `setLearningRate(lr)`.
  public func setLearningRate(_ lr: Double) {
    learningRate = lr
    c.dispose()
    c = Engine.shared.keep(hyper(-lr))
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    if !weights.isEmpty { throw TensorError("SGD optimizer does not have settable weights.") }
  }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    for (name, gradient) in gradients {
      guard let gradient else { continue }
      let value = try variable(named: name)
      try Engine.shared.tidy {
        try value.assign(try c.mul(gradient).add(value))
      }
    }
    incrementIterations()
  }

  override public func dispose() {
    c.dispose()
    super.dispose()
  }
}

/// `tf.train.momentum(learningRate, momentum, useNesterov = false)`:
/// `a ← m·a + g`, then `x ← x − lr·a` (Nesterov: `x ← x − lr·(g + m·a)`).
public final class MomentumOptimizer: SGDOptimizer {
  /// The momentum factor.
  public let momentum: Double
  /// Whether to use Nesterov momentum.
  public let useNesterov: Bool
  private let m: Tensor
  private var accumulations: [OptimizerVariable] = []

  /// Creates the optimizer.
  public init(learningRate: Double, momentum: Double, useNesterov: Bool = false) {
    self.momentum = momentum
    self.useNesterov = useNesterov
    self.m = Engine.shared.keep(hyper(momentum))
    super.init(learningRate: learningRate)
  }

  override public var className: String { "Momentum" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)), ("momentum", .number(momentum)),
     ("useNesterov", .bool(useNesterov))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] { [accumulations] }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    let c = hyper(-learningRate)
    defer { c.dispose() }
    for (i, (name, gradient)) in gradients.enumerated() {
      let value = try variable(named: name)
      if i >= accumulations.count {
        accumulations.append(try accumulator("\(name)/momentum", like: value))
      }
      guard let gradient else { continue }
      let accumulation = accumulations[i].variable
      if fusable(value, [gradient, accumulation]) {
        let (mu, rate) = (Float(momentum), Float(-learningRate))
        let (g, a, x) = (gradient.values, accumulation.values, value.values)
        var (newA, newX) = (a, x)
        for j in 0..<x.count {
          newA[j] = mu * a[j] + g[j]
          newX[j] = (useNesterov ? rate * (g[j] + newA[j] * mu) : rate * newA[j]) + x[j]
        }
        try assignFused([(accumulation, newA), (value, newX)])
        continue
      }
      try Engine.shared.tidy {
        let newAccumulation = try m.mul(accumulation).add(gradient)
        let newValue = useNesterov
          ? try c.mul(try gradient.add(try newAccumulation.mul(m))).add(value)
          : try c.mul(newAccumulation).add(value)
        try accumulation.assign(newAccumulation)
        try value.assign(newValue)
      }
    }
    incrementIterations()
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    accumulations = try splitAccumulators(weights, groups: 1)[0]
  }

  override public func dispose() {
    m.dispose()
    super.dispose()
  }
}
