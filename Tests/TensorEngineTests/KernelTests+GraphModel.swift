// Oracle for the fused ops: the MobileNetV2 0.35 graph model the TF.js converter
// wrote (_FusedConv2D and FusedDepthwiseConv2dNative with BiasAdd/Relu6, Pad,
// AddV2, Mean) evaluated node by node with the Tensor ops, against TensorFlow.

import Foundation
import XCTest
@testable import TensorEngine

final class KernelGraphModelTests: XCTestCase {
  func testMobileNetV2GraphModelMatchesTensorFlow() throws {
    let root = fixtureURL("mobilenet_v2_0.35_feature_graph")
    let model = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("model/model.json"))) as? [String: Any]
    let cases = try JSONSerialization.jsonObject(
      with: Data(contentsOf: root.appendingPathComponent("cases.json"))) as? [String: Any]
    let weights = try loadFloatManifest(
      model?["weightsManifest"] as? [[String: Any]] ?? [],
      directory: root.appendingPathComponent("model"))
    let arrays = try loadFloatManifest(
      cases?["weightsManifest"] as? [[String: Any]] ?? [], directory: root)
    let nodeList = (model?["modelTopology"] as? [String: Any])?["node"] as? [[String: Any]] ?? []
    guard let x = arrays["x"], let want = arrays["y"] else { return XCTFail("fixture arrays") }
    var nodes: [String: [String: Any]] = [:]
    for node in nodeList { nodes[node["name"] as? String ?? ""] = node }

    let output = try Engine.shared.tidy { () -> Tensor in
      var values: [String: Tensor] = ["inputs": try Tensor.tensor(x.values, shape: x.shape)]
      func evaluate(_ reference: String) throws -> Tensor {
        let name = String(reference.split(separator: ":")[0])
        if let done = values[name] { return done }
        guard let node = nodes[name] else { throw TensorError("no node \(name)") }
        let inputs = try (node["input"] as? [String] ?? []).map(evaluate)
        let result = try run(node, inputs: inputs, weights: weights)
        values[name] = result
        return result
      }
      return try evaluate("Identity")
    }
    XCTAssertEqual(output.shape, want.shape)
    assertClose(try output.dataSync(), want.values, atol: 1e-4, rtol: 1e-3, "feature vector")
    output.dispose()
  }

  /// Runs one GraphDef node with the Tensor ops.
  private func run(
    _ node: [String: Any], inputs: [Tensor], weights: [String: (shape: [Int], values: [Float])]
  ) throws -> Tensor {
    let name = node["name"] as? String ?? ""
    let attrs = node["attr"] as? [String: Any] ?? [:]
    func ints(_ key: String) -> [Int] {
      let list = (attrs[key] as? [String: Any])?["list"] as? [String: Any]
      return (list?["i"] as? [String] ?? []).compactMap { Int($0) }
    }
    func strings(_ key: String) -> [String] {
      let attr = attrs[key] as? [String: Any]
      let encoded = (attr?["list"] as? [String: Any])?["s"] as? [String] ?? [attr?["s"] as? String ?? ""]
      return encoded.map { String(decoding: Data(base64Encoded: $0) ?? Data(), as: UTF8.self) }
    }
    switch node["op"] as? String ?? "" {
    case "Const":
      guard let w = weights[name] else { throw TensorError("no weight \(name)") }
      return try Tensor.tensor(w.values, shape: w.shape)
    case "_FusedConv2D", "FusedDepthwiseConv2dNative":
      let strides = ints("strides")
      let padding: ConvPadding = strings("padding").first == "SAME" ? .same : .valid
      let fused = strings("fused_ops")
      XCTAssertEqual(fused.first, "BiasAdd")
      let activation: FusedActivation = fused.contains("Relu6") ? .relu6 : .linear
      if node["op"] as? String == "_FusedConv2D" {
        return try inputs[0].fusedConv2d(
          inputs[1], strides: [strides[1], strides[2]], padding: padding, bias: inputs[2],
          activation: activation)
      }
      return try inputs[0].fusedDepthwiseConv2d(
        inputs[1], strides: [strides[1], strides[2]], padding: padding, bias: inputs[2],
        activation: activation)
    case "Pad":
      let p = inputs[1].values.map { Int($0) }
      return try inputs[0].pad(stride(from: 0, to: p.count, by: 2).map { [p[$0], p[$0 + 1]] })
    case "AddV2":
      return try inputs[0].add(inputs[1])
    case "Mean":
      let keep = ((attrs["keep_dims"] as? [String: Any])?["b"] as? Bool) ?? false
      return try inputs[0].mean(inputs[1].values.map { Int($0) }, keepDims: keep)
    case "Identity":
      return inputs[0]
    default:
      throw TensorError("unsupported op \(node["op"] ?? "?")")
    }
  }
}
