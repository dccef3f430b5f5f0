// SPDX-License-Identifier: MIT
import Foundation

// Adam and Adamax (TF.js AdamOptimizer, AdamaxOptimizer), with TF.js's CPU
// epsilon default of 1e-7 and its bias-correction variables.

/// The CPU backend's epsilon, TF.js's default for optimizers.
public let backendEpsilon = 1e-7

/// `tf.train.adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)`.
public final class AdamOptimizer: Optimizer {
  /// The learning rate (may be changed between steps).
  public var learningRate: Double
  /// Moment decay rates and the denominator constant.
  public let beta1: Double, beta2: Double, epsilon: Double
  private let accBeta1: Variable
  private let accBeta2: Variable
  private var firstMoments: [OptimizerVariable] = []
  private var secondMoments: [OptimizerVariable] = []

  /// Creates the optimizer; its two bias-correction powers are (trainable) variables, as in TF.js.
  public init(
    learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double? = nil
  ) throws {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon ?? backendEpsilon
    // Variables are untracked: the tidy only disposes the scalars they were made from.
    (accBeta1, accBeta2) = try Engine.shared.tidy {
      (try Variable.make(hyper(beta1)), try Variable.make(hyper(beta2)))
    }
    super.init()
  }

  override public var className: String { "Adam" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)), ("beta1", .number(beta1)),
     ("beta2", .number(beta2)), ("epsilon", .number(epsilon))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] { [firstMoments, secondMoments] }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    try Engine.shared.tidy {
      let oneMinusAccBeta1 = try hyper(1).sub(accBeta1)
      let oneMinusAccBeta2 = try hyper(1).sub(accBeta2)
      for (i, (name, gradient)) in gradients.enumerated() {
        let value = try variable(named: name)
        if i >= firstMoments.count {
          firstMoments.append(try accumulator("\(name)/m", like: value))
        }
        if i >= secondMoments.count {
          secondMoments.append(try accumulator("\(name)/v", like: value))
        }
        guard let gradient else { continue }
        let firstMoment = firstMoments[i].variable
        let secondMoment = secondMoments[i].variable
        if fusable(value, [gradient, firstMoment, secondMoment]) {
          let (b1, b2) = (Float(beta1), Float(beta2))
          let (c1, c2) = (Float(1 - beta1), Float(1 - beta2))
          let (d1, d2) = (oneMinusAccBeta1.values[0], oneMinusAccBeta2.values[0])
          let (eps, rate) = (Float(epsilon), Float(-learningRate))
          let (newM, newV, newX) = adamUpdate(
            g: gradient.values, m: firstMoment.values, v: secondMoment.values, x: value.values,
            b1: b1, c1: c1, b2: b2, c2: c2, d1: d1, d2: d2, eps: eps, rate: rate)
          try assignFused([(firstMoment, newM), (secondMoment, newV), (value, newX)])
          continue
        }
        let newFirst = try firstMoment.mul(hyper(beta1)).add(try gradient.mul(hyper(1 - beta1)))
        let newSecond = try secondMoment.mul(hyper(beta2))
          .add(try gradient.square().mul(hyper(1 - beta2)))
        let correctedFirst = try newFirst.div(oneMinusAccBeta1)
        let correctedSecond = try newSecond.div(oneMinusAccBeta2)
        try firstMoment.assign(newFirst)
        try secondMoment.assign(newSecond)
        let step = try correctedFirst.div(try correctedSecond.sqrt().add(hyper(epsilon)))
        try value.assign(try step.mul(hyper(-learningRate)).add(value))
      }
      try accBeta1.assign(try accBeta1.mul(hyper(beta1)))
      try accBeta2.assign(try accBeta2.mul(hyper(beta2)))
    }
    incrementIterations()
  }

  override public func restoreAccumulators(_ weights: [(name: String, tensor: Tensor)]) throws {
    let groups = try splitAccumulators(weights, groups: 2)
    firstMoments = groups[0]
    secondMoments = groups[1]
    try Engine.shared.tidy {
      let t = hyper(Double(iterations + 1))
      try accBeta1.assign(try hyper(beta1).pow(t))
      try accBeta2.assign(try hyper(beta2).pow(t))
    }
  }

  override public func dispose() {
    accBeta1.dispose()
    accBeta2.dispose()
    super.dispose()
  }
}

/// `tf.train.adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7,
/// decay = 0)`: Adam with an infinity-norm second moment.
public final class AdamaxOptimizer: Optimizer {
  /// The learning rate (may be changed between steps).
  public var learningRate: Double
  /// Decay rates, denominator constant and learning-rate decay.
  public let beta1: Double, beta2: Double, epsilon: Double, decay: Double
  private let iteration: Variable
  private let accBeta1: Variable
  private var firstMoments: [OptimizerVariable] = []
  private var weightedInfNorms: [OptimizerVariable] = []

  /// Creates the optimizer (its iteration and beta1 power are variables, as in TF.js).
  public init(
    learningRate: Double = 0.002, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double? = nil, decay: Double = 0
  ) throws {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon ?? backendEpsilon
    self.decay = decay
    (iteration, accBeta1) = try Engine.shared.tidy {
      (try Variable.make(hyper(0)), try Variable.make(hyper(beta1)))
    }
    super.init()
  }

  override public var className: String { "Adamax" }
  override public var configEntries: [(key: String, value: OptimizerConfigValue)] {
    [("learningRate", .number(learningRate)), ("beta1", .number(beta1)),
     ("beta2", .number(beta2)), ("epsilon", .number(epsilon)),
     ("decay", .number(decay))]
  }
  override public var accumulatorGroups: [[OptimizerVariable]] {
    [firstMoments, weightedInfNorms]
  }

  override public func applyGradients(_ gradients: [NamedGradient]) throws {
    try Engine.shared.tidy {
      let oneMinusAccBeta1 = try hyper(1).sub(accBeta1)
      let lr = try hyper(-learningRate).div(try iteration.mul(hyper(decay)).add(hyper(1)))
      for (i, (name, gradient)) in gradients.enumerated() {
        let value = try variable(named: name)
        if i >= firstMoments.count {
          firstMoments.append(try accumulator("\(name)/m", like: value))
        }
        if i >= weightedInfNorms.count {
          weightedInfNorms.append(try accumulator("\(name)/v", like: value))
        }
        guard let gradient else { continue }
        let firstMoment = firstMoments[i].variable
        let weightedInfNorm = weightedInfNorms[i].variable
        if fusable(value, [gradient, firstMoment, weightedInfNorm]) {
          let (b1, b2, c1) = (Float(beta1), Float(beta2), Float(1 - beta1))
          let rate = lr.values[0] / oneMinusAccBeta1.values[0]
          let eps = Float(epsilon)
          let (g, m, u, x) = (gradient.values, firstMoment.values, weightedInfNorm.values,
                              value.values)
          var (newM, newU, newX) = (m, u, x)
          for j in 0..<x.count {
            newM[j] = m[j] * b1 + g[j] * c1
            let decayed = u[j] * b2
            let magnitude = Swift.abs(g[j])
            newU[j] = decayed.isNaN || magnitude.isNaN ? .nan : Swift.max(decayed, magnitude)
            newX[j] = rate * (newM[j] / (newU[j] + eps)) + x[j]
          }
          try assignFused([(firstMoment, newM), (weightedInfNorm, newU), (value, newX)])
          continue
        }
        let newFirst = try firstMoment.mul(hyper(beta1)).add(try gradient.mul(hyper(1 - beta1)))
        let newInfNorm = try weightedInfNorm.mul(hyper(beta2)).maximum(try gradient.abs())
        try firstMoment.assign(newFirst)
        try weightedInfNorm.assign(newInfNorm)
        let step = try lr.div(oneMinusAccBeta1)
          .mul(try newFirst.div(try newInfNorm.add(hyper(epsilon))))
        try value.assign(try step.add(value))
      }
      try iteration.assign(try iteration.add(hyper(1)))
      try accBeta1.assign(try accBeta1.mul(hyper(beta1)))
    }
    incrementIterations()
  }

  override public func getWeights() throws -> [(name: String, tensor: Tensor)] {
    throw TensorError("getWeights() is not implemented for Adamax yet.")
  }

  override public func setWeights(_ weights: [(name: String, tensor: Tensor)]) throws {
    throw TensorError("setWeights() is not implemented for Adamax yet.")
  }

  override public func dispose() {
    iteration.dispose()
    accBeta1.dispose()
    super.dispose()
  }
}
