// SPDX-License-Identifier: MIT
import XCTest
@testable import TensorEngine

/// Optimizer update rules against scalar re-derivations of TF.js's formulas (three
/// steps on `Σ a·(x − c)²`), and convergence on a least-squares problem.
final class OptimizerTests: XCTestCase {
  let start: [Float] = [1.0, -2.0, 0.5]
  let a: [Double] = [1, 0.5, 2]
  let c: [Double] = [0.2, 0.4, -0.3]

  /// Runs `steps` minimize calls and returns each step's values.
  private func run(_ opt: Optimizer, steps: Int = 3) throws -> [[Float]] {
    let x = try Variable.make(try t(start))
    let av = try t(a.map(Float.init))
    let cv = try t(c.map(Float.init))
    defer {
      x.dispose()
      av.dispose()
      cv.dispose()
      opt.dispose()
    }
    var out: [[Float]] = []
    for _ in 0..<steps {
      try opt.minimize({ try x.sub(cv).square().mul(av).sum() }, varList: [x])
      out.append(try x.dataSync())
    }
    XCTAssertEqual(opt.iterations, steps)
    return out
  }

  /// The reference trajectory: `update(g, state, i)` returns the new x_i.
  private func reference(
    steps: Int = 3, _ update: (_ g: Double, _ x: Double, _ i: Int, _ step: Int) -> Double
  ) -> [[Float]] {
    var x = start.map(Double.init)
    var out: [[Float]] = []
    for s in 1...steps {
      for i in 0..<x.count { x[i] = update(2 * a[i] * (x[i] - c[i]), x[i], i, s) }
      out.append(x.map(Float.init))
    }
    return out
  }

  private func assertTrajectory(
    _ got: [[Float]], _ want: [[Float]], tol: Float = 1e-5, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    XCTAssertEqual(got.count, want.count, file: file, line: line)
    for (g, w) in zip(got, want) {
      for (u, v) in zip(g, w) {
        XCTAssertEqual(u, v, accuracy: tol * Swift.max(1, Swift.abs(v)), "\(g) vs \(w)",
                       file: file, line: line)
      }
    }
  }

  func testSGDFirstStepByHand() throws {
    // g = 2a(x − c) = [1.6, −2.4, 3.2]; x − 0.1 g.
    let got = try run(SGDOptimizer(learningRate: 0.1), steps: 1)
    assertTrajectory(got, [[0.84, -1.76, 0.18]])
  }

  func testSGD() throws {
    let got = try run(SGDOptimizer(learningRate: 0.1))
    assertTrajectory(got, reference { g, x, _, _ in x - 0.1 * g })
  }

  func testMomentumAndNesterov() throws {
    for nesterov in [false, true] {
      var acc = [Double](repeating: 0, count: 3)
      let want = reference { g, x, i, _ in
        acc[i] = 0.9 * acc[i] + g
        return x - 0.05 * (nesterov ? g + 0.9 * acc[i] : acc[i])
      }
      let opt = MomentumOptimizer(learningRate: 0.05, momentum: 0.9, useNesterov: nesterov)
      assertTrajectory(try run(opt), want)
    }
  }

  func testAdam() throws {
    var m = [Double](repeating: 0, count: 3)
    var v = m
    let (lr, b1, b2, eps) = (0.1, 0.9, 0.999, 1e-7)
    let want = reference { g, x, i, s in
      m[i] = b1 * m[i] + (1 - b1) * g
      v[i] = b2 * v[i] + (1 - b2) * g * g
      let mh = m[i] / (1 - Foundation.pow(b1, Double(s)))
      let vh = v[i] / (1 - Foundation.pow(b2, Double(s)))
      return x - lr * mh / (vh.squareRoot() + eps)
    }
    let opt = try AdamOptimizer(learningRate: lr)
    XCTAssertEqual(opt.epsilon, 1e-7)
    assertTrajectory(try run(opt), want, tol: 1e-4)
  }

  func testAdamax() throws {
    var m = [Double](repeating: 0, count: 3)
    var u = m
    let (lr, b1, b2, eps, decay) = (0.05, 0.9, 0.999, 1e-7, 0.1)
    let want = reference { g, x, i, s in
      m[i] = b1 * m[i] + (1 - b1) * g
      u[i] = Swift.max(b2 * u[i], Swift.abs(g))
      let rate = lr / (Double(s - 1) * decay + 1)
      return x - rate / (1 - Foundation.pow(b1, Double(s))) * m[i] / (u[i] + eps)
    }
    assertTrajectory(try run(try AdamaxOptimizer(learningRate: lr, decay: decay)), want, tol: 1e-4)
  }

  func testRMSProp() throws {
    for centered in [false, true] {
      var ms = [Double](repeating: 0, count: 3)
      var mg = ms
      var mom = ms
      let (lr, rho, momentum, eps) = (0.01, 0.9, 0.5, 1e-7)
      let want = reference { g, x, i, _ in
        ms[i] = rho * ms[i] + (1 - rho) * g * g
        mg[i] = rho * mg[i] + (1 - rho) * g
        let denom = centered
          ? (ms[i] - (mg[i] * mg[i] + eps)).squareRoot() : (ms[i] + eps).squareRoot()
        mom[i] = momentum * mom[i] + lr * g / denom
        return x - mom[i]
      }
      let opt = RMSPropOptimizer(learningRate: lr, momentum: momentum, centered: centered)
      assertTrajectory(try run(opt), want, tol: 1e-4)
    }
  }

  func testAdagrad() throws {
    var acc = [Double](repeating: 0.1, count: 3)
    let want = reference { g, x, i, _ in
      acc[i] += g * g
      return x - 0.2 * g / (acc[i] + 1e-7).squareRoot()
    }
    assertTrajectory(try run(AdagradOptimizer(learningRate: 0.2)), want)
  }

  func testAdadelta() throws {
    var accG = [Double](repeating: 0, count: 3)
    var accU = accG
    let (lr, rho, eps) = (1.0, 0.95, 1e-7)
    let want = reference { g, x, i, _ in
      let update = (accU[i] + eps).squareRoot() / (accG[i] + eps).squareRoot() * g
      accG[i] = rho * accG[i] + (1 - rho) * g * g
      accU[i] = rho * accU[i] + (1 - rho) * update * update
      return x - lr * update
    }
    assertTrajectory(try run(AdadeltaOptimizer(learningRate: lr)), want, tol: 1e-4)
  }

  func testFusedUpdatesAreBitIdenticalToOps() throws {
    let makers: [() throws -> Optimizer] = [
      { MomentumOptimizer(learningRate: 0.05, momentum: 0.9) },
      { MomentumOptimizer(learningRate: 0.05, momentum: 0.9, useNesterov: true) },
      { try AdamOptimizer(learningRate: 0.1) },
      { try AdamaxOptimizer(learningRate: 0.05, decay: 0.1) },
      { RMSPropOptimizer(learningRate: 0.01, momentum: 0.5) },
      { RMSPropOptimizer(learningRate: 0.01, momentum: 0.5, centered: true) },
      { AdagradOptimizer(learningRate: 0.2) },
      { AdadeltaOptimizer(learningRate: 1) },
    ]
    defer { Optimizer.fusedUpdates = true }
    for make in makers {
      Optimizer.fusedUpdates = true
      let fused = try run(try make(), steps: 4)
      Optimizer.fusedUpdates = false
      let reference = try make()
      let name = reference.className
      let ops = try run(reference, steps: 4)
      XCTAssertEqual(fused, ops, name)
    }
  }

  // MARK: - Convergence and bookkeeping

  /// Fits `y = X·w + b` to data generated from w = [2, −1], b = 0.5.
  private func fitLeastSquares(_ opt: Optimizer, steps: Int) throws -> (w: [Float], b: Float) {
    let xs: [Float] = [0.1, 0.9, -0.7, 0.3, 0.5, -0.2, 1.1, 0.8, -0.4, -0.9, 0.6, 0.2]
    let X = try t(xs, [6, 2])
    let ys: [Float] = (0..<6).map { (i: Int) -> Float in 2 * xs[2 * i] - xs[2 * i + 1] + 0.5 }
    let Y = try t(ys, [6, 1])
    let w = try Variable.make(try Tensor.zeros([2, 1]))
    let b = try Variable.make(Tensor.scalar(0))
    defer { [X, Y, w, b].forEach { $0.dispose() }; opt.dispose() }
    let loss: () throws -> Tensor? = { try Losses.meanSquaredError(Y, try X.matMul(w).add(b)) }
    try opt.minimize(loss, varList: [w, b])
    let before = Engine.shared.numTensors
    for _ in 1..<steps { try opt.minimize(loss, varList: [w, b]) }
    XCTAssertEqual(Engine.shared.numTensors, before, "training loop leaks tensors")
    return (try w.dataSync(), try b.scalarValue())
  }

  func testOptimizersSolveLeastSquares() throws {
    let cases: [(Optimizer, Int)] = [
      (SGDOptimizer(learningRate: 0.5), 600),
      (MomentumOptimizer(learningRate: 0.1, momentum: 0.9), 400),
      (try AdamOptimizer(learningRate: 0.05), 800),
      (RMSPropOptimizer(learningRate: 0.01), 800),
      (AdagradOptimizer(learningRate: 0.5), 800),
      (try AdamaxOptimizer(learningRate: 0.05), 1000),
    ]
    for (opt, steps) in cases {
      let (w, b) = try fitLeastSquares(opt, steps: steps)
      XCTAssertEqual(w[0], 2, accuracy: 0.02, opt.className)
      XCTAssertEqual(w[1], -1, accuracy: 0.02, opt.className)
      XCTAssertEqual(b, 0.5, accuracy: 0.02, opt.className)
    }
  }

  func testMinimizeWithoutVarListUsesTrainableVariablesAndReturnsCost() throws {
    let x = try Variable.make(try t([3]))
    let frozen = try Variable.make(try t([5]), trainable: false)
    let opt = SGDOptimizer(learningRate: 0.25)
    defer { x.dispose(); frozen.dispose(); opt.dispose() }
    let cost = try opt.minimize({ try x.mul(frozen).square().sum() }, returnCost: true)
    XCTAssertEqual(try cost?.scalarValue(), 225)
    cost?.dispose()
    // d/dx (5x)² = 50x = 150; x ← 3 − 0.25·150.
    XCTAssertEqual(try x.dataSync(), [-34.5])
    XCTAssertEqual(try frozen.dataSync(), [5])
  }

  func testApplyGradientsByNameAndSkipsNil() throws {
    let x = try Variable.make(try t([1, 2]), name: "opt-x")
    let y = try Variable.make(try t([3]), name: "opt-y")
    let opt = MomentumOptimizer(learningRate: 1, momentum: 0.5)
    let g = try t([0.5, 1])
    defer { [x, y, g].forEach { $0.dispose() }; opt.dispose() }
    try opt.applyGradients([(name: "opt-x", tensor: g), (name: "opt-y", tensor: nil)])
    XCTAssertEqual(try x.dataSync(), [0.5, 1])
    XCTAssertEqual(try y.dataSync(), [3])
    try opt.applyGradients(["opt-x": g])
    // a = 0.5·[0.5, 1] + [0.5, 1] = [0.75, 1.5].
    XCTAssertEqual(try x.dataSync(), [-0.25, -0.5])
    assertThrows("Variable with name nope is not registered.") {
      try opt.applyGradients([(name: "nope", tensor: g)])
    }
  }

  func testWeightsRoundTrip() throws {
    let x = try Variable.make(try t([1, 2]), name: "w-x")
    let opt = try AdamOptimizer(learningRate: 0.1)
    defer { x.dispose(); opt.dispose() }
    try opt.minimize({ try x.square().sum() }, varList: [x])
    let weights = try opt.getWeights()
    XCTAssertEqual(weights.map(\.name), ["iter", "w-x/m", "w-x/v"])
    XCTAssertEqual(try weights[0].tensor.scalarValue(), 1)
    XCTAssertEqual(weights[0].tensor.dtype, .int32)
    let copy = try AdamOptimizer(learningRate: 0.1)
    defer { copy.dispose() }
    try copy.setWeights(weights.map { (name: $0.name, tensor: try $0.tensor.clone()) })
    XCTAssertEqual(copy.iterations, 1)
    XCTAssertEqual(try copy.getWeights()[1].tensor.dataSync(), try weights[1].tensor.dataSync())
    weights[0].tensor.dispose()
    let sgd = SGDOptimizer(learningRate: 0.1)
    defer { sgd.dispose() }
    let iter = Tensor.scalar(3, dtype: .int32)
    defer { iter.dispose() }
    try sgd.setWeights([(name: "iter", tensor: iter)])
    XCTAssertEqual(sgd.iterations, 3)
    assertThrows("SGD optimizer does not have settable weights.") {
      try sgd.setWeights([(name: "iter", tensor: iter), (name: "x", tensor: iter)])
    }
  }
}

/// Optimizers by name, as TF.js layers' `compile` resolves them.
final class OptimizerNameTests: XCTestCase {
  func testNamedOptimizersUseLayersDefaults() throws {
    let cases: [(String, String, Double)] = [
      ("sgd", "SGD", 0.01), ("Adam", "Adam", 0.001), ("adamax", "Adamax", 0.002),
      ("rmsprop", "RMSProp", 0.001), ("Adagrad", "Adagrad", 0.01), ("adadelta", "Adadelta", 1),
    ]
    for (name, className, lr) in cases {
      let opt = try Optimizer.named(name)
      XCTAssertEqual(opt.className, className)
      XCTAssertEqual(opt.configEntries.first?.key, "learningRate")
      XCTAssertEqual(opt.configEntries.first?.value, .number(lr), name)
      XCTAssertEqual(opt.config.first?.value, lr, name)
      opt.dispose()
    }
    assertThrows("Unknown Optimizer nadam") { try Optimizer.named("nadam") }
    let momentum = MomentumOptimizer(learningRate: 0.1, momentum: 0.9, useNesterov: true)
    XCTAssertEqual(momentum.configEntries.map(\.key), ["learningRate", "momentum", "useNesterov"])
    XCTAssertEqual(momentum.configEntries.last?.value, .bool(true))
    momentum.dispose()
  }
}

/// A small conv net (conv → batchNorm → relu → maxPool → dense → softmax) trained with
/// `minimize`: the loss falls and the step leaves no tensor behind.
final class OptimizerConvTrainingTests: XCTestCase {
  func testConvNetTrainsWithoutLeaking() throws {
    let engine = Engine.shared
    // Two classes: a bright left half or a bright right half, with noise.
    let n = 8
    var pixels: [Float] = []
    var labels: [Float] = []
    for i in 0..<n {
      let left = i % 2 == 0
      for r in 0..<6 {
        for c in 0..<6 {
          let bright = (c < 3) == left
          pixels.append((bright ? 1 : 0) + 0.1 * Float((i * 7 + r * 5 + c * 3) % 10) / 10)
        }
      }
      labels += left ? [1, 0] : [0, 1]
    }
    let x = try t(pixels, [n, 6, 6, 1])
    let y = try t(labels, [n, 2])
    let filter = try Variable.make(try Tensor.randomNormal([3, 3, 1, 4], stdDev: 0.3, seed: 7))
    let gamma = try Variable.make(try Tensor.ones([4]))
    let beta = try Variable.make(try Tensor.zeros([4]))
    let dense = try Variable.make(try Tensor.randomNormal([36, 2], stdDev: 0.1, seed: 9))
    let opt = try AdamOptimizer(learningRate: 0.05)
    defer { [x, y, filter, gamma, beta, dense].forEach { $0.dispose() }; opt.dispose() }
    let loss: () throws -> Tensor? = {
      let conv = try x.conv2d(filter, strides: [1], padding: .same)
      let (mean, variance) = try conv.moments([0, 1, 2])
      let normed = try conv.batchNorm(mean: mean, variance: variance, offset: beta, scale: gamma)
      let pooled = try normed.relu().maxPool(filterSize: [2], strides: [2], padding: .valid)
      let logits = try pooled.reshape([n, 36]).matMul(dense)
      return try Losses.softmaxCrossEntropy(y, logits)
    }
    let first = try opt.minimize(loss, returnCost: true)
    let before = engine.numTensors
    var last: Float = 0
    for _ in 0..<30 {
      let cost = try opt.minimize(loss, returnCost: true)
      last = try cost?.scalarValue() ?? .nan
      cost?.dispose()
    }
    XCTAssertEqual(engine.numTensors, before, "training step leaks tensors")
    let initial = try first?.scalarValue() ?? .nan
    first?.dispose()
    XCTAssertLessThan(last, initial * 0.2, "loss \(initial) → \(last)")
  }
}

/// Every optimizer returns all its memory on `dispose()`.
final class OptimizerMemoryTests: XCTestCase {
  func testDisposeReleasesEverything() throws {
    let makers: [() throws -> Optimizer] = [
      { SGDOptimizer(learningRate: 0.1) },
      { MomentumOptimizer(learningRate: 0.1, momentum: 0.9) },
      { try AdamOptimizer() }, { try AdamaxOptimizer() },
      { RMSPropOptimizer(learningRate: 0.1, centered: true) },
      { AdagradOptimizer(learningRate: 0.1) }, { AdadeltaOptimizer() },
    ]
    for make in makers {
      let before = Engine.shared.memory
      let variables = Engine.shared.registeredVariables.count
      let initial = try t([1, 2, 3])
      let x = try Variable.make(initial)
      initial.dispose()
      let opt = try make()
      for _ in 0..<3 { try opt.minimize({ try x.square().sum() }, varList: [x]) }
      opt.dispose()
      x.dispose()
      XCTAssertEqual(Engine.shared.memory, before, opt.className)
      XCTAssertEqual(Engine.shared.registeredVariables.count, variables, opt.className)
    }
  }
}
