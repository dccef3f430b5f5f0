// The chapter's patterns: a model cut from a pretrained one, reused inside a
// new Sequential with frozen weights, and a conv net trained end to end.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class TransferLearningTests: XCTestCase {
  func testCutModelAsFrozenBaseOfSequential() throws {
    let base = try loadFixtureModel("small_convnet")
    let cut = try LayersModel(
      inputs: base.inputs, outputs: try base.getLayer(name: "flatten").output,
      name: "features")
    cut.trainable = false
    let model = try Sequential(layers: [cut])
    try model.add(
      try Dense(
        args(
          ("units", .int(3)), ("activation", .string("softmax")),
          ("name", .string("new_head")))))
    XCTAssertEqual(model.layers.map(\.name), ["features", "new_head"])
    XCTAssertEqual(model.outputs[0].shape, [nil, 3])
    let lines = try model.summary()
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("features (Model)") }, lines.joined(separator: "\n"))
    XCTAssertEqual(lines.suffix(3).first, "Trainable params: \(576 * 3 + 3)")

    let x = try Tensor.randomUniform([6, 28, 28, 1], seed: 4)
    let y = try Tensor.oneHot(
      try Tensor.tensor([0, 1, 2, 0, 1, 2], shape: [6], dtype: .int32),
      depth: 3
    ).cast(.float32)
    // As in TF.js, fit runs batch normalization in training mode even when frozen, so the
    // moving statistics move; every other weight of the frozen base stays put.
    func fixedWeights() throws -> [[Float]] {
      try cut.weights.filter { !$0.originalName.contains("moving_") }.map {
        try $0.read().dataSync()
      }
    }
    let frozen = try fixedWeights()
    let before = try model.predict([x])[0].dataSync()
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: 0.01),
      loss: [.name("categoricalCrossentropy")], metrics: [.name("accuracy")])
    var fitArgs = FitArgs()
    fitArgs.epochs = 3
    _ = try model.fit([x], [y], fitArgs)
    XCTAssertEqual(try fixedWeights(), frozen)
    XCTAssertNotEqual(try model.predict([x])[0].dataSync(), before)
    // The base model shares the frozen layers and still predicts as before.
    XCTAssertTrue(try base.getLayer(name: "flatten") === cut.layers.last)
  }

  /// Deep Learning with JavaScript, ch. 5: a Sequential head applied to the frozen base's
  /// output, wrapped in `tf.model` with the base's inputs.
  func testSequentialHeadAppliedToFrozenBase() throws {
    let base = try loadFixtureModel("small_convnet")
    let flattenIndex = try XCTUnwrap(base.layers.firstIndex { $0.name == "flatten" })
    let truncated = try LayersModel(
      inputs: base.inputs, outputs: try base.getLayer(index: flattenIndex - 1).output)
    for layer in truncated.layers { layer.trainable = false }
    let head = try Sequential()
    try head.add(
      try Flatten(args(("inputShape", .shape(Array(truncated.outputs[0].shape.dropFirst()))))))
    try head.add(
      try Dense(
        args(
          ("units", .int(4)), ("activation", .string("relu")),
          ("kernelInitializer", .string("varianceScaling")))))
    try head.add(try Dense(args(("units", .int(2)), ("activation", .string("softmax")))))
    let output = try head.apply(truncated.outputs[0])
    let model = try LayersModel(inputs: truncated.inputs, outputs: [output])
    XCTAssertTrue(model.layers.last === head)
    XCTAssertEqual(model.trainableWeights.count, 4)
    let lines = try model.summary()
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("\(head.name) (Sequential)") }, lines.joined(separator: "\n"))
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: 0.01), loss: [.name("categoricalCrossentropy")],
      metrics: [.name("acc")])
    let x = try Tensor.randomUniform([4, 28, 28, 1], seed: 8)
    let y = try Tensor.tensor([1, 0, 0, 1, 1, 0, 0, 1], shape: [4, 2])
    var fitArgs = FitArgs()
    fitArgs.epochs = 2
    let h = try model.fit([x], [y], fitArgs)
    XCTAssertEqual(h.keys, ["loss", "acc"])
    // The head alone predicts what the whole model predicts from the base's features.
    let features = try truncated.predict(x)
    try assertClose(
      try head.predict(features), try model.predict(x), atol: 1e-6, rtol: 1e-5, "head")
  }

  /// A model cut from another shares its layers: training the cut changes the original.
  func testTrainingACutModelChangesTheOriginal() throws {
    let x = try input(shape: [3], name: "shared_in")
    let hidden = try Dense(args(("units", .int(4)), ("name", .string("shared_hidden"))))
    let h = try hidden.apply(x)
    let full = try LayersModel(
      inputs: [x],
      outputs: [try Dense(args(("units", .int(1)), ("name", .string("full_out")))).apply(h)])
    let cut = try LayersModel(inputs: full.inputs, outputs: try hidden.output)
    let before = try full.getLayer(name: "shared_hidden").getWeights()[0].dataSync()
    try cut.compile(optimizer: SGDOptimizer(learningRate: 0.5), loss: [.name("meanSquaredError")])
    try cut.trainOnBatch([try Tensor.ones([2, 3])], [try Tensor.ones([2, 4])])
    XCTAssertNotEqual(try full.getLayer(name: "shared_hidden").getWeights()[0].dataSync(), before)
  }

  func testConvNetLossFalls() throws {
    let model = try Sequential(layers: [
      try Conv2D(
        args(
          ("filters", .int(4)), ("kernelSize", .int(3)), ("inputShape", .ints([8, 8, 1])),
          ("activation", .string("relu")),
          (
            "kernelInitializer",
            .object(
              ConfigObject([
                ("className", .string("GlorotUniform")),
                ("config", .object(ConfigObject([("seed", .number(3))]))),
              ]))
          ))),
      try BatchNormalization(ConfigObject()),
      try MaxPooling2D(ConfigObject()),
      try Flatten(ConfigObject()),
      try Dense(args(("units", .int(2)), ("activation", .string("softmax")))),
    ])
    let x = try Tensor.randomUniform([16, 8, 8, 1], seed: 9)
    // Label: is the image's left half brighter than its right half?
    let v = try x.dataSync()
    var labels: [Float] = []
    for n in 0..<16 {
      var left: Float = 0
      var right: Float = 0
      for r in 0..<8 {
        for c in 0..<8 {
          if c < 4 { left += v[n * 64 + r * 8 + c] } else { right += v[n * 64 + r * 8 + c] }
        }
      }
      labels += left > right ? [1, 0] : [0, 1]
    }
    let y = try Tensor.tensor(labels, shape: [16, 2])
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: 0.02),
      loss: [.name("categoricalCrossentropy")])
    var fitArgs = FitArgs()
    fitArgs.epochs = 15
    fitArgs.batchSize = 8
    let h = try model.fit([x], [y], fitArgs)
    let losses = try XCTUnwrap(h.history["loss"])
    XCTAssertLessThan(losses.last!, losses.first! * 0.8, "\(losses)")
    // Training mode moved the batch-norm statistics away from their initial values.
    let bn = model.layers[1]
    XCTAssertNotEqual(try bn.getWeights()[2].dataSync(), [0, 0, 0, 0])
  }
}
