// Loading details beyond the oracle outputs: the chapter's MobileNet summary
// counts and cut, Keras 3 files, topology-only configs, weight errors.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class LoadingTests: XCTestCase {
  func testMobileNetSummaryCountsAndCut() throws {
    let model = try loadFixtureModel("mobilenet_v1_0.25_224_oldformat")
    XCTAssertEqual(model.className, "Model")
    XCTAssertEqual(model.layers.count, 91)
    XCTAssertTrue(model.layers[0] is InputLayer)
    let lines = try model.summary()
    XCTAssertTrue(lines.contains("Total params: 475544"))
    XCTAssertTrue(lines.contains("Trainable params: 470072"))
    XCTAssertTrue(lines.contains("Non-trainable params: 5472"))
    XCTAssertEqual(lines[0].count, 90, "a linear graph is sequential-like")
    let row = try XCTUnwrap(lines.first { $0.hasPrefix("conv_pw_13_relu (ReLU)") })
    XCTAssertTrue(row.contains("[null,7,7,256]"), row)

    let layer = try model.getLayer(name: "conv_pw_13_relu")
    let cut = try LayersModel(inputs: model.inputs, outputs: try layer.output)
    XCTAssertEqual(cut.outputs[0].shape, [nil, 7, 7, 256])
    // The cut model holds the same layer objects.
    let conv1 = try model.getLayer(name: "conv1")
    XCTAssertTrue(try cut.getLayer(name: "conv1") === conv1)
    XCTAssertThrowsError(try model.getLayer(name: "conv_pw_14_relu")) { e in
      XCTAssertTrue("\(e)".hasPrefix("No such layer: conv_pw_14_relu. Did you mean "), "\(e)")
      XCTAssertTrue("\(e)".contains(" Layers in this model: input_1, conv1, conv1_bn,"), "\(e)")
    }
  }

  func testKeras3FileLoadsAndRuns() throws {
    let dir = fixtureURL("extra/keras3_functional_layers_model_UNLOADABLE_IN_TFJS")
    let model = try ModelLoader.loadLayersModel(path: dir.appendingPathComponent("model.json").path)
    XCTAssertEqual(model.inputs[0].shape, [nil, 8, 8, 3])
    let bn = try model.getLayer(name: "conv1_bn")
    XCTAssertEqual(bn.weights.count, 4)
    // Weights came from the file, not the initializers.
    let manifest = try XCTUnwrap(
      ConfigValue.parseJSON(
        try Data(contentsOf: dir.appendingPathComponent("model.json"))
      ).object?["weightsManifest"])
    let stored = try WeightsIO.load(manifest, directory: dir)
    let gamma = try XCTUnwrap(stored.first { $0.0 == "conv1_bn/gamma" }?.1)
    XCTAssertEqual(try bn.getWeights()[0].dataSync(), try gamma.dataSync())
    let x = try Tensor.randomUniform([2, 8, 8, 3], seed: 7)
    let y = try model.predict([x])[0]
    // The graph by hand: conv1 → conv1_bn → relu → add(relu, relu) → head (Sequential).
    func layer(_ n: String) throws -> Layer { try model.getLayer(name: n) }
    let r = try layer("relu").apply(try layer("conv1_bn").apply(try layer("conv1").apply(x)))
    let sum = try layer("add").apply([r, r])[0]
    let want = try layer("head").apply(sum)
    XCTAssertEqual(try layer("head").className, "Sequential")
    XCTAssertEqual(y.shape, want.shape)
    XCTAssertEqual(try y.dataSync(), try want.dataSync())
  }

  func testUint8QuantizedKerasModelLoadsDequantizedWeights() throws {
    let dir = fixtureURL("extra/keras2_functional_uint8_quantized")
    let model = try ModelLoader.loadLayersModel(path: dir.appendingPathComponent("model.json").path)
    let root = try XCTUnwrap(
      ConfigValue.parseJSON(
        try Data(contentsOf: dir.appendingPathComponent("model.json"))
      ).object)
    let group = try WeightsIO.parseManifest(try XCTUnwrap(root["weightsManifest"]))[0]
    let spec = try XCTUnwrap(group.specs.first { $0.name == "conv1/kernel" })
    XCTAssertEqual(spec.quantization, "uint8")
    let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(group.paths[0])))
    let kernel = try model.getLayer(name: "conv1").getWeights()[0].dataSync()
    // conv1/kernel is first in the stream: value = code · scale + min, rounded to float32.
    for i in 0..<kernel.count {
      XCTAssertEqual(kernel[i], Float(Double(bytes[i]) * spec.scale! + spec.min!))
    }
    let y = try model.predict([try Tensor.randomUniform([2, 8, 8, 3], seed: 11)])[0]
    XCTAssertEqual(y.shape.first, 2)
    XCTAssertTrue(try y.dataSync().allSatisfy(\.isFinite))
  }

  func testTopologyOnlyConfigBuilds() throws {
    let url = fixtureURL("extra/keras2_sequential_cnn_model.json")
    let root = try XCTUnwrap(ConfigValue.parseJSON(try Data(contentsOf: url)).object)
    let model = try LayerRegistry.modelFromTopology(try XCTUnwrap(root["modelTopology"]))
    XCTAssertTrue(model is Sequential)
    XCTAssertEqual(model.outputs[0].shape.first, .some(nil))
  }

  func testMissingAndExtraWeightsAreReported() throws {
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(2)), ("inputShape", .ints([3])), ("name", .string("w"))))
    ])
    XCTAssertThrowsError(try model.loadWeights([("w/kernel", try Tensor.zeros([3, 2]))])) { e in
      XCTAssertEqual("\(e)", "1 of 2 weights are not set: [\"w/bias\"]")
    }
    XCTAssertThrowsError(
      try model.loadWeights([
        ("w/kernel", try Tensor.zeros([3, 2])), ("w/bias", try Tensor.zeros([2])),
        ("other/kernel", try Tensor.zeros([1])),
      ])
    ) { e in
      XCTAssertEqual("\(e)", "Provided weight data has no target variable: other/kernel")
    }
    // Scope prefixes are tolerated.
    try model.loadWeights([
      ("outer/w/kernel", try Tensor.ones([3, 2])),
      ("outer/w/bias", try Tensor.ones([2])),
    ])
    XCTAssertEqual(try model.getWeights()[1].dataSync(), [1, 1])
    XCTAssertThrowsError(try ModelLoader.loadLayersModel(path: fixtureURL("small_convnet").path)) {
      XCTAssertEqual(
        "\($0)",
        "The path to load from must be a file. Loading from a directory is "
          + "not supported.")
    }
  }

  func testOldSequentialListFormLoads() throws {
    // small_convnet rewritten as Keras 2.1 wrote Sequential configs: a bare list of layers.
    let src = fixtureURL("small_convnet/model")
    var root = try XCTUnwrap(
      ConfigValue.parseJSON(try Data(contentsOf: src.appendingPathComponent("model.json"))).object)
    var topology = try XCTUnwrap(root["modelTopology"]?.object)
    var modelConfig = try XCTUnwrap(topology["model_config"]?.object)
    let layers = try XCTUnwrap(modelConfig["config"]?.object?["layers"])
    modelConfig["config"] = layers
    topology["model_config"] = .object(modelConfig)
    root["modelTopology"] = .object(topology)
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("tl-list-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in try FileManager.default.contentsOfDirectory(atPath: src.path)
    where name != "model.json" {
      try FileManager.default.copyItem(
        at: src.appendingPathComponent(name), to: dir.appendingPathComponent(name))
    }
    try Data(ConfigValue.object(root).jsText.utf8).write(
      to: dir.appendingPathComponent("model.json"))
    let model = try ModelLoader.loadLayersModel(path: dir.appendingPathComponent("model.json").path)
    XCTAssertTrue(model is Sequential)
    let cases = try FixtureCases("small_convnet")
    try assertClose(
      try model.predict(try XCTUnwrap(cases.arrays["x"])), try XCTUnwrap(cases.arrays["y"]),
      atol: cases.atol, rtol: cases.rtol, "list-form small_convnet")
  }

  func testLoadingThroughAFetcher() throws {
    let dir = fixtureURL("small_convnet/model")
    var fetched: [String] = []
    let model = try ModelLoader.loadLayersModel(
      json: try Data(contentsOf: dir.appendingPathComponent("model.json")),
      source: "https://example.com/model.json"
    ) { path in
      fetched.append(path)
      return try Data(contentsOf: dir.appendingPathComponent(path))
    }
    XCTAssertFalse(fetched.isEmpty)
    let cases = try FixtureCases("small_convnet")
    try assertClose(
      try model.predict(try XCTUnwrap(cases.arrays["x"])), try XCTUnwrap(cases.arrays["y"]),
      atol: cases.atol, rtol: cases.rtol, "fetched small_convnet")
    let before = Engine.shared.registeredVariables.count
    XCTAssertThrowsError(
      try ModelLoader.loadLayersModel(
        json: try Data(contentsOf: dir.appendingPathComponent("model.json")), source: "m.json"
      ) { _ in Data([1, 2, 3]) })
    XCTAssertEqual(Engine.shared.registeredVariables.count, before)
  }

  func testFloat16AndUint16Decoding() throws {
    // 1.0, -2.0, 65504 as IEEE halves; uint16 codes 0 and 65535 over [-1, 1].
    let halves: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B]
    let specs = [
      WeightSpec(name: "h", shape: [3], dtype: "float32", quantization: "float16"),
      WeightSpec(
        name: "u", shape: [2], dtype: "float32", quantization: "uint16",
        scale: 2.0 / 65535, min: -1),
    ]
    let out = try WeightsIO.decode(specs, halves + [0, 0, 0xFF, 0xFF])
    XCTAssertEqual(try out[0].1.dataSync(), [1, -2, 65504])
    XCTAssertEqual(try out[1].1.dataSync(), [-1, 1])
    XCTAssertThrowsError(try WeightsIO.decode(specs, halves)) { e in
      XCTAssertTrue("\(e)".contains("too short"))
    }
  }
}

final class SavingTests: XCTestCase {
  func testSaveAndLoadRoundTrip() throws {
    let x = try input(shape: [6, 6, 2], name: "pic")
    let c = try Conv2D(
      args(
        ("filters", .int(3)), ("kernelSize", .int(3)), ("padding", .string("same")),
        ("activation", .string("hardSigmoid")), ("name", .string("conv"))))
    let bn = try BatchNormalization(args(("name", .string("bn"))))
    let h = try bn.apply(try c.apply(x))
    let pooled = try GlobalAveragePooling2D(args(("name", .string("gap")))).apply(h)
    let out = try Dense(args(("units", .int(2)), ("name", .string("out")))).apply(pooled)
    let model = try LayersModel(inputs: [x], outputs: [out], name: "saved")
    try bn.setWeights([
      try Tensor.fill([3], 2), try Tensor.fill([3], 0.1), try Tensor.fill([3], 0.3),
      try Tensor.fill([3], 4),
    ])
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "tl-save-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    defer { try? FileManager.default.removeItem(at: dir) }
    let info = try ModelSaver.save(model, directory: dir.path)
    XCTAssertEqual(info.weightDataBytes, 4 * (3 * 3 * 2 * 3 + 3 + 4 * 3 + 3 * 2 + 2))
    let text = try String(contentsOf: dir.appendingPathComponent("model.json"), encoding: .utf8)
    XCTAssertTrue(text.hasPrefix("{\"modelTopology\":{\"class_name\":\"Model\""), text)
    XCTAssertTrue(text.contains("\"activation\":\"hard_sigmoid\""))
    XCTAssertTrue(text.contains("\"inbound_nodes\":[[[\"conv\",0,0,{}]]]"))
    let loaded = try ModelLoader.loadLayersModel(
      path: dir.appendingPathComponent("model.json").path)
    XCTAssertEqual(loaded.layers.map(\.name), ["pic", "conv", "bn", "gap", "out"])
    let data = try Tensor.randomNormal([2, 6, 6, 2], seed: 5)
    XCTAssertEqual(try loaded.predict(data).dataSync(), try model.predict(data).dataSync())
    XCTAssertThrowsError(
      try ModelSaver.save(model, directory: dir.appendingPathComponent("model.json").path))
  }
}

final class ConfigRoundTripTests: XCTestCase {
  /// A cut model whose layers also belong to a bigger graph, with a nested model inside,
  /// survives toJSON → modelFromTopology with the same outputs.
  func testNodeIndicesAreRenumberedForSharedLayersAndNestedModels() throws {
    let inner = try Sequential(
      layers: [
        try Dense(args(("units", .int(3)), ("inputShape", .ints([4])), ("name", .string("in_d"))))
      ], name: "inner")
    let x = try input(shape: [4], name: "x")
    let shared = try Dense(args(("units", .int(4)), ("name", .string("shared"))))
    _ = try shared.apply(try input(shape: [4], name: "elsewhere"))  // node 0, outside the model
    let first = try shared.apply(x)
    _ = try shared.apply(first)  // a second call: node 1 of `shared`, outside the cut model
    let y = try inner.apply(first)
    let model = try LayersModel(inputs: [x], outputs: [y], name: "outer")
    let text = model.toJSON().jsText
    XCTAssertTrue(text.contains("[[\"inner\",1,0]]"), text)
    XCTAssertTrue(text.contains("\"inbound_nodes\":[[[\"shared\",0,0,{}]]]"), text)
    let copy = try LayerRegistry.modelFromTopology(try ConfigValue.parseJSON(Data(text.utf8)))
    try copy.setWeights(try model.getWeights())
    let data = try Tensor.randomNormal([3, 4], seed: 2)
    XCTAssertEqual(try copy.predict(data).dataSync(), try model.predict(data).dataSync())
  }
}
