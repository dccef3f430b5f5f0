// The training oracle fixtures: load the Keras model, compile with the given
// optimizer, fit with shuffle off and a validation split, and compare the
// per-epoch history and the predictions after training with Keras's.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class TrainingFixtureTests: XCTestCase {
  func checkTraining(_ name: String) throws {
    let cases = try FixtureCases(name)
    let fitArgs = try XCTUnwrap(cases.json["fit"]?.object)
    let model = try loadFixtureModel(name)
    let lr = try XCTUnwrap(try fitArgs.double("learningRate"))
    let optimizer: Optimizer =
      try fitArgs.string("optimizer") == "adam"
      ? try AdamOptimizer(learningRate: lr) : SGDOptimizer(learningRate: lr)
    let metrics = (fitArgs["metrics"]?.array ?? []).compactMap(\.string).map { MetricArg.name($0) }
    try model.compile(
      optimizer: optimizer, loss: [.name(try XCTUnwrap(fitArgs.string("loss")))],
      metrics: metrics)
    var args = FitArgs()
    args.epochs = try XCTUnwrap(fitArgs.int("epochs"))
    args.batchSize = try XCTUnwrap(fitArgs.int("batchSize"))
    args.validationSplit = try fitArgs.double("validationSplit")
    args.shuffle = try fitArgs.bool("shuffle") ?? true
    let x = try XCTUnwrap(cases.arrays["x"])
    let y = try XCTUnwrap(cases.arrays["y"])
    let history = try model.fit([x], [y], args)

    XCTAssertEqual(history.keys, ["val_loss", "val_acc", "loss", "acc"])
    XCTAssertEqual(history.epoch, Array(0..<args.epochs))
    let tol = try XCTUnwrap(cases.json["historyTolerance"]?.object)
    let atol = try XCTUnwrap(tol.double("atol"))
    let rtol = try XCTUnwrap(tol.double("rtol"))
    let want = try XCTUnwrap(cases.json["history"]?.object)
    for (key, values) in want.pairs {
      let expected = (values.array ?? []).compactMap(\.number)
      let got = history.history[key] ?? []
      XCTAssertEqual(got.count, expected.count, "\(name) \(key) length")
      for (e, (g, w)) in zip(got, expected).enumerated() {
        XCTAssertLessThanOrEqual(
          Swift.abs(g - w), atol + rtol * Swift.abs(w),
          "\(name) \(key)[\(e)]: got \(g), want \(w)")
      }
    }
    let after = try model.predict([x])[0]
    try assertClose(
      after, try XCTUnwrap(cases.arrays["predictionsAfter"]), atol: cases.atol,
      rtol: cases.rtol, "\(name) predictionsAfter")
  }

  func testAdamHistoryMatchesKeras() throws {
    try checkTraining("train_dense_adam")
  }

  func testSGDHistoryMatchesKeras() throws {
    try checkTraining("train_dense_sgd")
  }
}
