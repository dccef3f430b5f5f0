// Each layer family on small inputs with hand-computed answers, plus shape
// inference and configs.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class LayerTests: XCTestCase {
  func t(_ v: [Float], _ s: [Int]) throws -> Tensor { try Tensor.tensor(v, shape: s) }

  /// Applies a layer symbolically (shape) and eagerly (values).
  func run(_ layer: Layer, _ x: Tensor, training: Bool = false) throws -> ([Int?], [Float], [Int]) {
    let sym = try input(shape: x.shape.dropFirst().map { Optional($0) })
    let out = try layer.apply(sym)
    let y = try layer.apply(x, training: training)
    return (out.shape, try y.dataSync(), y.shape)
  }

  func testDenseOnRank3AndConfig() throws {
    let d = try Dense(
      args(
        ("units", .int(2)), ("kernelInitializer", .string("ones")),
        (
          "biasInitializer",
          .object(
            ConfigObject([
              ("className", .string("Constant")),
              ("config", .object(ConfigObject([("value", .number(0.5))]))),
            ]))
        ), ("activation", .string("relu"))))
    let (shape, values, real) = try run(d, try t([1, 2, -5, 1], [1, 2, 2]))
    XCTAssertEqual(shape, [nil, 2, 2])
    XCTAssertEqual(real, [1, 2, 2])
    XCTAssertEqual(values, [3.5, 3.5, 0, 0])
    let c = d.getConfig()
    XCTAssertEqual(c["units"]?.number, 2)
    XCTAssertEqual(c["activation"]?.string, "relu")
    XCTAssertEqual(c["kernelInitializer"]?.object?["className"]?.string, "Ones")
    XCTAssertThrowsError(try d.apply(try t([1, 2, 3], [1, 3]))) { e in
      XCTAssertTrue("\(e)".contains("expected axis -1 of input shape to have value 2"), "\(e)")
    }
  }

  func testFlattenReshapeAndErrors() throws {
    let (s1, v1, _) = try run(try Flatten(ConfigObject()), try t([1, 2, 3, 4, 5, 6], [1, 3, 2]))
    XCTAssertEqual(s1, [nil, 6])
    XCTAssertEqual(v1, [1, 2, 3, 4, 5, 6])
    let (s2, _, r2) = try run(
      try Reshape(args(("targetShape", .ints([-1, 2])))),
      try t([1, 2, 3, 4, 5, 6], [1, 6]))
    XCTAssertEqual(s2, [nil, 3, 2])
    XCTAssertEqual(r2, [1, 3, 2])
    XCTAssertThrowsError(
      try Reshape(args(("targetShape", .ints([4])))).apply(
        try input(shape: [6]))
    ) { e in
      XCTAssertEqual("\(e)", "Total size of new array must be unchanged.")
    }
    XCTAssertThrowsError(try Flatten(ConfigObject()).apply(try input(shape: [nil, 3]))) { e in
      XCTAssertTrue("\(e)".hasPrefix("The shape of the input to \"Flatten\" is not fully defined"))
    }
  }

  func testDropoutOnlyWhileTraining() throws {
    let d = try Dropout(args(("rate", .number(0.5)), ("seed", .number(1))))
    let x = try Tensor.ones([1, 100])
    XCTAssertEqual(try d.apply(x).dataSync(), [Float](repeating: 1, count: 100))
    let dropped = try d.apply(x, training: true).dataSync()
    XCTAssertTrue(dropped.allSatisfy { $0 == 0 || $0 == 2 })
    XCTAssertTrue(dropped.contains(0) && dropped.contains(2))
  }

  func testActivationsByName() throws {
    let x = try t([-1, 0, 2], [1, 3])
    func act(_ name: String) throws -> [Float] {
      try ActivationLayer(args(("activation", .string(name)))).apply(x).dataSync()
    }
    XCTAssertEqual(try act("linear"), [-1, 0, 2])
    XCTAssertEqual(try act("relu"), [0, 0, 2])
    XCTAssertEqual(try act("hardSigmoid"), [0.3, 0.5, 0.9])
    XCTAssertEqual(try act("softsign"), [-0.5, 0, 2.0 / 3])
    XCTAssertEqual(try act("relu6")[2], 2)
    let swish = try act("swish")
    XCTAssertEqual(swish[2], 2 / (1 + Foundation.exp(-2)), accuracy: 1e-6)
    let mish = try act("mish")
    XCTAssertEqual(
      mish[0], -1 * Foundation.tanh(Foundation.log(1 + Foundation.exp(-1))), accuracy: 1e-6)
    let sm = try act("softmax")
    XCTAssertEqual(sm.reduce(0, +), 1, accuracy: 1e-6)
    for name in Activation.names { XCTAssertNoThrow(try act(name), name) }
    XCTAssertThrowsError(try Activation.named("nope"))
  }

  func testAdvancedActivations() throws {
    let x = try t([-2, -0.5, 3, 8], [1, 4])
    XCTAssertEqual(try ReLU(args(("maxValue", .number(6)))).apply(x).dataSync(), [0, 0, 3, 6])
    XCTAssertEqual(
      try ReLU(args(("maxValue", .number(2.5)))).apply(x).dataSync(), [0, 0, 2.5, 2.5])
    XCTAssertEqual(try LeakyReLU(ConfigObject()).apply(x).dataSync(), [-0.6, -0.15, 3, 8])
    let elu = try ELU(args(("alpha", .number(2)))).apply(x).dataSync()
    XCTAssertEqual(elu[0], 2 * (Foundation.exp(-2) - 1), accuracy: 1e-6)
    XCTAssertEqual(elu[3], 8)
    XCTAssertEqual(try SoftmaxLayer(ConfigObject()).apply(x).sum().scalarValue(), 1, accuracy: 1e-6)
  }

  func testConvolutionShapesAndValues() throws {
    // 1×3×3×1 ramp, 2×2 kernel of ones: sums of 2×2 windows.
    let x = try t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])
    let conv = try Conv2D(
      args(
        ("filters", .int(1)), ("kernelSize", .int(2)),
        ("kernelInitializer", .string("ones")), ("useBias", .bool(false))))
    let (s, v, _) = try run(conv, x)
    XCTAssertEqual(s, [nil, 2, 2, 1])
    XCTAssertEqual(v, [12, 16, 24, 28])
    let same = try Conv2D(
      args(
        ("filters", .int(3)), ("kernelSize", .int(3)), ("strides", .int(2)),
        ("padding", .string("same"))))
    XCTAssertEqual(try same.apply(try input(shape: [7, 7, 2])).shape, [nil, 4, 4, 3])
    let dw = try DepthwiseConv2D(
      args(
        ("kernelSize", .int(2)), ("depthMultiplier", .int(2)),
        ("depthwiseInitializer", .string("ones"))))
    let (ds, dv, _) = try run(dw, x)
    XCTAssertEqual(ds, [nil, 2, 2, 2])
    XCTAssertEqual(dv, [12, 12, 16, 16, 24, 24, 28, 28])
    XCTAssertEqual(dw.weights.map(\.shape), [[2, 2, 1, 2], [2]])
    let sep = try SeparableConv2D(
      args(
        ("filters", .int(1)), ("kernelSize", .int(2)),
        ("depthwiseInitializer", .string("ones")),
        ("pointwiseInitializer", .string("ones"))))
    XCTAssertEqual(try run(sep, x).1, [12, 16, 24, 28])
    XCTAssertEqual(
      sep.weights.map { String($0.originalName.split(separator: "/").last!) },
      ["depthwise_kernel", "pointwise_kernel", "bias"])
    let tr = try Conv2DTranspose(
      args(
        ("filters", .int(1)), ("kernelSize", .int(2)),
        ("strides", .int(2)), ("kernelInitializer", .string("ones"))))
    let (ts, tv, _) = try run(tr, try t([1, 2, 3, 4], [1, 2, 2, 1]))
    XCTAssertEqual(ts, [nil, 4, 4, 1])
    XCTAssertEqual(tv, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    let c1 = try Conv1D(
      args(
        ("filters", .int(1)), ("kernelSize", .int(2)),
        ("padding", .string("causal")), ("kernelInitializer", .string("ones"))))
    let (cs, cv, _) = try run(c1, try t([1, 2, 3], [1, 3, 1]))
    XCTAssertEqual(cs, [nil, 3, 1])
    XCTAssertEqual(cv, [1, 3, 5])
    XCTAssertThrowsError(
      try Conv2D(
        args(
          ("filters", .int(1)), ("kernelSize", .int(2)),
          ("padding", .string("full")))))
  }

  func testPooling() throws {
    let x = try t([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1])
    XCTAssertEqual(try run(try MaxPooling2D(ConfigObject()), x).1, [6, 8, 14, 16])
    XCTAssertEqual(try run(try AveragePooling2D(ConfigObject()), x).1, [3.5, 5.5, 11.5, 13.5])
    let (gs, gv, _) = try run(try GlobalAveragePooling2D(ConfigObject()), x)
    XCTAssertEqual(gs, [nil, 1])
    XCTAssertEqual(gv, [8.5])
    XCTAssertEqual(try run(try GlobalMaxPooling2D(ConfigObject()), x).1, [16])
    let keep = try GlobalAveragePooling2D(args(("keepdims", .bool(true))))
    XCTAssertEqual(try run(keep, x).0, [nil, 1, 1, 1])
    let seq = try t([1, 5, 2, 8, 3, 0], [1, 6, 1])
    XCTAssertEqual(try run(try MaxPooling1D(ConfigObject()), seq).1, [5, 8, 3])
    XCTAssertEqual(
      try run(try AveragePooling1D(args(("poolSize", .int(3)))), seq).1, [8.0 / 3, 11.0 / 3])
    XCTAssertEqual(try run(try GlobalAveragePooling1D(ConfigObject()), seq).1, [19.0 / 6])
    XCTAssertEqual(
      try MaxPooling2D(args(("padding", .string("same")))).apply(
        try input(shape: [5, 5, 2])
      ).shape, [nil, 3, 3, 2])
  }

  func testBatchNormalizationInferenceAndTraining() throws {
    let bn = try BatchNormalization(args(("momentum", .number(0.5)), ("epsilon", .number(0))))
    let x = try t([1, 10, 3, 30], [2, 2])
    XCTAssertEqual(try bn.apply(x).dataSync(), [1, 10, 3, 30])
    let y = try bn.apply(x, training: true).dataSync()
    for (a, b) in zip(y, [Float(-1), -1, 1, 1]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    let stats = try bn.getWeights()
    XCTAssertEqual(try stats[2].dataSync(), [1, 10])  // 0.5 · 0 + 0.5 · mean
    XCTAssertEqual(try stats[3].dataSync(), [1, 50.5])  // 0.5 · 1 + 0.5 · batch variance
    let axis1 = try BatchNormalization(args(("axis", .ints([1])), ("epsilon", .number(0))))
    _ = try axis1.apply(try input(shape: [2, 3]))
    try axis1.setWeights([
      try Tensor.ones([2]), try Tensor.zeros([2]), try t([1, 2], [2]),
      try t([4, 1], [2]),
    ])
    XCTAssertEqual(
      try axis1.apply(try t([3, 3, 3, 4, 4, 4], [1, 2, 3])).dataSync(), [1, 1, 1, 2, 2, 2])
  }

  func testPaddingCroppingUpSamplingRescaling() throws {
    let x = try t([1, 2, 3, 4], [1, 2, 2, 1])
    let pad = try ZeroPadding2D(args(("padding", .array([.ints([0, 1]), .ints([1, 0])]))))
    let (ps, pv, _) = try run(pad, x)
    XCTAssertEqual(ps, [nil, 3, 3, 1])
    XCTAssertEqual(pv, [0, 1, 2, 0, 3, 4, 0, 0, 0])
    let crop = try Cropping2D(args(("cropping", .array([.ints([1, 0]), .ints([0, 1])]))))
    XCTAssertEqual(try run(crop, x).1, [3])
    let up = try UpSampling2D(ConfigObject())
    let (us, uv, _) = try run(up, x)
    XCTAssertEqual(us, [nil, 4, 4, 1])
    XCTAssertEqual(Array(uv.prefix(8)), [1, 1, 2, 2, 1, 1, 2, 2])
    let rs = try Rescaling(args(("scale", .number(1.0 / 127.5)), ("offset", .number(-1))))
    XCTAssertEqual(try rs.apply(try t([0, 127.5, 255], [1, 3])).dataSync(), [-1, 0, 1])
  }

  func testMergeLayers() throws {
    let a = try t([1, 5], [1, 2])
    let b = try t([3, 2], [1, 2])
    XCTAssertEqual(try Add(ConfigObject()).apply([a, b])[0].dataSync(), [4, 7])
    XCTAssertEqual(try Multiply(ConfigObject()).apply([a, b])[0].dataSync(), [3, 10])
    XCTAssertEqual(try Average(ConfigObject()).apply([a, b])[0].dataSync(), [2, 3.5])
    XCTAssertEqual(try Maximum(ConfigObject()).apply([a, b])[0].dataSync(), [3, 5])
    XCTAssertEqual(try Concatenate(ConfigObject()).apply([a, b])[0].dataSync(), [1, 5, 3, 2])
    XCTAssertThrowsError(try Add(ConfigObject()).apply([a])) { e in
      XCTAssertEqual(
        "\(e)",
        "A merge layer should be called on an Array of at least 2 inputs. "
          + "Got 1 input(s).")
    }
    let p = try input(shape: [2, 3])
    let q = try input(shape: [2, 4])
    XCTAssertEqual(try Concatenate(ConfigObject()).apply([p, q])[0].shape, [nil, 2, 7])
    XCTAssertThrowsError(try Add(ConfigObject()).apply([p, q]))
  }

  func testInitializersAndRegularizers() throws {
    let g1 = try Initializer.named("glorotUniform", seed: 7).apply([20, 30]).dataSync()
    let g2 = try Initializer.named("glorotUniform", seed: 7).apply([20, 30]).dataSync()
    XCTAssertEqual(g1, g2)
    let limit = Float((6.0 / 50).squareRoot())
    XCTAssertTrue(g1.allSatisfy { Swift.abs($0) <= limit })
    let he = try Initializer.named("heNormal", seed: 3).apply([200, 50]).dataSync()
    let sd = Float((2.0 / 200).squareRoot())
    XCTAssertTrue(he.allSatisfy { Swift.abs($0) <= 2 * sd + 1e-6 }, "truncated at 2σ")
    let q = try Initializer.orthogonal(seed: 2).apply([4, 3]).dataSync()
    for i in 0..<3 {
      for j in 0..<3 {
        let dot = (0..<4).reduce(Float(0)) { $0 + q[$1 * 3 + i] * q[$1 * 3 + j] }
        XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5)
      }
    }
    XCTAssertEqual(try Initializer.identity(gain: 2).apply([2, 2]).dataSync(), [2, 0, 0, 2])
    for name in [
      "zeros", "ones", "glorotNormal", "heUniform", "leCunNormal", "varianceScaling",
      "randomNormal", "randomUniform", "truncatedNormal", "orthogonal", "constant",
    ] {
      XCTAssertNoThrow(try Initializer.named(name).apply([3, 3]), name)
    }
    let reg = try XCTUnwrap(
      Regularizer.from(
        .object(
          ConfigObject([
            ("className", .string("L2")), ("config", .object(ConfigObject([("l2", .number(0.5))]))),
          ]))))
    XCTAssertEqual(try reg.apply(try t([1, -2], [2])).scalarValue(), 2.5)
    XCTAssertEqual(try Regularizer(l1: 1).apply(try t([1, -2], [2])).scalarValue(), 3)
    let d = try Dense(
      args(
        ("units", .int(1)), ("kernelInitializer", .string("ones")),
        ("kernelRegularizer", .opaque(Regularizer(l2: 1)))))
    _ = try d.apply(try Tensor.ones([1, 3]))
    XCTAssertEqual(try d.regularizationLosses().map { try $0.scalarValue() }, [3])
  }

  func testConfigCaseConversion() throws {
    XCTAssertEqual(toCamelCase("batch_input_shape"), "batchInputShape")
    XCTAssertEqual(toCamelCase("a__b"), "aB")
    XCTAssertEqual(toSnakeCase("MaxPooling2D"), "max_pooling2d")
    XCTAssertEqual(toSnakeCase("batchInputShape"), "batch_input_shape")
    XCTAssertEqual(toSnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
    let v = try ConfigValue.parseJSON(
      Data(
        #"""
        {"inbound_nodes": [[["conv_1", 0, 0, {}]]], "name": "my_layer", "mode": "fan_avg"}
        """#.utf8)
    ).camelCased()
    XCTAssertEqual(
      v.jsText, #"{"inboundNodes":[[["conv_1",0,0,{}]]],"name":"my_layer","mode":"fanAvg"}"#)
  }
}

final class MoreLayerTests: XCTestCase {
  func testEmbeddingPermuteRepeatVector() throws {
    let e = try LayerFactory.make(
      "embedding",
      args(("inputDim", .int(3)), ("outputDim", .int(2)), ("inputLength", .int(2))))
    XCTAssertEqual(try e.apply(try input(shape: [2])).shape, [nil, 2, 2])
    try e.setWeights([try Tensor.tensor([0, 1, 10, 11, 20, 21], shape: [3, 2])])
    let y = try e.apply(try Tensor.tensor([2, 0, 1, 1], shape: [2, 2]))
    XCTAssertEqual(y.shape, [2, 2, 2])
    XCTAssertEqual(try y.dataSync(), [20, 21, 0, 1, 10, 11, 10, 11])
    let p = try LayerFactory.make("permute", args(("dims", .ints([2, 1]))))
    let t = try p.apply(try Tensor.tensor([1, 2, 3, 4, 5, 6], shape: [1, 2, 3]))
    XCTAssertEqual(t.shape, [1, 3, 2])
    XCTAssertEqual(try t.dataSync(), [1, 4, 2, 5, 3, 6])
    XCTAssertThrowsError(try LayerFactory.make("permute", args(("dims", .ints([0, 1])))))
    let r = try LayerFactory.make("repeatVector", args(("n", .int(2))))
    XCTAssertEqual(try r.apply(try input(shape: [3])).shape, [nil, 2, 3])
    XCTAssertEqual(
      try r.apply(try Tensor.tensor([1, 2], shape: [1, 2])).dataSync(), [1, 2, 1, 2])
  }

  func testLayerNormalization() throws {
    let ln = try LayerFactory.make("layerNormalization", args(("epsilon", .number(0))))
    let y = try ln.apply(try Tensor.tensor([1, 3, 10, 30], shape: [2, 2])).dataSync()
    for (a, b) in zip(y, [Float(-1), 1, -1, 1]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    XCTAssertEqual(ln.weights.map(\.shape), [[2], [2]])
  }
}
