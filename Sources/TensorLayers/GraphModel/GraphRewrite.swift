// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Load-time rewrites that change no number. Keras's ZeroPadding2D before a
// 'valid' strided convolution (MobileNetV2's block_N_pad) converts to a Pad
// node feeding the convolution; padding inside the convolution instead gives
// the same zeros without materialising the padded tensor (TensorFlow's own
// grappler does the same on CPU). The Pad node stays in the graph, so it can
// still be requested as an output.
//
// MobileNetV2's inverted residual block runs a 1×1 expansion (_FusedConv2D + bias +
// ReLU6) straight into a depthwise convolution (+ bias + ReLU6). `fuseExpandDepthwise`
// makes the depthwise node read the expansion's inputs and run both in one kernel
// (`_TLExpandDepthwise`, Tensor.expandDepthwiseConv2d), so the expanded tensor, the
// largest in the network, is never written out. The expansion node stays in the graph
// (unrun unless something else reads it or it is requested).

enum GraphRewrite {
  private static let convOps: Set<String> = [
    "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
  ]

  /// Folds zero `Pad` → valid convolution pairs into explicit convolution padding.
  static func foldPadding(_ nodes: [GraphNode], index: [String: Int], weights: [String: Tensor])
    -> [GraphNode]
  {
    var readers: [String: Int] = [:]
    for n in nodes { for e in n.inputs { readers[e.node, default: 0] += 1 } }
    var out = nodes
    for (i, conv) in nodes.enumerated() where convOps.contains(conv.op) {
      guard conv.string("padding") == "valid", conv.inputs.first?.index == 0,
        let first = conv.inputs.first, let p = index[first.node],
        nodes[p].op == "Pad", readers[first.node] == 1, nodes[p].inputs.count == 2,
        !nodes[p].isControlInput.contains(true),
        let paddings = weights[nodes[p].inputs[1].node], nodes[p].inputs[1].index == 0,
        paddings.shape == [4, 2]
      else { continue }
      guard paddings.values.allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else { continue }
      let v = paddings.values.map { Int($0) }
      guard v[0] == 0, v[1] == 0, v[6] == 0, v[7] == 0, v.allSatisfy({ $0 >= 0 }) else { continue }
      var attrs = conv.attrs
      attrs["padding"] = .string("EXPLICIT")
      var list = GraphAttrList()
      list.ints = [0, 0, v[2], v[3], v[4], v[5], 0, 0]
      attrs["explicit_paddings"] = .list(list)
      out[i] = GraphNode(
        name: conv.name, op: conv.op, inputs: [nodes[p].inputs[0]] + conv.inputs.dropFirst(),
        isControlInput: conv.isControlInput, attrs: attrs)
    }
    return out
  }

  /// The op the fused expansion + depthwise nodes run as.
  static let expandDepthwiseOp = "_TLExpandDepthwise"

  /// Rewrites `FusedDepthwiseConv2dNative(_FusedConv2D 1×1 (x))` pairs, both with a bias, into
  /// one `_TLExpandDepthwise` node with inputs (x, expand filter, expand bias, depthwise
  /// filter, depthwise bias), the expansion's `fused_ops` kept as `expand_fused_ops`.
  static func fuseExpandDepthwise(
    _ nodes: [GraphNode], index: [String: Int], weights: [String: Tensor], outputs: Set<String>
  ) -> [GraphNode] {
    // Readers among the nodes that are themselves read (or are outputs): a Pad folded away
    // by foldPadding still lists the expansion as its input but no longer runs.
    var readers: [String: Int] = [:]
    for n in nodes { for e in n.inputs { readers[e.node, default: 0] += 1 } }
    var live: [String: Int] = [:]
    for n in nodes where readers[n.name] != nil || outputs.contains(n.name) {
      for e in n.inputs { live[e.node, default: 0] += 1 }
    }
    let clampOps: Set<String> = ["relu", "relu6"]
    func biasThenClamp(_ n: GraphNode) -> Bool {
      let ops = n.strings("fused_ops")
      return ops.first == "biasadd" && ops.count <= 2
        && (ops.count == 1 || clampOps.contains(ops[1]))
        && n.inputs.count == 3 && !n.isControlInput.contains(true)
        && (n.string("data_format") ?? "nhwc") == "nhwc"
    }
    func weightShape(_ e: GraphEdge) -> [Int]? { e.index == 0 ? weights[e.node]?.shape : nil }
    var out = nodes
    for (i, dw) in nodes.enumerated() where dw.op == "FusedDepthwiseConv2dNative" {
      guard biasThenClamp(dw), dw.inputs[0].index == 0, let p = index[dw.inputs[0].node],
        nodes[p].op == "_FusedConv2D", biasThenClamp(nodes[p]), live[nodes[p].name] == 1,
        !outputs.contains(nodes[p].name),
        let expand = weightShape(nodes[p].inputs[1]), expand.count == 4, expand[0] == 1,
        expand[1] == 1, let filter = weightShape(dw.inputs[1]), filter.count == 4,
        filter[2] == expand[3], filter[3] == 1,
        (nodes[p].ints("strides") ?? [1, 1, 1, 1]).allSatisfy({ $0 == 1 }),
        (nodes[p].ints("dilations") ?? [1, 1, 1, 1]).allSatisfy({ $0 == 1 }),
        nodes[p].string("padding") == "valid" || nodes[p].string("padding") == "same"
      else { continue }
      var attrs = dw.attrs
      var list = GraphAttrList()
      list.strings = nodes[p].strings("fused_ops")
      attrs["expand_fused_ops"] = .list(list)
      out[i] = GraphNode(
        name: dw.name, op: expandDepthwiseOp, inputs: nodes[p].inputs + dw.inputs.dropFirst(),
        isControlInput: [Bool](repeating: false, count: 5), attrs: attrs)
    }
    return out
  }
}
