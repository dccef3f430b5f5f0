// Building models in code: Sequential and functional graphs, names, layer
// lookup, weights and freezing, summary text, and TF.js's error messages.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

/// Layer args from pairs.
func args(_ pairs: (String, ConfigValue)...) -> ConfigObject { ConfigObject(pairs) }

final class ModelAPITests: XCTestCase {
  func testDefaultNamesFollowTFJS() throws {
    let a = try Dense(args(("units", .int(2))))
    let b = try Dense(args(("units", .int(2))))
    XCTAssertTrue(a.name.hasPrefix("dense_Dense"))
    let na = Int(a.name.dropFirst("dense_Dense".count))!
    XCTAssertEqual(b.name, "dense_Dense\(na + 1)")
    XCTAssertTrue(try MaxPooling2D(ConfigObject()).name.hasPrefix("max_pooling2d_MaxPooling2D"))
    XCTAssertTrue(try ReLU(ConfigObject()).name.hasPrefix("re_lu_ReLU"))
    XCTAssertTrue(try Sequential().name.hasPrefix("sequential_"))
    let x = try input(shape: [3])
    XCTAssertTrue(x.sourceLayer.name.hasPrefix("input"))
    XCTAssertEqual(x.shape, [nil, 3])
  }

  func testSequentialSummaryMatchesTFJSText() throws {
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(32)), ("inputShape", .ints([784])), ("name", .string("d1")))),
      try Dense(args(("units", .int(10)), ("name", .string("d2")))),
    ])
    XCTAssertEqual(model.inputs[0].sourceLayer.name, "d1_input")
    XCTAssertEqual(model.layers.map(\.name), ["d1", "d2"])
    let want = [
      String(repeating: "_", count: 90),
      "Layer (type)                Input Shape               Output shape              Param #   ",
      String(repeating: "=", count: 90),
      "d1 (Dense)                  [[null,784]]              [null,32]                 25120     ",
      String(repeating: "_", count: 90),
      "d2 (Dense)                  [[null,32]]               [null,10]                 330       ",
      String(repeating: "=", count: 90),
      "Total params: 25450", "Trainable params: 25450", "Non-trainable params: 0",
      String(repeating: "_", count: 90),
    ]
    XCTAssertEqual(try model.summary(), want)
  }

  func testBranchingModelSummaryHasConnections() throws {
    let x = try input(shape: [4], name: "in_a")
    let d1 = try Dense(args(("units", .int(3)), ("name", .string("left"))))
    let d2 = try Dense(args(("units", .int(3)), ("name", .string("right"))))
    let sum = try Add(args(("name", .string("sum")))).apply([try d1.apply(x), try d2.apply(x)])
    let model = try LayersModel(inputs: [x], outputs: sum)
    let lines = try model.summary()
    XCTAssertEqual(lines[0].count, 115)
    XCTAssertTrue(lines[1].hasSuffix("Receives inputs        "))
    let sumRow = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("sum (Add)") })
    XCTAssertEqual(
      lines[sumRow],
      "sum (Add)                  [[null,3],[null,3]]         [null,3]                 0"
        + "           left[0][0]             ")
    XCTAssertEqual(lines[sumRow + 1].trimmingCharacters(in: .whitespaces), "right[0][0]")
    XCTAssertEqual(model.layers.map(\.name), ["in_a", "left", "right", "sum"])
  }

  func testFunctionalMultiInputOutputAndSharedLayer() throws {
    let a = try input(shape: [2], name: "a")
    let b = try input(shape: [2], name: "b")
    let shared = try Dense(
      args(
        ("units", .int(2)), ("useBias", .bool(false)),
        ("kernelInitializer", .string("ones")), ("name", .string("shared"))))
    let ya = try shared.apply(a)
    let yb = try shared.apply(b)
    let cat = try Concatenate(args(("name", .string("cat")))).apply([ya, yb])[0]
    let model = try LayersModel(inputs: [a, b], outputs: [cat, yb])
    XCTAssertEqual(cat.shape, [nil, 4])
    XCTAssertEqual(model.weights.count, 1)
    let outs = try model.predict([
      try Tensor.tensor([1, 2], shape: [1, 2]),
      try Tensor.tensor([3, 4], shape: [1, 2]),
    ])
    XCTAssertEqual(try outs[0].dataSync(), [3, 3, 7, 7])
    XCTAssertEqual(try outs[1].dataSync(), [7, 7])
    XCTAssertThrowsError(try shared.output) { e in
      XCTAssertTrue("\(e)".contains("multiple inbound nodes"))
    }
  }

  func testGetLayerErrorsListNames() throws {
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(1)), ("inputShape", .ints([2])), ("name", .string("only"))))
    ])
    XCTAssertTrue(try model.getLayer(name: "only") === model.layers[0])
    XCTAssertThrowsError(try model.getLayer(name: "nope")) { e in
      XCTAssertEqual("\(e)", "No such layer: nope. Layers in this model: only")
    }
    XCTAssertThrowsError(try model.getLayer(name: "onyl")) { e in
      XCTAssertEqual("\(e)", "No such layer: onyl. Did you mean only? Layers in this model: only")
    }
    XCTAssertThrowsError(try model.getLayer(index: 3))
  }

  func testFirstLayerNeedsInputShape() throws {
    let model = try Sequential()
    XCTAssertThrowsError(try model.add(try Dense(args(("units", .int(1)))))) { e in
      XCTAssertEqual(
        "\(e)",
        "The first layer in a Sequential model must get an `inputShape` or "
          + "`batchInputShape` argument.")
    }
    XCTAssertTrue(model.layers.isEmpty)
  }

  func testPredictShapeMismatchNamesTheInput() throws {
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(2)), ("inputShape", .ints([1664])), ("name", .string("head"))))
    ])
    XCTAssertThrowsError(try model.predict([try Tensor.zeros([130, 1000])])) { e in
      XCTAssertEqual(
        "\(e)",
        "Error when checking input: expected head_input to have shape "
          + "[null,1664] but got array with shape [130,1000].")
    }
  }

  func testFitErrorsLeaveModelUnchanged() throws {
    let model = try Sequential(layers: [
      try Dense(args(("units", .int(1)), ("inputShape", .ints([2]))))
    ])
    let before = try model.getWeights().map { try $0.dataSync() }
    let x = try Tensor.zeros([4, 2])
    let y = try Tensor.zeros([3, 1])
    XCTAssertThrowsError(try model.fit([x], [try Tensor.zeros([4, 1])])) { e in
      XCTAssertTrue("\(e)".hasPrefix("You must compile a model before training/testing."))
    }
    try model.compile(optimizer: "sgd", loss: [.name("meanSquaredError")])
    XCTAssertThrowsError(try model.fit([x], [y])) { e in
      XCTAssertEqual(
        "\(e)",
        "Input Tensors should have the same number of samples as target "
          + "Tensors. Found 4 input sample(s) and 3 target sample(s).")
    }
    XCTAssertThrowsError(try model.compile(optimizer: "sgd", loss: [.name("mse")])) { e in
      XCTAssertEqual("\(e)", "Unknown loss mse. Did you mean 'meanSquaredError'?")
    }
    XCTAssertEqual(try model.getWeights().map { try $0.dataSync() }, before)
  }

  func testWeightsOrderFreezeAndSetWeights() throws {
    let x = try input(shape: [2, 2, 3])
    let conv = try Conv2D(args(("filters", .int(2)), ("kernelSize", .int(1))))
    let bn = try BatchNormalization(ConfigObject())
    let model = try LayersModel(inputs: [x], outputs: [try bn.apply(try conv.apply(x))])
    XCTAssertEqual(
      model.weights.map { String($0.originalName.split(separator: "/").last!) },
      ["kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"])
    XCTAssertEqual(model.trainableWeights.count, 4)
    conv.trainable = false
    XCTAssertEqual(model.trainableWeights.count, 2)
    XCTAssertEqual(model.nonTrainableWeights.count, 4)
    model.trainable = false
    XCTAssertEqual(model.trainableWeights.count, 0)
    XCTAssertThrowsError(try conv.setWeights([try Tensor.zeros([1, 1, 3, 2])])) { e in
      XCTAssertTrue("\(e)".contains("expecting 2 weights"))
    }
    try conv.setWeights([try Tensor.ones([1, 1, 3, 2]), try Tensor.fill([2], 0.5)])
    XCTAssertEqual(try conv.getWeights()[1].dataSync(), [0.5, 0.5])
  }

  func testUnknownLayerAndActivationInConfig() throws {
    let bad = try ConfigValue.parseJSON(
      Data(
        """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "name": "i"}},
          {"class_name": "Frobnicate", "config": {"name": "f"}}]}}
        """.utf8))
    XCTAssertThrowsError(try LayerRegistry.modelFromTopology(bad)) { e in
      XCTAssertTrue("\(e)".hasPrefix("Unknown layer: Frobnicate."))
    }
    let badAct = try ConfigValue.parseJSON(
      Data(
        """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Dense", "config": {"units": 2, "activation": "zigzag",
           "batch_input_shape": [null, 3], "name": "d"}}]}}
        """.utf8))
    XCTAssertThrowsError(try LayerRegistry.modelFromTopology(badAct)) { e in
      XCTAssertTrue("\(e)".contains("Unknown activation: zigzag"), "\(e)")
      XCTAssertTrue("\(e)".contains("layer d (Dense)"), "\(e)")
    }
  }

  func testToJSONRoundTrips() throws {
    let model = try Sequential(
      layers: [
        try Conv2D(
          args(
            ("filters", .int(2)), ("kernelSize", .int(3)), ("inputShape", .ints([5, 5, 1])),
            ("activation", .string("relu")), ("name", .string("c")))),
        try Flatten(args(("name", .string("f")))),
        try Dense(
          args(("units", .int(3)), ("activation", .string("softmax")), ("name", .string("d")))),
      ], name: "rt")
    let json = model.toJSON()
    let text = json.jsText
    XCTAssertTrue(text.contains("\"class_name\":\"Sequential\""), text)
    XCTAssertTrue(text.contains("\"kernel_size\":[3,3]"), text)
    let copy = try LayerRegistry.modelFromTopology(try ConfigValue.parseJSON(Data(text.utf8)))
    XCTAssertEqual(copy.layers.map(\.className), ["Conv2D", "Flatten", "Dense"])
    XCTAssertEqual(try copy.countParams(), try model.countParams())
    try copy.setWeights(try model.getWeights())
    let x = try Tensor.randomUniform([2, 5, 5, 1], seed: 3)
    XCTAssertEqual(try copy.predict([x])[0].dataSync(), try model.predict([x])[0].dataSync())
  }

  func testPredictDoesNotLeakTensors() throws {
    let model = try Sequential(layers: [
      try Dense(
        args(("units", .int(4)), ("inputShape", .ints([3])), ("activation", .string("relu")))),
      try Dropout(args(("rate", .number(0.5)))),
      try Dense(args(("units", .int(2)))),
    ])
    let x = try Tensor.randomNormal([70, 3], seed: 1)
    _ = try model.predict([x], batchSize: 32)[0].dispose()
    let before = Engine.shared.memory.numTensors
    let y = try model.predict([x], batchSize: 32)[0]
    XCTAssertEqual(y.shape, [70, 2])
    y.dispose()
    XCTAssertEqual(Engine.shared.memory.numTensors, before)
  }
}

final class LayerMemoryTests: XCTestCase {
  func testBuildingAndDisposingCountsOnlyTheWeights() throws {
    let before = Engine.shared.memory.numTensors
    let d = try Dense(args(("units", .int(3)), ("inputShape", .ints([2]))))
    _ = try d.apply(try input(shape: [2]))
    XCTAssertEqual(Engine.shared.memory.numTensors, before + 2)
    d.dispose()
    XCTAssertEqual(Engine.shared.memory.numTensors, before)
  }
}
