// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Load-time rewrites that change no number. Keras's ZeroPadding2D before a
// 'valid' strided convolution (MobileNetV2's block_N_pad) converts to a Pad
// node feeding the convolution; padding inside the convolution instead gives
// the same zeros without materialising the padded tensor (TensorFlow's own
// grappler does the same on CPU). The Pad node stays in the graph, so it can
// still be requested as an output.

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
}
