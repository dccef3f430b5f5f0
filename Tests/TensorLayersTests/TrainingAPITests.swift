// fit/evaluate/trainOnBatch behaviour: callback order and logs, early stopping,
// the interrupt hook, class weights, validation data, memory.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class TrainingAPITests: XCTestCase {
  /// A small classifier and separable data (label = x0 > x1).
  func makeProblem() throws -> (LayersModel, Tensor, Tensor) {
    let model = try Sequential(layers: [
      try Dense(
        args(
          ("units", .int(8)), ("inputShape", .ints([2])), ("activation", .string("relu")),
          (
            "kernelInitializer",
            .object(
              ConfigObject([
                ("className", .string("GlorotUniform")),
                ("config", .object(ConfigObject([("seed", .number(1))]))),
              ]))
          ))),
      try Dense(args(("units", .int(2)), ("activation", .string("softmax")))),
    ])
    let xs = try Tensor.randomUniform([40, 2], minval: -1, maxval: 1, seed: 5)
    let v = try xs.dataSync()
    var ys: [Float] = []
    for i in 0..<40 { ys += v[2 * i] > v[2 * i + 1] ? [1, 0] : [0, 1] }
    return (model, xs, try Tensor.tensor(ys, shape: [40, 2]))
  }

  func testCallbacksRunInOrderWithLogs() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: 0.05),
      loss: [.name("categoricalCrossentropy")], metrics: [.name("accuracy")])
    var events: [String] = []
    let cb = CustomCallback()
    cb.trainBegin = { _ in events.append("trainBegin") }
    cb.epochBegin = { e, _ in events.append("epochBegin \(e)") }
    cb.batchEnd = { b, logs in events.append("batchEnd \(b) \(logs.keys)") }
    cb.epochEnd = { e, logs in events.append("epochEnd \(e) \(logs.keys)") }
    cb.trainEnd = { _ in events.append("trainEnd") }
    var args = FitArgs()
    args.epochs = 2
    args.batchSize = 16
    args.validationSplit = 0.25
    args.callbacks = [cb]
    let h = try model.fit([x], [y], args)
    XCTAssertEqual(
      events,
      [
        "trainBegin", "epochBegin 0",
        "batchEnd 0 [\"batch\", \"size\", \"loss\", \"acc\"]",
        "batchEnd 1 [\"batch\", \"size\", \"loss\", \"acc\"]",
        "epochEnd 0 [\"val_loss\", \"val_acc\", \"loss\", \"acc\"]", "epochBegin 1",
        "batchEnd 0 [\"batch\", \"size\", \"loss\", \"acc\"]",
        "batchEnd 1 [\"batch\", \"size\", \"loss\", \"acc\"]",
        "epochEnd 1 [\"val_loss\", \"val_acc\", \"loss\", \"acc\"]", "trainEnd",
      ])
    XCTAssertEqual(h.params["samples"], 30)
    XCTAssertLessThan(h.history["loss"]![1], h.history["loss"]![0])
  }

  func testEvaluateMatchesLastEpochValidation() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(
      optimizer: "sgd", loss: [.name("categoricalCrossentropy")],
      metrics: [.name("acc")])
    var args = FitArgs()
    args.epochs = 1
    args.shuffle = false
    let vx = try sliceRows(x, 30, 10)
    let vy = try sliceRows(y, 30, 10)
    args.validationData = ([vx], [vy])
    let h = try model.fit([x], [y], args)
    let ev = try model.evaluate([vx], [vy], batchSize: 4)
    XCTAssertEqual(ev.count, 2)
    // Same weights after the last batch, so the same numbers (batch size only reorders sums).
    XCTAssertEqual(Double(try ev[0].scalarValue()), h.history["val_loss"]![0], accuracy: 1e-5)
    XCTAssertEqual(Double(try ev[1].scalarValue()), h.history["val_acc"]![0], accuracy: 1e-6)
  }

  func testEarlyStoppingAndStopTraining() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(optimizer: SGDOptimizer(learningRate: 0), loss: [.name("meanSquaredError")])
    var args = FitArgs()
    args.epochs = 10
    args.validationSplit = 0.5
    let stopper = try EarlyStopping(monitor: "val_loss", patience: 2)
    args.callbacks = [stopper]
    let h = try model.fit([x], [y], args)
    // Learning rate 0: val_loss never improves after the first epoch.
    XCTAssertEqual(h.epoch, [0, 1, 2])
    XCTAssertEqual(stopper.stoppedEpoch, 2)
  }

  func testInterruptStopsAtNextBatch() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(optimizer: "adam", loss: [.name("meanSquaredError")])
    var args = FitArgs()
    args.epochs = 5
    args.batchSize = 4
    var batches = 0
    args.progress = { if case .batchEnd = $0 { batches += 1 } }
    args.shouldInterrupt = { batches >= 3 }
    let h = try model.fit([x], [y], args)
    XCTAssertTrue(h.interrupted)
    XCTAssertEqual(batches, 3)
    XCTAssertEqual(h.epoch, [0])
    XCTAssertFalse(model.isTraining)
  }

  func testClassWeightScalesLoss() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(
      optimizer: SGDOptimizer(learningRate: 0),
      loss: [.name("categoricalCrossentropy")])
    var plain = FitArgs()
    plain.shuffle = false
    plain.batchSize = 40
    let base = try model.fit([x], [y], plain).history["loss"]![0]
    var weighted = plain
    weighted.classWeight = [0: 2, 1: 2]
    let doubled = try model.fit([x], [y], weighted).history["loss"]![0]
    XCTAssertEqual(doubled, 2 * base, accuracy: 1e-5)
    weighted.classWeight = [0: 1]
    XCTAssertThrowsError(try model.fit([x], [y], weighted))
  }

  func testTrainOnBatchAndFrozenLayers() throws {
    let (model, x, y) = try makeProblem()
    model.layers[0].trainable = false
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: 0.1),
      loss: [.name("categoricalCrossentropy")], metrics: [.name("accuracy")])
    let frozen = try model.layers[0].getWeights().map { try $0.dataSync() }
    let head = try model.layers[1].getWeights()[0].dataSync()
    let values = try model.trainOnBatch([x], [y])
    XCTAssertEqual(values.count, 2)
    XCTAssertEqual(try model.layers[0].getWeights().map { try $0.dataSync() }, frozen)
    XCTAssertNotEqual(try model.layers[1].getWeights()[0].dataSync(), head)
    XCTAssertEqual(try model.summary().suffix(3).first, "Trainable params: 18")
  }

  func testFitDoesNotLeakTensors() throws {
    let (model, x, y) = try makeProblem()
    try model.compile(
      optimizer: "adam", loss: [.name("categoricalCrossentropy")],
      metrics: [.name("accuracy")])
    var args = FitArgs()
    args.epochs = 1
    args.validationSplit = 0.2
    _ = try model.fit([x], [y], args)  // creates the optimizer's accumulators
    let before = Engine.shared.memory.numTensors
    args.epochs = 3
    _ = try model.fit([x], [y], args)
    XCTAssertEqual(Engine.shared.memory.numTensors, before)
  }

  func testMultiOutputLossNames() throws {
    let x = try input(shape: [3])
    let a = try Dense(args(("units", .int(1)), ("name", .string("ya")))).apply(x)
    let b = try Dense(
      args(
        ("units", .int(2)), ("activation", .string("softmax")),
        ("name", .string("yb")))
    ).apply(x)
    let model = try LayersModel(inputs: [x], outputs: [a, b])
    try model.compile(
      optimizer: "sgd",
      loss: [.name("meanSquaredError"), .name("categoricalCrossentropy")],
      metrics: [.name("accuracy")])
    XCTAssertEqual(
      model.compiled?.metricsNames,
      ["loss", "ya_loss", "yb_loss", "ya_acc", "yb_acc"])
    let h = try model.fit(
      [try Tensor.ones([4, 3])],
      [try Tensor.ones([4, 1]), try Tensor.tensor([1, 0, 0, 1, 1, 0, 0, 1], shape: [4, 2])])
    XCTAssertEqual(h.keys, ["loss", "ya_loss", "yb_loss", "ya_acc", "yb_acc"])
    XCTAssertEqual(
      h.history["loss"]![0],
      h.history["ya_loss"]![0] + h.history["yb_loss"]![0], accuracy: 1e-5)
  }
}

final class ProgressTextTests: XCTestCase {
  func testSuccinctNumbersAsTFJS() {
    XCTAssertEqual(ProgressText.succinctNumber(0.6931), "0.693")
    XCTAssertEqual(ProgressText.succinctNumber(0.05), "0.0500")
    XCTAssertEqual(ProgressText.succinctNumber(0.005), "5.00e-3")
    XCTAssertEqual(ProgressText.succinctNumber(12.345), "12.35")
    XCTAssertEqual(ProgressText.succinctNumber(0), "0.00")
    var logs = Logs()
    logs["batch"] = 3
    logs["loss"] = 0.25
    logs["acc"] = 1
    XCTAssertEqual(ProgressText.metrics(logs), "acc=1.00 loss=0.250")
    XCTAssertEqual(ProgressText.epochHeader(0, 5), "Epoch 1 / 5")
  }
}
