// SPDX-License-Identifier: MIT
import Foundation

// Per-coordinate adaptive optimizers: RMSProp (plain and centered), Adagrad,
// Adadelta, with TF.js's formulas and defaults.

/// `tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon = 1e-7,
/// centered = false)`.
public final class RMSPropOptimizer: Optimizer {
  /// The learning rate (may be changed between steps).
  public var learningRate: Double
  /// Mean-square decay, momentum and the denominator constant.
  public let decay: Double, momentum: Double, epsilon: Double
  /// Whether gradients are normalized by their estimated variance.
  public let centered: Bool
  private var meanSquares: [OptimizerVariable] = []
  private var moments: [OptimizerVariable] = []
  private var meanGrads: [OptimizerVariable] = []

  /// Creates the optimizer.
  public init(
    learningRate: Double, decay: Double = 0.9, momentum: Double = 0, epsilon: Double? = nil,
    centered: Bool = false
  ) {
    self.learningRate = learningRate
    self.decay = decay
    self.momentum = momentum
    self.epsilon = epsilon ?? backendEpsilon
    self.centered = centered
    super.init()
  }

  override public var className: String { "RMSProp" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)), ("decay", .number(decay)),
     ("momentum", .number(momentum)),
     ("epsilon", .number(epsilon)), ("centered", .bool(centered))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] {
    centered ? [meanSquares, moments, meanGrads] : [meanSquares, moments]
  }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    for (i, (name, gradient)) in gradients.enumerated() {
      let value = try variable(named: name)
      if i >= meanSquares.count { meanSquares.append(try accumulator("\(name)/rms", like: value)) }
      if i >= moments.count { moments.append(try accumulator("\(name)/momentum", like: value)) }
      if centered && i >= meanGrads.count {
        meanGrads.append(try accumulator("\(name)/mg", like: value))
      }
      guard let gradient else { continue }
      let meanSquare = meanSquares[i].variable
      let moment = moments[i].variable
      let meanGrad = centered ? meanGrads[i].variable : nil
      if fusable(value, [gradient, meanSquare, moment] + [meanGrad].compactMap { $0 }) {
        let (rho, keep, mu) = (Float(decay), Float(1 - decay), Float(momentum))
        let (eps, rate) = (Float(epsilon), Float(learningRate))
        let (g, ms, mom, x) = (gradient.values, meanSquare.values, moment.values, value.values)
        let mg = meanGrad?.values ?? []
        var (newMS, newMom, newX, newMG) = (ms, mom, x, mg)
        for j in 0..<x.count {
          newMS[j] = ms[j] * rho + g[j] * g[j] * keep
          let denominator: Float
          if centered {
            newMG[j] = mg[j] * rho + g[j] * keep
            denominator = (newMS[j] - (newMG[j] * newMG[j] + eps)).squareRoot()
          } else {
            denominator = (newMS[j] + eps).squareRoot()
          }
          newMom[j] = mom[j] * mu + g[j] * rate / denominator
          newX[j] = x[j] - newMom[j]
        }
        var updates = [(meanSquare, newMS), (moment, newMom), (value, newX)]
        if let meanGrad { updates.append((meanGrad, newMG)) }
        try assignFused(updates)
        continue
      }
      try Engine.shared.tidy {
        let newMeanSquare = try meanSquare.mul(hyper(decay))
          .add(try gradient.square().mul(hyper(1 - decay)))
        let denominator: Tensor
        if centered {
          let meanGrad = meanGrads[i].variable
          let newMeanGrad = try meanGrad.mul(hyper(decay)).add(try gradient.mul(hyper(1 - decay)))
          // TF.js: sqrt(ms − (mg² + ε)).
          denominator = try newMeanSquare.sub(try newMeanGrad.square().add(hyper(epsilon))).sqrt()
          try meanGrad.assign(newMeanGrad)
        } else {
          denominator = try newMeanSquare.add(hyper(epsilon)).sqrt()
        }
        let newMoment = try moment.mul(hyper(momentum))
          .add(try gradient.mul(hyper(learningRate)).div(denominator))
        try meanSquare.assign(newMeanSquare)
        try moment.assign(newMoment)
        try value.assign(try value.sub(newMoment))
      }
    }
    incrementIterations()
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    let groups = try splitAccumulators(weights, groups: centered ? 3 : 2)
    meanSquares = groups[0]
    moments = groups[1]
    if centered { meanGrads = groups[2] }
  }
}

/// `tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1)`.
public final class AdagradOptimizer: Optimizer {
  /// The learning rate (may be changed between steps).
  public var learningRate: Double
  /// The starting value of the squared-gradient sums.
  public let initialAccumulatorValue: Double
  private var accumulatedGrads: [OptimizerVariable] = []

  /// Creates the optimizer.
  public init(learningRate: Double, initialAccumulatorValue: Double = 0.1) {
    self.learningRate = learningRate
    self.initialAccumulatorValue = initialAccumulatorValue
    super.init()
  }

  override public var className: String { "Adagrad" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)),
     ("initialAccumulatorValue", .number(initialAccumulatorValue))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] { [accumulatedGrads] }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    for (i, (name, gradient)) in gradients.enumerated() {
      let value = try variable(named: name)
      if i >= accumulatedGrads.count {
        accumulatedGrads.append(try accumulator(
          "\(name)/accumulator", like: value, fill: Float(initialAccumulatorValue)))
      }
      guard let gradient else { continue }
      let accumulated = accumulatedGrads[i].variable
      if fusable(value, [gradient, accumulated]) {
        let (eps, rate) = (Float(backendEpsilon), Float(-learningRate))
        let (g, acc, x) = (gradient.values, accumulated.values, value.values)
        var (newAcc, newX) = (acc, x)
        for j in 0..<x.count {
          newAcc[j] = acc[j] + g[j] * g[j]
          newX[j] = g[j] / (newAcc[j] + eps).squareRoot() * rate + x[j]
        }
        try assignFused([(accumulated, newAcc), (value, newX)])
        continue
      }
      try Engine.shared.tidy {
        let newAccumulated = try accumulated.add(try gradient.square())
        try accumulated.assign(newAccumulated)
        let step = try gradient.div(try newAccumulated.add(hyper(backendEpsilon)).sqrt())
        try value.assign(try step.mul(hyper(-learningRate)).add(value))
      }
    }
    incrementIterations()
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    accumulatedGrads = try splitAccumulators(weights, groups: 1)[0]
  }
}

/// `tf.train.adadelta(learningRate = 0.001, rho = 0.95, epsilon = 1e-7)`.
public final class AdadeltaOptimizer: Optimizer {
  /// The learning rate (may be changed between steps).
  public var learningRate: Double
  /// Decay rate and the denominator constant.
  public let rho: Double, epsilon: Double
  private var accumulatedGrads: [OptimizerVariable] = []
  private var accumulatedUpdates: [OptimizerVariable] = []

  /// Creates the optimizer.
  public init(learningRate: Double = 0.001, rho: Double = 0.95, epsilon: Double? = nil) {
    self.learningRate = learningRate
    self.rho = rho
    self.epsilon = epsilon ?? backendEpsilon
    super.init()
  }

  override public var className: String { "Adadelta" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)), ("rho", .number(rho)), ("epsilon", .number(epsilon))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] {
    [accumulatedGrads, accumulatedUpdates]
  }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    for (i, (name, gradient)) in gradients.enumerated() {
      let value = try variable(named: name)
      if i >= accumulatedGrads.count {
        accumulatedGrads.append(try accumulator("\(name)/accum_grad", like: value))
      }
      if i >= accumulatedUpdates.count {
        accumulatedUpdates.append(try accumulator("\(name)/accum_var", like: value))
      }
      guard let gradient else { continue }
      let accGrad = accumulatedGrads[i].variable
      let accUpdate = accumulatedUpdates[i].variable
      if fusable(value, [gradient, accGrad, accUpdate]) {
        let (r, keep) = (Float(rho), Float(1 - rho))
        let (eps, rate) = (Float(epsilon), Float(-learningRate))
        let (g, ag, au, x) = (gradient.values, accGrad.values, accUpdate.values, value.values)
        var (newAG, newAU, newX) = (ag, au, x)
        for j in 0..<x.count {
          newAG[j] = ag[j] * r + g[j] * g[j] * keep
          let update = (au[j] + eps).squareRoot() / (ag[j] + eps).squareRoot() * g[j]
          newAU[j] = au[j] * r + update * update * keep
          newX[j] = update * rate + x[j]
        }
        try assignFused([(accGrad, newAG), (accUpdate, newAU), (value, newX)])
        continue
      }
      try Engine.shared.tidy {
        let newAccGrad = try accGrad.mul(hyper(rho)).add(try gradient.square().mul(hyper(1 - rho)))
        // TF.js scales by the previous accumulated gradient, not the new one.
        let updates = try accUpdate.add(hyper(epsilon)).sqrt()
          .div(try accGrad.add(hyper(epsilon)).sqrt()).mul(gradient)
        let newAccUpdate = try accUpdate.mul(hyper(rho))
          .add(try updates.square().mul(hyper(1 - rho)))
        try accGrad.assign(newAccGrad)
        try accUpdate.assign(newAccUpdate)
        try value.assign(try updates.mul(hyper(-learningRate)).add(value))
      }
    }
    incrementIterations()
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    let groups = try splitAccumulators(weights, groups: 2)
    accumulatedGrads = groups[0]
    accumulatedUpdates = groups[1]
  }
}
