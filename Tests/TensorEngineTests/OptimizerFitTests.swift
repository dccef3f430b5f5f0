// SPDX-License-Identifier: MIT
import Foundation
import XCTest
@testable import TensorEngine

/// End-to-end oracle: the training fixtures' Dense network fitted with minibatch
/// `minimize` steps (autograd + optimizer), compared with the per-epoch loss history
/// and final predictions TensorFlow computed (Tests/Fixtures/train_dense_*).
final class OptimizerFitTests: XCTestCase {
  func testDenseFitWithSGDMatchesTensorFlow() throws {
    try fit("train_dense_sgd") { SGDOptimizer(learningRate: $0) }
  }

  func testDenseFitWithAdamMatchesTensorFlow() throws {
    try fit("train_dense_adam") { try AdamOptimizer(learningRate: $0) }
  }

  /// TF.js layers' categoricalCrossentropy on probabilities, averaged over the batch.
  private func crossEntropy(_ labels: Tensor, _ probs: Tensor) throws -> Tensor {
    let normalized = try probs.div(try probs.sum([-1], keepDims: true))
    let clipped = try normalized.clipByValue(1e-7, 1 - 1e-7)
    return try labels.mul(try clipped.log()).sum([-1]).neg().mean()
  }

  private func fit(_ name: String, _ makeOptimizer: (Double) throws -> Optimizer) throws {
    let root = fixtureURL(name)
    let model = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("model/model.json"))) as? [String: Any]
    let cases = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("cases.json"))) as? [String: Any]
    let weights = try loadFloatManifest(
      model?["weightsManifest"] as? [[String: Any]] ?? [],
      directory: root.appendingPathComponent("model"))
    let arrays = try loadFloatManifest(
      cases?["weightsManifest"] as? [[String: Any]] ?? [], directory: root)
    let fitConfig = cases?["fit"] as? [String: Any] ?? [:]
    let history = cases?["history"] as? [String: [Double]] ?? [:]
    let tolerance = cases?["historyTolerance"] as? [String: Double] ?? [:]
    let (hAtol, hRtol) = (tolerance["atol"] ?? 2e-4, tolerance["rtol"] ?? 2e-3)
    let (atol, rtol) = (cases?["atol"] as? Double ?? 1e-3, cases?["rtol"] as? Double ?? 1e-2)
    guard let x = arrays["x"], let y = arrays["y"], let want = arrays["predictionsAfter"],
      let lr = fitConfig["learningRate"] as? Double, let epochs = fitConfig["epochs"] as? Int,
      let batchSize = fitConfig["batchSize"] as? Int,
      let split = fitConfig["validationSplit"] as? Double
    else { return XCTFail("incomplete fixture \(name)") }

    let engine = Engine.shared
    func variable(_ key: String) throws -> Variable {
      guard let w = weights[key] else { throw TensorError("no weight \(key)") }
      return try Variable.make(try Tensor.tensor(w.values, shape: w.shape))
    }
    let vars = try ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"].map(variable)
    let (features, classes) = (x.shape[1], y.shape[1])
    let rows = x.shape[0]
    let trainRows = Int((Double(rows) * (1 - split)).rounded(.down))
    let xs = try Tensor.tensor(x.values, shape: x.shape)
    let ys = try Tensor.tensor(y.values, shape: y.shape)
    let optimizer = try makeOptimizer(lr)
    defer {
      (vars + [xs, ys]).forEach { $0.dispose() }
      optimizer.dispose()
    }
    func predict(_ input: Tensor) throws -> Tensor {
      try input.matMul(vars[0]).add(vars[1]).relu().matMul(vars[2]).add(vars[3]).softmax()
    }
    let xTrain = try xs.slice([0, 0], [trainRows, features])
    let yTrain = try ys.slice([0, 0], [trainRows, classes])
    let xVal = try xs.slice([trainRows, 0], [rows - trainRows, features])
    let yVal = try ys.slice([trainRows, 0], [rows - trainRows, classes])
    defer { [xTrain, yTrain, xVal, yVal].forEach { $0.dispose() } }

    for epoch in 0..<epochs {
      var total = 0.0
      var start = 0
      while start < trainRows {
        let size = Swift.min(batchSize, trainRows - start)
        let xb = try xTrain.slice([start, 0], [size, features])
        let yb = try yTrain.slice([start, 0], [size, classes])
        let cost = try optimizer.minimize(
          { try self.crossEntropy(yb, try predict(xb)) }, returnCost: true, varList: vars)
        total += Double(try cost?.scalarValue() ?? .nan) * Double(size)
        [xb, yb, cost].compactMap { $0 }.forEach { $0.dispose() }
        start += size
      }
      let loss = total / Double(trainRows)
      let valLoss = Double(try engine.tidy {
        try crossEntropy(yVal, try predict(xVal)).scalarValue()
      })
      if let w = history["loss"]?[epoch] {
        XCTAssertEqual(loss, w, accuracy: hAtol + hRtol * Swift.abs(w),
                       "\(name) loss epoch \(epoch)")
      }
      if let w = history["val_loss"]?[epoch] {
        XCTAssertEqual(valLoss, w, accuracy: hAtol + hRtol * Swift.abs(w),
                       "\(name) val_loss epoch \(epoch)")
      }
    }
    let got = try engine.tidy { try predict(xs).dataSync() }
    XCTAssertEqual(got.count, want.values.count)
    for (i, (g, w)) in zip(got, want.values).enumerated() {
      XCTAssertEqual(Double(g), Double(w), accuracy: atol + rtol * Swift.abs(Double(w)),
                     "\(name) prediction \(i)")
    }
  }
}
