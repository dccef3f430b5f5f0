// Tensor-level NN ops: values against the kernel references, TF.js's error
// messages, tape records, memory, and MobileNet v1 0.25 built from the ops.

import Foundation
import XCTest
@testable import TensorEngine

final class KernelOpTests: XCTestCase {
  private var random = TestRandom(seed: 99)

  private func tensor(_ shape: [Int]) throws -> Tensor {
    try Tensor.tensor(random.floats(shape.reduce(1, *)), shape: shape)
  }

  func testConv2dMatchesReferenceAndAcceptsRank3() throws {
    let x = try tensor([2, 7, 6, 3])
    let f = try tensor([3, 3, 3, 5])
    let y = try x.conv2d(f, strides: [2], padding: .same)
    let g = Conv2DGeometry(inShape: x.shape, filterShape: f.shape, strides: (2, 2), padding: .same)
    XCTAssertEqual(y.shape, [2, 4, 3, 5])
    assertClose(try y.dataSync(), referenceConv(x.values, f.values, g))
    let single = try x.slice([0, 0, 0, 0], [1, 7, 6, 3]).reshape([7, 6, 3])
    let y3 = try single.conv2d(f, strides: [2, 2], padding: .same)
    XCTAssertEqual(y3.shape, [4, 3, 5])
    assertClose(try y3.dataSync(), Array(try y.dataSync()[0..<60]))
  }

  func testConvolutionErrorsUseTFJSMessages() throws {
    let x = try tensor([1, 5, 5, 3])
    assertThrows("Error in conv2d: depth of input (3) must match input depth for filter 4.") {
      try x.conv2d(try self.tensor([3, 3, 4, 2]), strides: [1], padding: .same)
    }
    assertThrows("Argument 'x' passed to 'conv2d' must be float32 tensor, but got int32 tensor") {
      try Tensor.zeros([1, 5, 5, 3], dtype: .int32).conv2d(
        try self.tensor([3, 3, 3, 2]), strides: [1], padding: .same)
    }
    assertThrows("Error in conv2d: input must be rank 4, but got rank 2.") {
      try Tensor.zeros([5, 3]).conv2d(try self.tensor([3, 3, 3, 2]), strides: [1], padding: .same)
    }
    assertThrows("Error in conv2d: filter must be rank 4, but got rank 3.") {
      try x.conv2d(try self.tensor([3, 3, 3]), strides: [1], padding: .same)
    }
    assertThrows(
      "Error in conv2D: Either strides or dilations must be 1. Got strides 2,2 and dilations '2,2'"
    ) { try x.conv2d(try self.tensor([3, 3, 3, 2]), strides: [2], padding: .same, dilations: [2]) }
    assertThrows(
      "Error in conv2d: pad must be an integer when using dimRoundingMode floor but got pad same."
    ) {
      try x.conv2d(try self.tensor([3, 3, 3, 2]), strides: [1], padding: .same, dimRoundingMode: .floor)
    }
    assertThrows(
      "Error in depthwiseConv2d: number of input channels (3) must match the inChannels dimension "
        + "in filter 2."
    ) { try x.depthwiseConv2d(try self.tensor([3, 3, 2, 1]), strides: [1], padding: .same) }
    assertThrows("Error in maxPool: input must be rank 4 but got rank 2.") {
      try Tensor.zeros([4, 4]).maxPool(filterSize: [2], strides: [2], padding: .valid)
    }
    assertThrows("Error in resizeBilinear: If halfPixelCenters is true, alignCorners must be false.") {
      try x.resizeBilinear(size: [2, 2], alignCorners: true, halfPixelCenters: true)
    }
    assertThrows("Error in resizeBilinear: new shape must 2D, but got shape 2.") {
      try x.resizeBilinear(size: [2])
    }
    assertThrows("Error in flipLeftRight: image must be rank 4,but got rank 3.") {
      try Tensor.zeros([2, 2, 1]).flipLeftRight()
    }
    assertThrows("Batch normalization gradient requires mean and variance to have equal ranks.") {
      try x.batchNorm(mean: try Tensor.zeros([3]), variance: try Tensor.ones([1, 3]))
    }
    // A filter larger than the input under 'valid' padding: empty at the edge, then an error.
    XCTAssertEqual(try Tensor.zeros([1, 2, 2, 1]).conv2d(
      try Tensor.zeros([3, 3, 1, 1]), strides: [1], padding: .valid).shape, [1, 0, 0, 1])
    XCTAssertThrowsError(try Tensor.zeros([1, 1, 1, 1]).conv2d(
      try Tensor.zeros([3, 3, 1, 1]), strides: [1], padding: .valid))
  }

  func testPaddingFromTFJSArguments() throws {
    XCTAssertEqual(try ConvPadding(tfjsName: "same"), .same)
    XCTAssertEqual(
      try ConvPadding(tfjsExplicit: [[0, 0], [1, 2], [3, 4], [0, 0]]),
      .explicit(top: 1, bottom: 2, left: 3, right: 4))
    assertThrows("Unknown padding parameter: full") { try ConvPadding(tfjsName: "full") }
    XCTAssertThrowsError(try ConvPadding(tfjsExplicit: [[1, 2]]))
  }

  func testOpsRecordOnTheTapeWithGradientAttributes() throws {
    let x = try tensor([1, 6, 6, 2])
    let f = try tensor([3, 3, 2, 4])
    Engine.shared.tapeDepth += 1
    defer {
      Engine.shared.tapeDepth -= 1
      Engine.shared.tape.removeAll()
    }
    let start = Engine.shared.tape.count
    _ = try x.conv2d(f, strides: [2], padding: .explicit(top: 1, bottom: 0, left: 2, right: 1))
    _ = try x.maxPool(filterSize: [3], strides: [2], padding: .same)
    let nodes = Array(Engine.shared.tape[start...])
    XCTAssertEqual(nodes.map(\.name), ["Conv2D", "MaxPool"])
    XCTAssertEqual(nodes[0].attrs.padding, .explicit(top: 1, bottom: 0, left: 2, right: 1))
    XCTAssertEqual(nodes[0].attrs.ints("strides"), [2, 2])
    XCTAssertEqual(nodes[1].attrs.ints("filterSize"), [3, 3])
    XCTAssertEqual(nodes[1].attrs.padding, .same)
  }

  func testBackpropOpsAreAdjointsOfTheForwardOps() throws {
    let x = try tensor([2, 7, 7, 3])
    let f = try tensor([3, 3, 3, 4])
    let y = try x.conv2d(f, strides: [2], padding: .same)
    let dy = try tensor(y.shape)
    let dx = try Tensor.conv2dBackpropInput(
      inputShape: x.shape, dy: dy, filter: f, strides: [2], padding: .same)
    let df = try Tensor.conv2dBackpropFilter(
      x: x, dy: dy, filterShape: f.shape, strides: [2], padding: .same)
    let forward = dot(y.values, dy.values)
    XCTAssertEqual(dot(x.values, dx.values), forward, accuracy: 1e-3)
    XCTAssertEqual(dot(f.values, df.values), forward, accuracy: 1e-3)
    // conv2dTranspose is the input gradient with the filter's roles swapped.
    let t = try dy.conv2dTranspose(f, outputShape: x.shape, strides: [2], padding: .same)
    assertClose(try t.dataSync(), dx.values)

    let pooled = try x.avgPool(filterSize: [3], strides: [2], padding: .same)
    let dp = try tensor(pooled.shape)
    let dxp = try Tensor.avgPoolBackprop(dy: dp, input: x, filterSize: [3], strides: [2], padding: .same)
    XCTAssertEqual(dot(x.values, dxp.values), dot(pooled.values, dp.values), accuracy: 1e-4)

    let resized = try x.resizeBilinear(size: [5, 9], halfPixelCenters: true)
    let dr = try tensor(resized.shape)
    let dxr = try Tensor.resizeBilinearBackprop(
      images: x, dy: dr, alignCorners: false, halfPixelCenters: true)
    XCTAssertEqual(dot(x.values, dxr.values), dot(resized.values, dr.values), accuracy: 1e-4)
  }

  func testSeparableAndFusedMatchTheirCompositions() throws {
    let x = try tensor([1, 6, 6, 4])
    let dw = try tensor([3, 3, 4, 2])
    let pw = try tensor([1, 1, 8, 5])
    let separable = try x.separableConv2d(
      depthwiseFilter: dw, pointwiseFilter: pw, strides: [1], padding: .same)
    let composed = try x.depthwiseConv2d(dw, strides: [1], padding: .same)
      .conv2d(pw, strides: [1], padding: .valid)
    assertClose(try separable.dataSync(), composed.values)

    let f = try tensor([3, 3, 4, 8])
    let bias = try tensor([8])
    let fused = try x.fusedConv2d(f, strides: [1], padding: .same, bias: bias, activation: .relu6)
    let plain = try x.conv2d(f, strides: [1], padding: .same).add(bias).relu6()
    assertClose(try fused.dataSync(), plain.values)
    let fusedDw = try x.fusedDepthwiseConv2d(
      dw, strides: [2], padding: .same, bias: try tensor([8]), activation: .relu)
    XCTAssertEqual(fusedDw.shape, [1, 3, 3, 8])
    XCTAssertTrue(fusedDw.values.allSatisfy { $0 >= 0 })
  }

  func testConv1dIsAHeightOneConv2d() throws {
    let x = try tensor([2, 9, 3])
    let f = try tensor([3, 3, 4])
    let y = try x.conv1d(f, stride: 2, padding: .same)
    XCTAssertEqual(y.shape, [2, 5, 4])
    let g = Conv2DGeometry(
      inShape: [2, 1, 9, 3], filterShape: [1, 3, 3, 4], strides: (1, 2), padding: .same)
    assertClose(try y.dataSync(), referenceConv(x.values, f.values, g))
  }

  func testPoolingBatchNormAndImageOps() throws {
    let x = try Tensor.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [1, 3, 3, 1])
    try assertClose(
      x.maxPool(filterSize: [2], strides: [1], padding: .same), [5, 6, 6, 8, 9, 9, 8, 9, 9])
    try assertClose(
      x.avgPool(filterSize: [2], strides: [1], padding: .same),
      [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9])
    let ints = try Tensor.tensor([1, 5, 3, 2], shape: [1, 2, 2, 1], dtype: .int32)
    let pooled = try ints.maxPool(filterSize: [2], strides: [2], padding: .valid)
    XCTAssertEqual(pooled.dtype, .int32)
    XCTAssertEqual(try pooled.dataSync(), [5])

    let v = try Tensor.tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])
    let bn = try v.batchNorm(
      mean: try Tensor.tensor([1, 2], shape: [2]), variance: try Tensor.tensor([4, 0.25], shape: [2]),
      offset: try Tensor.tensor([0.5], shape: [1]), scale: try Tensor.tensor([2, 1], shape: [2]),
      varianceEpsilon: 0)
    try assertClose(bn, [0.5, 0.5, 2.5, 4.5, 4.5, 8.5])

    let image = try Tensor.tensor([1, 2, 3, 4], shape: [2, 2, 1])
    try assertClose(image.resizeBilinear(size: [3, 3], alignCorners: true),
                    [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], shape: [3, 3, 1])
    try assertClose(image.resizeNearestNeighbor(size: [1, 4]), [1, 1, 2, 2], shape: [1, 4, 1])
    let batch = try image.reshape([1, 2, 2, 1])
    try assertClose(batch.flipLeftRight(), [2, 1, 4, 3])
    let crops = try batch.cropAndResize(
      boxes: try Tensor.tensor([0, 0, 1, 1], shape: [1, 4]),
      boxInd: try Tensor.tensor([0], shape: [1], dtype: .int32), cropSize: [3, 3])
    try assertClose(crops, [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], shape: [1, 3, 3, 1])
    // NaN box coordinates extrapolate instead of trapping.
    let nanCrop = try batch.cropAndResize(
      boxes: try Tensor.tensor([.nan, 0, 1, 1], shape: [1, 4]),
      boxInd: try Tensor.tensor([0], shape: [1], dtype: .int32), cropSize: [2, 2],
      extrapolationValue: 7)
    try assertClose(nanCrop, [7, 7, 7, 7])
    assertThrows("Error in conv2d: padding must be non-negative integers, but got 0,-1,0,0.") {
      try batch.conv2d(
        try Tensor.ones([1, 1, 1, 1]), strides: [1],
        padding: .explicit(top: 0, bottom: -1, left: 0, right: 0))
    }
    assertThrows("Error in cropAndResize: boxInd[0] = 2 is not in [0, 1).") {
      try batch.cropAndResize(
        boxes: try Tensor.tensor([0, 0, 1, 1], shape: [1, 4]),
        boxInd: try Tensor.tensor([2], shape: [1], dtype: .int32), cropSize: [2, 2])
    }
  }

  func testTidyReleasesIntermediatesOfCompositeOps() throws {
    let x = try tensor([1, 5, 5, 2])
    let dw = try tensor([3, 3, 2, 1])
    let pw = try tensor([1, 1, 2, 3])
    let before = Engine.shared.memory.numTensors
    let y = try Engine.shared.tidy {
      try x.separableConv2d(depthwiseFilter: dw, pointwiseFilter: pw, strides: [1], padding: .same)
    }
    XCTAssertEqual(Engine.shared.memory.numTensors, before + 1)
    y.dispose()
  }
}

// MARK: - MobileNet through the ops

final class KernelOpMobileNetTests: XCTestCase {
  /// MobileNet v1 0.25 as a TF.js user would write it with tf.* ops (ZeroPadding2D as
  /// tf.pad), compared with TensorFlow's outputs.
  func testMobileNetFromTensorOpsMatchesTensorFlow() throws {
    let root = fixtureURL("mobilenet_v1_0.25_224")
    let model = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("model/model.json"))) as? [String: Any]
    let cases = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("cases.json"))) as? [String: Any]
    let weights = try loadFloatManifest(
      model?["weightsManifest"] as? [[String: Any]] ?? [],
      directory: root.appendingPathComponent("model"))
    let arrays = try loadFloatManifest(
      cases?["weightsManifest"] as? [[String: Any]] ?? [], directory: root)
    let topology = model?["modelTopology"] as? [String: Any]
    let config = (topology?["model_config"] as? [String: Any])?["config"] as? [String: Any]
    let layers = config?["layers"] as? [[String: Any]] ?? []
    guard let input = arrays["x"], let want = arrays["y"],
      let probe = arrays["layer:conv_pw_13_relu"]
    else { return XCTFail("fixture arrays missing") }
    func w(_ name: String) throws -> Tensor {
      guard let v = weights[name] else { throw TensorError("missing weight \(name)") }
      return try Tensor.tensor(v.values, shape: v.shape)
    }
    let before = Engine.shared.memory.numTensors
    let (probeOut, output) = try Engine.shared.tidy { () -> (Tensor, Tensor) in
      var x = try Tensor.tensor(input.values, shape: input.shape)
      var probed: Tensor?
      for layer in layers {
        let c = layer["config"] as? [String: Any] ?? [:]
        let name = c["name"] as? String ?? ""
        let padding: ConvPadding = (c["padding"] as? String) == "same" ? .same : .valid
        let strides = c["strides"] as? [Int] ?? [1, 1]
        switch layer["class_name"] as? String ?? "" {
        case "Conv2D":
          x = try x.conv2d(try w("\(name)/kernel"), strides: strides, padding: padding)
          if (c["use_bias"] as? Bool) == true { x = try x.add(try w("\(name)/bias")) }
        case "DepthwiseConv2D":
          x = try x.depthwiseConv2d(try w("\(name)/depthwise_kernel"), strides: strides, padding: padding)
        case "BatchNormalization":
          x = try x.batchNorm(
            mean: try w("\(name)/moving_mean"), variance: try w("\(name)/moving_variance"),
            offset: try w("\(name)/beta"), scale: try w("\(name)/gamma"),
            varianceEpsilon: Float(c["epsilon"] as? Double ?? 1e-3))
        case "ReLU":
          x = try x.clipByValue(0, Float(c["max_value"] as? Double ?? 6))
        case "ZeroPadding2D":
          let p = c["padding"] as? [[Int]] ?? []
          x = try x.pad([[0, 0], p[0], p[1], [0, 0]])
        case "GlobalAveragePooling2D":
          x = try x.avgPool(filterSize: [x.shape[1], x.shape[2]], strides: [1], padding: .valid)
        case "Reshape":
          x = try x.reshape([x.shape[0], -1])
        case "Activation":
          x = try x.softmax()
        default:
          break
        }
        if name == "conv_pw_13_relu" { probed = x }
      }
      guard let probed else { throw TensorError("probe layer not reached") }
      return (probed, x)
    }
    XCTAssertEqual(probeOut.shape, probe.shape)
    assertClose(try probeOut.dataSync(), probe.values, atol: 1e-4, rtol: 1e-3, "conv_pw_13_relu")
    XCTAssertEqual(output.shape, want.shape)
    assertClose(try output.dataSync(), want.values, atol: 1e-4, rtol: 1e-3, "predictions")
    XCTAssertEqual(Engine.shared.memory.numTensors, before + 2)
    probeOut.dispose()
    output.dispose()
  }
}
