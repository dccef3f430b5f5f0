// model.json's training config (TF.js loadTrainingConfig/getTrainingConfig) and
// userDefinedMetadata: read on load (the model comes back compiled), written on save.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class TrainingConfigTests: XCTestCase {
  /// The converter's Keras 2 CNN topology (training_config inside modelTopology) with
  /// generated weights of the manifest's sizes.
  func testConverterTrainingConfigCompilesTheModel() throws {
    let dir = try temporaryFolder(self)
    let json = try Data(
      contentsOf: URL(fileURLWithPath: fixturePath("extra/keras2_sequential_cnn_model.json")))
    try json.write(to: URL(fileURLWithPath: dir + "/model.json"))
    let root = try XCTUnwrap(try ConfigValue.parseJSON(json).object)
    let specs = try WeightsIO.parseManifest(try XCTUnwrap(root["weightsManifest"])).flatMap(\.specs)
    let count = try ModelArtifacts.expectedBytes(specs) / 4
    let values = (0..<count).map { Float(($0 * 7919) % 2003) / 20030 - 0.05 }
    let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
    try data.write(to: URL(fileURLWithPath: dir + "/group1-shard1of1.bin"))

    let model = try ModelIO.loadLayersModel(dir + "/model.json")
    let state = try XCTUnwrap(model.compiled, "compiled from training_config")
    XCTAssertEqual(state.lossNames, ["categoricalCrossentropy"])
    XCTAssertEqual(state.metricsNames, ["loss", "acc"])
    let adam = try XCTUnwrap(state.optimizer as? AdamOptimizer)
    XCTAssertEqual(adam.learningRate, 0.0010000000474974513)
    XCTAssertEqual(adam.beta1, 0.9)
    XCTAssertEqual(adam.beta2, 0.999)
    XCTAssertEqual(adam.epsilon, 1e-7)
    // It trains as compiled: one evaluate gives [loss, acc].
    let x = try Tensor.randomUniform([2, 28, 28, 1], seed: 3)
    let y = try Tensor.tensor((0..<20).map { $0 == 3 || $0 == 17 ? 1 : 0 }, shape: [2, 10])
    XCTAssertEqual(try model.evaluate([x], [y]).count, 2)
    // The same file through the path loader.
    XCTAssertNotNil(try ModelLoader.loadLayersModel(path: dir + "/model.json").compiled)
  }

  /// Save a compiled model → trainingConfig in model.json → loaded back compiled with the
  /// same optimizer, and it trains exactly as Keras did (the training fixture's history).
  func testSavedTrainingConfigRoundTripsAndTrainsLikeKeras() throws {
    let cases = try FixtureCases("train_dense_adam")
    let fit = try XCTUnwrap(cases.json["fit"]?.object)
    let lr = try XCTUnwrap(try fit.double("learningRate"))
    let model = try ModelIO.loadLayersModel(fixturePath("train_dense_adam/model/model.json"))
    XCTAssertNil(model.compiled, "the fixture has no training config")
    try model.compile(
      optimizer: try AdamOptimizer(learningRate: lr), loss: [.name("categoricalCrossentropy")],
      metrics: [.name("accuracy")])
    model.userDefinedMetadata = .object(ConfigObject([("classes", .array([.string("a")]))]))
    let dir = try temporaryFolder(self) + "/saved"
    try ModelIO.save(model, to: dir, includeTrainingConfig: true)

    let root = try XCTUnwrap(
      try ConfigValue.parseJSON(Data(try bytes(dir + "/model.json"))).object)
    let training = try XCTUnwrap(root["trainingConfig"]?.object)
    XCTAssertEqual(try training.string("loss"), "categorical_crossentropy")
    XCTAssertEqual(training["metrics"]?.array?.compactMap(\.string), ["accuracy"])
    let opt = try XCTUnwrap(training["optimizer_config"]?.object)
    XCTAssertEqual(try opt.string("class_name"), "Adam")
    XCTAssertEqual(opt["config"]?.object?.keys, ["learningRate", "beta1", "beta2", "epsilon"])
    XCTAssertEqual(try opt["config"]?.object?.double("learningRate"), lr)
    XCTAssertEqual(root["userDefinedMetadata"]?.jsText, #"{"classes":["a"]}"#)
    let groups = try XCTUnwrap(root["weightsManifest"]?.array)
    XCTAssertEqual(groups.count, 1, "no optimizer weights")
    // TF.js's layout (no includeOptimizer): no trainingConfig, the model loads uncompiled.
    let plain = try temporaryFolder(self) + "/plain"
    try ModelIO.save(model, to: plain)
    let plainRoot = try ConfigValue.parseJSON(Data(try bytes(plain + "/model.json"))).object
    XCTAssertEqual(plainRoot?.has("trainingConfig"), false)
    XCTAssertNil(try ModelIO.loadLayersModel(plain + "/model.json").compiled)

    let back = try ModelIO.loadLayersModel(dir + "/model.json")
    XCTAssertEqual(back.userDefinedMetadata?.jsText, #"{"classes":["a"]}"#)
    let state = try XCTUnwrap(back.compiled)
    XCTAssertEqual(state.metricsNames, ["loss", "acc"])
    let adam = try XCTUnwrap(state.optimizer as? AdamOptimizer)
    XCTAssertEqual(adam.learningRate, lr)

    var args = FitArgs()
    args.epochs = try XCTUnwrap(try fit.int("epochs"))
    args.batchSize = try XCTUnwrap(try fit.int("batchSize"))
    args.validationSplit = try fit.double("validationSplit")
    args.shuffle = false
    args.verbose = 0
    let x = try XCTUnwrap(cases.arrays["x"])
    let y = try XCTUnwrap(cases.arrays["y"])
    let history = try back.fit([x], [y], args)
    let tol = try XCTUnwrap(cases.json["historyTolerance"]?.object)
    let (atol, rtol) = (try tol.double("atol") ?? 0, try tol.double("rtol") ?? 0)
    let want = try XCTUnwrap(cases.json["history"]?.object)
    for (key, values) in want.pairs {
      let w = try XCTUnwrap(values.array?.compactMap(\.number))
      let g = try XCTUnwrap(history.history[key], key)
      XCTAssertEqual(g.count, w.count, key)
      for (a, b) in zip(g, w) {
        XCTAssertLessThanOrEqual(abs(a - b), atol + rtol * abs(b), "\(key): \(g) vs \(w)")
      }
    }
  }

  func testTFJSFormConfigs() throws {
    func load(_ training: String, metadata: String = "null") throws -> LayersModel {
      let json = """
        {"modelTopology": {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Dense", "config": {"name": "d", "units": 2,
           "batch_input_shape": [null, 3]}}]}},
         "trainingConfig": \(training), "userDefinedMetadata": \(metadata)}
        """
      return try ModelLoader.loadLayersModel(json: Data(json.utf8), source: "m.json") { _ in
        throw valueError("no weights")
      }
    }
    let sgd = try load(
      #"{"loss": ["mean_squared_error"], "metrics": {"d": "mae"}, "optimizer_config": "#
        + #"{"class_name": "SGD", "config": {"learningRate": 0.5}}}"#)
    XCTAssertEqual(sgd.compiled?.lossNames, ["meanSquaredError"])
    XCTAssertEqual(sgd.compiled?.metricsNames, ["loss", "mae"])
    XCTAssertEqual((sgd.compiled?.optimizer as? SGDOptimizer)?.learningRate, 0.5)
    XCTAssertFalse(sgd.compiled?.optimizer is MomentumOptimizer)
    let keras = try load(
      #"{"loss": {"d": "binary_crossentropy"}, "metrics": ["accuracy"], "optimizer_config": "#
        + #"{"class_name": "RMSprop", "config": {"learning_rate": 0.01, "rho": 0.8}}}"#)
    let rms = try XCTUnwrap(keras.compiled?.optimizer as? RMSPropOptimizer)
    XCTAssertEqual(rms.learningRate, 0.01)
    XCTAssertEqual(rms.decay, 0.8)
    let momentum = try load(
      #"{"loss": "mse", "optimizer_config": {"class_name": "SGD", "#
        + #""config": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": true}}}"#)
    let m = try XCTUnwrap(momentum.compiled?.optimizer as? MomentumOptimizer)
    XCTAssertEqual(m.momentum, 0.9)
    XCTAssertTrue(m.useNesterov)

    let ok = #""loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {}}"#
    assertThrows(["Loading loss_weights is not supported yet."]) {
      try load("{\(ok), \"loss_weights\": [1]}")
    }
    // A config that fails after its optimizer was made releases the optimizer's variables.
    let before = Engine.shared.memory.numTensors
    assertThrows(["Unknown loss nope"]) {
      try load(#"{"loss": "nope", "optimizer_config": {"class_name": "Adam"}}"#)
    }
    XCTAssertEqual(Engine.shared.memory.numTensors, before)
    assertThrows(["Unknown optimizer class Nadam"]) {
      try load(#"{"loss": "mse", "optimizer_config": {"class_name": "Nadam"}}"#)
    }
    assertThrows(["learning-rate schedules are not supported"]) {
      try load(
        #"{"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": "#
          + #"{"learning_rate": {"class_name": "ExponentialDecay"}}}}"#)
    }
    assertThrows(["Unknown loss nope"]) {
      try load(#"{"loss": "nope", "optimizer_config": {"class_name": "Adam"}}"#)
    }
    assertThrows(["trainingConfig has no loss"]) {
      try load(#"{"optimizer_config": {"class_name": "Adam"}}"#)
    }
    assertThrows(["trainingConfig must be a JSON object"]) { try load("[1]") }
    assertThrows(["User-defined metadata is expected to be a JSON object"]) {
      try load("{\(ok)}", metadata: "3")
    }
    let kept = try load("{\(ok)}", metadata: #"{"a":1}"#)
    XCTAssertEqual(kept.userDefinedMetadata?.jsText, #"{"a":1}"#)
  }

  /// The converter's form is read only when understood: otherwise the model loads uncompiled.
  func testUnusableConverterTrainingConfigLeavesTheModelUncompiled() throws {
    let json = """
      {"modelTopology": {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2,
         "batch_input_shape": [null, 3]}}]},
       "training_config": {"loss": "mse", "optimizer_config": {"class_name": "Lion"}}}}
      """
    let model = try ModelLoader.loadLayersModel(json: Data(json.utf8), source: "m.json") { _ in
      throw valueError("no weights")
    }
    XCTAssertNil(model.compiled)
  }

  /// A model compiled with a loss function has no serializable training config.
  func testFunctionLossSavesNoTrainingConfig() throws {
    let model = try ModelIO.loadLayersModel(fixturePath("train_dense_sgd/model/model.json"))
    try model.compile(
      optimizer: SGDOptimizer(learningRate: 0.1),
      loss: [.function(name: "custom", LayerLosses.meanSquaredError)])
    XCTAssertNil(TrainingConfig.serialize(model))
    let dir = try temporaryFolder(self) + "/saved"
    try ModelIO.save(model, to: dir)
    XCTAssertNil(try ModelIO.loadLayersModel(dir + "/model.json").compiled)
  }
}
