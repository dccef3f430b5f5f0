// The executor's op set: a converter-made graph over most ops against
// TensorFlow (Tests/Fixtures/graph_ops, made by gen_graph_ops.py there), and
// small hand-written graphs for what the converter folds away.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class GraphOpTests: XCTestCase {
  func testConverterGraphMatchesTensorFlow() throws {
    let cases = try FixtureCases("graph_ops")
    let model = try ModelIO.loadGraphModel(fixturePath("graph_ops/model/model.json"))
    defer { model.dispose() }
    XCTAssertEqual(Set(model.inputNodes), ["img", "vec"])
    let outputs = try XCTUnwrap(cases.json["outputNodes"]?.object)
    let keys = outputs.keys
    let nodes = keys.compactMap { outputs[$0]?.string }
    let inputs = [
      "img": try XCTUnwrap(cases.arrays["img"]), "vec": try XCTUnwrap(cases.arrays["vec"]),
    ]
    let got = try model.execute(inputs, outputs: nodes)
    for (k, t) in zip(keys, got) {
      try assertClose(
        t, try XCTUnwrap(cases.arrays["out:" + k]), atol: cases.atol, rtol: cases.rtol, k)
    }
    // Positional inputs follow inputNodes (signature key order).
    let positional = try model.execute(model.inputNodes.map { inputs[$0]! }, outputs: nodes)
    for (a, b) in zip(got, positional) { XCTAssertEqual(try a.dataSync(), try b.dataSync()) }
    XCTAssertEqual(model.outputNodes.count, 6)
  }

  /// With `userDefinedMetadata.structuredOutputKeys`, predict's outputs are named by position.
  func testStructuredOutputKeysNamePredictOutputs() throws {
    let model = try ModelIO.loadGraphModel(fixturePath("graph_ops_structured/model/model.json"))
    defer { model.dispose() }
    let keys = ["cast", "fused", "flat", "probs", "relu6", "feat"]
    XCTAssertEqual(model.structuredOutputKeys, keys)
    let cases = try FixtureCases("graph_ops")
    let inputs = [
      "img": try XCTUnwrap(cases.arrays["img"]), "vec": try XCTUnwrap(cases.arrays["vec"]),
    ]
    let named = try XCTUnwrap(model.structuredOutputs(try model.predict(inputs)))
    XCTAssertEqual(named.map(\.key), keys)
    // The keys name the outputs TensorFlow computed under those dict keys (cases "out:KEY").
    for (k, t) in named {
      try assertClose(
        t, try XCTUnwrap(cases.arrays["out:" + k]), atol: cases.atol, rtol: cases.rtol, k)
    }
    // A model without the keys gives nil: predict returns the tensor or the array.
    let plain = try ModelIO.loadGraphModel(fixturePath("graph_ops/model/model.json"))
    defer { plain.dispose() }
    XCTAssertNil(plain.structuredOutputs(try plain.predict(inputs)))
  }

  /// JavaScript object semantics of the naming: too few keys give `undefined`, a repeated key
  /// keeps its first position and takes the later tensor.
  func testStructuredOutputKeysShortAndRepeated() throws {
    var root = try graph(
      [("x", "Placeholder", [], float), ("a", "Relu", ["x"], float), ("b", "Neg", ["x"], float),
       ("c", "Square", ["x"], float)])
    root["userDefinedMetadata"] = try ConfigValue.parseJSON(
      Data(#"{"structuredOutputKeys": ["p", "p"]}"#.utf8))
    let model = try GraphModel(modelJSON: root, weights: [])
    let outs = try model.execute([try t([-2, 3], [2])], outputs: ["a", "b", "c"])
    let named = try XCTUnwrap(model.structuredOutputs(outs))
    XCTAssertEqual(named.map(\.key), ["p", "undefined"])
    XCTAssertEqual(try named[0].tensor.dataSync(), [2, -3])
    XCTAssertEqual(try named[1].tensor.dataSync(), [4, 9])
  }

  /// The load-time rewrites (Pad folded into the depthwise convolution, the expansion fused
  /// into it) must not hide a fed intermediate node: feeding the expansion's or the Pad's
  /// output reaches the depthwise convolution as in TF.js.
  func testFeedingNodesTheRewritesBypass() throws {
    let model = try ModelIO.loadGraphModel(
      fixturePath("mobilenet_v2_0.35_feature_graph/model/model.json"))
    defer { model.dispose() }
    let prefix = "StatefulPartitionedCall/mobilenetv2_0.35_224/"
    let expand = prefix + "block_1_expand_relu/Relu6"
    let pad = prefix + "block_1_pad/Pad"
    let depthwise = prefix + "block_1_depthwise/depthwise"
    XCTAssertEqual(
      model.nodes.first { $0.name == depthwise }?.op, GraphRewrite.expandDepthwiseOp)
    let x = try Tensor.randomUniform([1, 224, 224, 3], seed: 5)
    let direct = try model.execute([x], outputs: [expand, pad, depthwise])
    for (fedName, fed) in [(expand, direct[0]), (pad, direct[1])] {
      let again = try model.execute([fedName: fed], outputs: [depthwise])[0]
      try assertClose(again, direct[2], atol: 1e-5, rtol: 1e-5, "fed \(fedName)")
      let zeros = try model.execute([fedName: try fed.mul(Tensor.scalar(0))], outputs: [depthwise])
      let change = try zeros[0].sub(direct[2]).abs().max().scalarValue()
      XCTAssertGreaterThan(change, 0.01, "feeding \(fedName) must change the depthwise output")
    }
  }

  // MARK: - Hand-written graphs

  /// A graph-model root from (name, op, inputs, attrs JSON) tuples and Const weights.
  private func graph(
    _ nodes: [(String, String, [String], String)], signature: String? = nil
  ) throws -> ConfigObject {
    let list = nodes.map { n, op, ins, attrs in
      "{\"name\":\"\(n)\",\"op\":\"\(op)\",\"input\":[\(ins.map { "\"\($0)\"" }.joined(separator: ","))],"
        + "\"attr\":{\(attrs)}}"
    }
    let text =
      "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":[\(list.joined(separator: ","))],"
      + "\"versions\":{\"producer\":1645}}\(signature.map { ",\"signature\":" + $0 } ?? "")}"
    return try XCTUnwrap(try ConfigValue.parseJSON(Data(text.utf8)).object)
  }

  private func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
  private let float = "\"dtype\":{\"type\":\"DT_FLOAT\"}"
  private func t(_ v: [Float], _ s: [Int]) throws -> Tensor { try Tensor.tensor(v, shape: s) }

  func testBatchNormFusedOpsAndSecondOutputs() throws {
    let x = try t([1, 2, 3, 4, -1, -2, -3, -4], [1, 2, 2, 2])
    let w: [(String, Tensor)] = [
      ("scale", try t([2, 0.5], [2])), ("offset", try t([1, -1], [2])),
      ("mean", try t([1, 0], [2])), ("var", try t([3, 0.25], [2])),
      ("k", try t([1, 0, 0, 1], [1, 1, 2, 2])), ("alpha", try t([0.5, 0.25], [2])),
      ("bias", try t([-1, 1], [2])),
    ]
    let bnAttrs =
      "\"epsilon\":{\"f\":1},\"is_training\":{\"b\":false},\"data_format\":{\"s\":\"\(b64("NHWC"))\"}"
    let root = try graph([
      ("x", "Placeholder", [], float), ("scale", "Const", [], float),
      ("offset", "Const", [], float),
      ("mean", "Const", [], float), ("var", "Const", [], float), ("k", "Const", [], float),
      ("alpha", "Const", [], float), ("bias", "Const", [], float),
      ("bn", "FusedBatchNormV3", ["x", "scale", "offset", "mean", "var"], bnAttrs),
      (
        "convbn", "_FusedConv2D", ["x", "k", "scale", "offset", "mean", "var"],
        "\"fused_ops\":{\"list\":{\"s\":[\"\(b64("FusedBatchNorm"))\",\"\(b64("Relu"))\"]}},"
          + "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"\(b64("VALID"))\"},"
          + "\"epsilon\":{\"f\":1},\"num_args\":{\"i\":\"4\"}"
      ),
      (
        "prelu", "_FusedConv2D", ["x", "k", "bias", "alpha", "^bn"],
        "\"fused_ops\":{\"list\":{\"s\":[\"\(b64("BiasAdd"))\",\"\(b64("Prelu"))\"]}},"
          + "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"\(b64("SAME"))\"}"
      ),
    ])
    let model = try GraphModel(modelJSON: root, weights: w)
    let out = try model.execute(["x": x], outputs: ["bn", "bn:1", "convbn", "prelu"])
    // (x - mean) * scale / sqrt(var + 1) + offset: channel 0 scale 1, channel 1 scale 0.4472.
    let s1 = 0.5 / Float(1.25).squareRoot()
    let bn: [Float] = [
      0 + 1, 2 * s1 - 1, 2 + 1, 4 * s1 - 1, -2 + 1, -2 * s1 - 1, -4 + 1, -4 * s1 - 1,
    ]
    for (g, e) in zip(try out[0].dataSync(), bn) { XCTAssertEqual(g, e, accuracy: 1e-5) }
    XCTAssertEqual(try out[1].dataSync(), [1, 0], "output 1 is the mean")
    for (g, e) in zip(try out[2].dataSync(), bn.map { max($0, 0) }) {
      XCTAssertEqual(g, e, accuracy: 1e-5)
    }
    let pre: [Float] = [0, 3, 2, 5, -2, -1, -4, -3]  // x + bias
    let alpha: [Float] = [0.5, 0.25]
    let want = pre.enumerated().map { i, v in v < 0 ? v * alpha[i % 2] : v }
    XCTAssertEqual(try out[3].dataSync(), want)
  }

  func testMovementMatMulAndPadding() throws {
    let w: [(String, Tensor)] = [
      ("m", try t([1, 2, 3, 4, 5, 6], [3, 2])),
      ("p", try Tensor.tensor([0, 0, 1, 2], shape: [2, 2], dtype: .int32)),
      ("axis", try Tensor.tensor([0], shape: [], dtype: .int32)),
      ("b", try t([10, 20, 30], [3])),
    ]
    let root = try graph([
      (
        "x", "Placeholder", [],
        float + ",\"shape\":{\"shape\":{\"dim\":[{\"size\":\"-1\"},{\"size\":\"2\"}]}}"
      ),
      ("m", "Const", [], float), ("p", "Const", [], "\"dtype\":{\"type\":\"DT_INT32\"}"),
      ("axis", "Const", [], "\"dtype\":{\"type\":\"DT_INT32\"}"), ("b", "Const", [], float),
      ("mm", "MatMul", ["x", "m"], "\"transpose_b\":{\"b\":true}"),
      ("ba", "BiasAdd", ["mm", "b"], ""),
      ("relu", "Relu", ["ba"], ""), ("elu", "Elu", ["x"], ""),
      ("pad", "Pad", ["x", "p"], ""),
      ("cat", "ConcatV2", ["x", "x", "axis"], "\"N\":{\"i\":\"2\"}"),
      ("sq", "Squeeze", ["ex"], ""), ("ex", "ExpandDims", ["x", "axis"], ""),
      ("sm", "Softmax", ["x"], ""), ("nothing", "NoOp", ["^sm"], ""),
    ])
    let model = try GraphModel(modelJSON: root, weights: w)
    XCTAssertEqual(model.inputs, [GraphTensorInfo(name: "x", shape: [-1, 2], dtype: .float32)])
    XCTAssertEqual(model.modelVersion, "1645.undefined")
    let x = try t([1, -1], [1, 2])
    let out = try model.execute(["x": x], outputs: ["relu", "elu", "pad", "cat", "sq", "sm"])
    XCTAssertEqual(try out[0].dataSync(), [9, 19, 29])  // [1-2, 3-4, 5-6] + b
    XCTAssertEqual(try out[1].dataSync()[1], Float(exp(-1.0) - 1), accuracy: 1e-6)
    XCTAssertEqual(out[2].shape, [1, 5])
    XCTAssertEqual(try out[2].dataSync(), [0, 1, -1, 0, 0])
    XCTAssertEqual(out[3].shape, [2, 2])
    XCTAssertEqual(out[4].shape, [2], "no squeeze_dims: every size-1 axis goes")
    XCTAssertEqual(try out[5].dataSync()[0], Float(exp(2.0) / (exp(2.0) + 1)), accuracy: 1e-6)
    // Outputs default to the nodes nothing reads (a NoOp yields no tensor, so it is not one).
    XCTAssertEqual(Set(model.outputNodes), ["relu", "elu", "pad", "cat", "sq"])
  }

  func testPlaceholderWithDefault() throws {
    let root = try graph([
      ("d", "Const", [], float), ("p", "PlaceholderWithDefault", ["d"], float),
      ("y", "Square", ["p"], ""),
    ])
    let model = try GraphModel(modelJSON: root, weights: [("d", try t([3], [1]))])
    XCTAssertEqual(model.inputNodes, ["p"])
    XCTAssertEqual(try model.execute([String: Tensor](), outputs: ["y"])[0].dataSync(), [9])
    XCTAssertEqual(try model.execute(["p": try t([2], [1])], outputs: ["y"])[0].dataSync(), [4])
  }

  func testGraphStructureErrors() throws {
    assertThrows(["Tensorflow Op is not supported: Frob (node 'y')"]) {
      try GraphModel(
        modelJSON: try graph([("x", "Placeholder", [], float), ("y", "Frob", ["x"], "")]),
        weights: [])
    }
    assertThrows(["'y' has input 'z', which is not in the graph"]) {
      try GraphModel(
        modelJSON: try graph([("x", "Placeholder", [], float), ("y", "Relu", ["z"], "")]),
        weights: [])
    }
    assertThrows(["Duplicate graph node name 'x'"]) {
      try GraphModel(
        modelJSON: try graph([("x", "Placeholder", [], float), ("x", "Relu", [], "")]), weights: [])
    }
    let cyclic = try GraphModel(
      modelJSON: try graph([
        ("x", "Placeholder", [], float), ("a", "Add", ["x", "b"], ""),
        ("b", "Relu", ["a"], ""),
      ]), weights: [])
    assertThrows(["cycle"]) { try cyclic.execute(["x": try Tensor.zeros([1])], outputs: ["b"]) }
    let wrongShape = try graph([
      (
        "c", "Const", [],
        float
          + ",\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\",\"tensorShape\":{\"dim\":[{\"size\":\"3\"}]}}}"
      )
    ])
    assertThrows(["Weight 'c' has shape [2]", "says [3]"]) {
      try GraphModel(modelJSON: wrongShape, weights: [("c", try Tensor.zeros([2]))])
    }
    assertThrows(["Attribute 'padding' of graph node 'x' is malformed"]) {
      try GraphModel(
        modelJSON: try graph([("x", "Placeholder", [], "\"padding\":{\"s\":\"***\"}")]), weights: []
      )
    }
    // A Pad before a valid convolution with non-integer paddings is left unfolded and fails
    // as the Pad, by name.
    let conv = "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"\(b64("VALID"))\"}"
    let padded = try GraphModel(
      modelJSON: try graph([
        ("x", "Placeholder", [], float), ("p", "Const", [], float), ("k", "Const", [], float),
        ("pad", "Pad", ["x", "p"], ""), ("c", "Conv2D", ["pad", "k"], conv),
      ]),
      weights: [
        ("p", try t([0, 0, .nan, 1, 1, 1, 0, 0], [4, 2])), ("k", try t([1], [1, 1, 1, 1])),
      ])
    assertThrows(["non-integer", "graph node 'pad', op Pad"]) {
      try padded.execute(["x": try Tensor.zeros([1, 2, 2, 1])], outputs: ["c"])
    }
    // A kernel's error names the node.
    let bad = try GraphModel(
      modelJSON: try graph([("x", "Placeholder", [], float), ("r", "Reshape", ["x", "x"], "")]),
      weights: [])
    assertThrows(["graph node 'r', op Reshape"]) {
      try bad.execute(["x": try t([5, 1], [2])], outputs: ["r"])
    }
  }
}
