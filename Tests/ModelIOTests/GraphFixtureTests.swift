// Graph models converted by the real tensorflowjs converter, against what
// TensorFlow computed for them (Tests/Fixtures/mobilenet_v2_*_feature_graph*).

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class GraphFixtureTests: XCTestCase {
  private func check(_ name: String) throws {
    let cases = try FixtureCases(name)
    let model = try ModelIO.loadGraphModel(fixturePath(name + "/model/model.json"))
    defer { model.dispose() }
    let x = try XCTUnwrap(cases.arrays["x"])
    let before = Engine.shared.numTensors
    let y = try model.predict([x])
    XCTAssertEqual(y.count, 1)
    XCTAssertEqual(Engine.shared.numTensors, before + 1, "only the output stays alive")
    try assertClose(
      y[0], try XCTUnwrap(cases.arrays["y"]), atol: cases.atol, rtol: cases.rtol, name)
  }

  func testMobileNetV2FeatureGraph() throws { try check("mobilenet_v2_0.35_feature_graph") }

  func testMobileNetV2Float16Graph() throws { try check("mobilenet_v2_1.30_feature_graph_float16") }

  func testSignatureInputsOutputsAndExecute() throws {
    let name = "mobilenet_v2_0.35_feature_graph"
    let model = try ModelIO.loadGraphModel(fixturePath(name + "/model/model.json"))
    defer { model.dispose() }
    XCTAssertEqual(model.inputNodes, ["inputs"])
    XCTAssertEqual(model.outputNodes, ["feature_vector"])
    XCTAssertEqual(
      model.inputs, [GraphTensorInfo(name: "inputs", shape: [-1, 224, 224, 3], dtype: .float32)])
    XCTAssertEqual(
      model.outputs, [GraphTensorInfo(name: "Identity", shape: [-1, 1280], dtype: .float32)])
    XCTAssertNotNil(model.modelSignature?.object?["inputs"])
    XCTAssertTrue(model.modelVersion.hasSuffix(".undefined"))

    let x = try Tensor.randomUniform([1, 224, 224, 3], seed: 3)
    let viaKey = try model.execute(["inputs": x])
    let viaNode = try model.execute(["inputs:0": x], outputs: ["Identity"])
    XCTAssertEqual(try viaKey[0].dataSync(), try viaNode[0].dataSync())
    // Any node can be tapped, and several at once.
    let tap = "StatefulPartitionedCall/mobilenetv2_0.35_224/Conv1_relu/Relu6"
    let both = try model.execute(["inputs": x], outputs: [tap, "feature_vector"])
    XCTAssertEqual(both[0].shape, [1, 112, 112, 16])
    XCTAssertGreaterThanOrEqual(try both[0].dataSync().min() ?? -1, 0)
    XCTAssertLessThanOrEqual(try both[0].dataSync().max() ?? 7, 6)
    XCTAssertEqual(try both[1].dataSync(), try viaKey[0].dataSync())

    // Zero Pad nodes before valid convolutions are folded into the convolution's padding,
    // and can still be requested themselves.
    let pad = "StatefulPartitionedCall/mobilenetv2_0.35_224/block_1_pad/Pad"
    XCTAssertFalse(model.nodes.contains { n in n.inputs.contains { $0.node == pad } })
    XCTAssertEqual(try model.execute(["inputs": x], outputs: [pad])[0].shape, [1, 113, 113, 48])
    assertThrows(["must be [-1,224,224,3], but was [1,224,224]"]) {
      try model.execute(["inputs": try Tensor.zeros([1, 224, 224])])
    }
    assertThrows(["dtype", "float32", "int32"]) {
      try model.predict([try Tensor.zeros([1, 224, 224, 3], dtype: .int32)])
    }
    assertThrows(["The output 'nope' is not found in the graph"]) {
      try model.execute(["inputs": x], outputs: ["nope"])
    }
    assertThrows(["keys: [bogus]"]) { try model.execute(["bogus": x]) }
    assertThrows(["Input tensor count mismatch", "1 placeholders", "2 input tensors"]) {
      try model.predict([x, x])
    }
    assertThrows(["Missing the following inputs: [inputs]"]) {
      try model.execute([String: Tensor]())
    }
    model.dispose()
    assertThrows(["disposed"]) { try model.predict([x]) }
  }

  func testTopologyOnlyModel() throws {
    let path = fixturePath("extra/mobilenetv2_graph_model_topology_only/model.json")
    // Loading names the missing shard and the weights it holds.
    assertThrows(["Weight file", "group1-shard1of3.bin", "does not exist", "weight group 1"]) {
      try ModelIO.loadGraphModel(path)
    }
    // The topology itself parses; without weights the first Const is named.
    let root = try XCTUnwrap(
      try ConfigValue.parseJSON(Data(contentsOf: URL(fileURLWithPath: path))).object)
    assertThrows([
      "The weight 'StatefulPartitionedCall/mobilenetv2_1.00_224/block_1_pad/Pad/paddings'",
      "is missing",
    ]) {
      try GraphModel(modelJSON: root, weights: [])
    }
    let nodes = try GraphDef.parseNodes(try XCTUnwrap(root["modelTopology"]))
    XCTAssertEqual(nodes.count, 178)
    let conv = try XCTUnwrap(nodes.first { $0.op == "_FusedConv2D" })
    XCTAssertEqual(conv.strings("fused_ops"), ["biasadd", "relu6"])
    XCTAssertEqual(conv.ints("strides"), [1, 2, 2, 1])
    XCTAssertEqual(conv.string("padding"), "same")
    XCTAssertEqual(conv.int("num_args"), 1)
  }
}
