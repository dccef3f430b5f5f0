// Inference fusion of [ZeroPadding2D →] conv [→ BatchNormalization] [→ ReLU]
// chains: which chains the planner takes, and that predict through the fused
// kernels gives what the layers give one by one.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class InferenceFusionTests: XCTestCase {
  /// Gives every weight of `layer` seeded random values (variances positive).
  func randomize(_ layer: Layer, seed: Double) throws {
    let values = try layer.weights.enumerated().map { i, w -> Tensor in
      let s = seed * 10 + Double(i)
      if w.originalName.hasSuffix("moving_variance") {
        return try Tensor.randomUniform(w.shape, minval: 0.3, maxval: 2, seed: s)
      }
      return try Tensor.randomUniform(w.shape, minval: -1, maxval: 1, seed: s)
    }
    // setWeights takes trainable then non-trainable, as `weights` lists them.
    try layer.setWeights(values)
  }

  /// Input → pad → conv(bias) → BN → ReLU(6) → depthwise(×2, bias) → BN →
  /// Activation(relu)
  /// → conv 1×1 relu6, plus a branch conv whose output is both a model output and the
  /// input of a BN (so that BN must not be folded).
  func makeModel() throws -> (LayersModel, [Layer]) {
    let x = try input(shape: [9, 9, 3])
    let layers: [Layer] = [
      try ZeroPadding2D(args(("padding", .array([.ints([1, 2]), .ints([0, 1])])))),
      try Conv2D(
        args(("filters", .int(4)), ("kernelSize", .int(3)), ("strides", .int(2)))),
      try BatchNormalization(args(("epsilon", .number(0.01)))),
      try ReLU(args(("maxValue", .number(6)))),
      try DepthwiseConv2D(
        args(("kernelSize", .int(3)), ("padding", .string("same")), ("depthMultiplier", .int(2)))),
      try BatchNormalization(ConfigObject()),
      try ActivationLayer(args(("activation", .string("relu")))),
      try Conv2D(
        args(
          ("filters", .int(5)), ("kernelSize", .int(1)), ("activation", .string("relu6")),
          ("useBias", .bool(false)))),
    ]
    var y = x
    for layer in layers { y = try layer.apply(y) }
    let branchConv = try Conv2D(args(("filters", .int(3)), ("kernelSize", .int(1))))
    let branchBN = try BatchNormalization(ConfigObject())
    let branch = try branchConv.apply(y)
    let branchOut = try branchBN.apply(branch)
    let model = try LayersModel(inputs: [x], outputs: [y, branch, branchOut])
    for (i, layer) in (layers + [branchConv, branchBN]).enumerated() {
      try randomize(layer, seed: Double(i + 1))
    }
    return (model, layers + [branchConv, branchBN])
  }

  func testPlannerFusesOnlyPrivateChains() throws {
    let (model, layers) = try makeModel()
    let plan = model.makeInferencePlan()
    let chains = plan.chains.values.sorted { $0.nodes[0].id < $1.nodes[0].id }
    XCTAssertEqual(
      chains.map { $0.nodes.map(\.outboundLayer.className) },
      [
        ["ZeroPadding2D", "Conv2D", "BatchNormalization", "ReLU"],
        ["DepthwiseConv2D", "BatchNormalization", "Activation"],
      ])
    XCTAssertEqual(chains.map(\.upper), [6, .infinity])
    XCTAssertEqual(plan.absorbed.count, 5)
    // The branch conv feeds a model output: its batch norm runs as a layer.
    XCTAssertFalse(plan.absorbed.contains(layers[9].inboundNodes[0].id))
  }

  func testFusedPredictMatchesLayerByLayer() throws {
    let (model, layers) = try makeModel()
    let x = try Tensor.randomUniform([2, 9, 9, 3], minval: -2, maxval: 2, seed: 7)
    let got = try model.predict([x])
    var y = x
    for layer in layers.prefix(8) { y = try layer.apply(y) }
    let branch = try layers[8].apply(y)
    let branchOut = try layers[9].apply(branch)
    try assertClose(got[0], y, atol: 1e-5, rtol: 1e-4, "main chain")
    try assertClose(got[1], branch, atol: 1e-6, rtol: 1e-6, "branch conv")
    try assertClose(got[2], branchOut, atol: 1e-6, rtol: 1e-6, "branch batch norm")
    XCTAssertEqual(got[0].shape, [2, 5, 4, 5])
  }

  func testFusedChainsFollowWeightUpdatesAndKeepInputChecks() throws {
    let (model, layers) = try makeModel()
    let x = try Tensor.randomUniform([1, 9, 9, 3], seed: 3)
    let before = try model.predict([x])[0].dataSync()
    // New batch-norm statistics are read at the next predict.
    try randomize(layers[2], seed: 42)
    let after = try model.predict([x])[0]
    XCTAssertNotEqual(try after.dataSync(), before)
    var y = x
    for layer in layers.prefix(8) { y = try layer.apply(y) }
    try assertClose(after, y, atol: 1e-5, rtol: 1e-4, "after setWeights")
    XCTAssertThrowsError(try model.predict([try Tensor.zeros([1, 9, 9, 4])]))
  }

  func testTrainingTakesTheLayerPath() throws {
    // fit records a tape: the gradient must reach the fused chain's conv kernel.
    let (model, layers) = try makeModel()
    let head = try LayersModel(inputs: model.inputs, outputs: [model.outputs[0]])
    try head.compile(optimizer: "sgd", loss: [.name("meanSquaredError")])
    let x = try Tensor.randomUniform([2, 9, 9, 3], seed: 5)
    let target = try Tensor.zeros([2, 5, 4, 5])
    let kernel = try layers[1].getWeights()[0].dataSync()
    _ = try head.fit([x], [target], FitArgs())
    XCTAssertNotEqual(try layers[1].getWeights()[0].dataSync(), kernel)
  }

  func testMobileNetChainsAreFused() throws {
    let model = try loadFixtureModel("mobilenet_v1_0.25_224")
    let plan = model.makeInferencePlan()
    // 27 conv → BN → ReLU6 chains, 4 of them behind a ZeroPadding2D.
    XCTAssertEqual(plan.chains.count, 27)
    XCTAssertEqual(plan.chains.values.filter { $0.padding != nil }.count, 4)
    XCTAssertEqual(plan.absorbed.count, 27 * 2 + 4)
  }

  func testConvolutionWithEpilogueMatchesComposedOps() throws {
    let x = try Tensor.randomUniform([2, 6, 5, 3], minval: -1, maxval: 1, seed: 1)
    let f = try Tensor.randomUniform([3, 3, 3, 4], minval: -1, maxval: 1, seed: 2)
    let scale: [Float] = [0.5, -2, 1.5, 3]
    let shift: [Float] = [0.1, 0.2, -0.3, 1]
    let fused = try x.convolutionWithEpilogue(
      f, depthwise: false, strides: [2, 1],
      padding: .explicit(top: 1, bottom: 0, left: 2, right: 1),
      scale: scale, shift: shift, lower: 0, upper: 2)
    let composed = try x.pad([[0, 0], [1, 0], [2, 1], [0, 0]]).conv2d(
      f, strides: [2, 1], padding: .valid
    ).mul(try Tensor.tensor(scale, shape: [4])).add(try Tensor.tensor(shift, shape: [4]))
      .clipByValue(0, 2)
    try assertClose(fused, composed, atol: 1e-6, rtol: 1e-6, "conv epilogue")
    let dw = try x.convolutionWithEpilogue(
      try Tensor.randomUniform([3, 3, 3, 2], seed: 3), depthwise: true, strides: [1, 1],
      padding: .same, shift: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(dw.shape, [2, 6, 5, 6])
    XCTAssertThrowsError(
      try x.convolutionWithEpilogue(f, depthwise: false, strides: [1, 1], padding: .valid,
                                    scale: [1, 2]))
    // Under a tape the op is composed from recorded ops, so it has a gradient.
    let g = try Autograd.grad({ (input: Tensor) throws -> Tensor? in
      try input.convolutionWithEpilogue(
        f, depthwise: false, strides: [1, 1], padding: .same, scale: scale, shift: shift,
        lower: 0, upper: 6
      ).sum()
    })(x, nil)
    XCTAssertEqual(g.shape, x.shape)
    XCTAssertGreaterThan(try g.abs().sum().scalarValue(), 0)
  }
}
