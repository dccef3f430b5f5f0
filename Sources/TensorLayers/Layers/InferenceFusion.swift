// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Inference-time fusion of layer chains, as TensorFlow's graph optimizer fuses
// them: [ZeroPadding2D →] Conv2D/DepthwiseConv2D [→ BatchNormalization]
// [→ ReLU / Activation(relu|relu6|linear)] runs as one convolution kernel call
// whose epilogue applies bias, the batch norm folded to a per-channel scale and
// shift, and the ReLU clamp, and the zero padding becomes the convolution's
// explicit padding. A chain is fused only when every intermediate tensor is
// used by the next layer alone and is not a model output, so nothing else can
// observe the skipped values. Training and gradient tapes take the layer-by-layer
// path.

/// One fused chain of a model's graph.
struct FusedConvChain {
  /// The chain's nodes in order; the first one's input is the chain's input.
  let nodes: [Node]
  /// The leading zero padding, if any (its convolution has 'valid' padding).
  let padding: ZeroPadding2D?
  /// The convolution (Conv2D or DepthwiseConv2D).
  let conv: BaseConv
  /// The batch normalization after the convolution, if any (last axis, moving statistics).
  let batchNorm: BatchNormalization?
  /// The clamp of the trailing ReLU (or of the convolution's own activation).
  let lower: Float
  let upper: Float

  /// The symbolic tensor the chain computes.
  var output: SymbolicTensor { nodes[nodes.count - 1].outputTensors[0] }
}

/// The fused chains of a model, by the id of their first node.
final class InferencePlan {
  /// Chains keyed by the id of their first node.
  var chains: [Int: FusedConvChain] = [:]
  /// Ids of the nodes that run inside a chain after its first node.
  var absorbed: Set<Int> = []
}

/// The `[lower, upper]` clamp of a fusable activation, or nil.
func fusableClamp(_ activation: Activation) -> (Float, Float)? {
  switch activation.name {
  case "linear": return (-.infinity, .infinity)
  case "relu": return (0, .infinity)
  case "relu6": return (0, 6)
  default: return nil
  }
}

extension LayersModel {
  /// Finds the fusable chains of this graph.
  func makeInferencePlan() -> InferencePlan {
    let plan = InferencePlan()
    let nodes = nodesByDepth.values.flatMap { $0 }
    let nodeIds = Set(nodes.map(\.id))
    var consumers: [Int: [Node]] = [:]
    for node in nodes where !node.inboundLayers.isEmpty {
      for t in node.inputTensors { consumers[t.id, default: []].append(node) }
    }
    let outputIds = Set(outputs.map(\.id))

    /// True for a node with one input and one output (whose layer applies normally: a layer
    /// with an activity regularizer must reach `apply` to raise TF.js's error).
    func isSimple(_ node: Node) -> Bool {
      node.inputTensors.count == 1 && node.outputTensors.count == 1
        && !node.inboundLayers.isEmpty && !node.outboundLayer.hasActivityRegularizer
    }
    /// The only consumer of `node`'s output, if it is a simple node of this graph and the
    /// output is not a model output.
    func soleConsumer(_ node: Node) -> Node? {
      guard let out = node.outputTensors.first, !outputIds.contains(out.id),
        let users = consumers[out.id], users.count == 1, isSimple(users[0])
      else { return nil }
      return users[0]
    }
    /// The node of this graph that produced `node`'s input.
    func producer(_ node: Node) -> Node? {
      let x = node.inputTensors[0]
      guard x.nodeIndex < x.sourceLayer.inboundNodes.count else { return nil }
      let p = x.sourceLayer.inboundNodes[x.nodeIndex]
      return nodeIds.contains(p.id) && isSimple(p) ? p : nil
    }

    for node in nodes where isSimple(node) {
      let layer = node.outboundLayer
      guard Swift.type(of: layer) == Conv2D.self || layer is DepthwiseConv2D,
        let conv = layer as? BaseConv, conv.rank == 2,
        conv.dilationRate.allSatisfy({ $0 == 1 }), let own = fusableClamp(conv.activation)
      else { continue }
      var chain = [node]
      var padding: ZeroPadding2D?
      if conv.padding == "valid", let p = producer(node),
        let pad = p.outboundLayer as? ZeroPadding2D, soleConsumer(p) === node
      {
        padding = pad
        chain.insert(p, at: 0)
      }
      var batchNorm: BatchNormalization?
      var bounds = own
      if conv.activation.name == "linear" {
        var tail = node
        if let next = soleConsumer(tail), let bn = next.outboundLayer as? BatchNormalization,
          bn.axis == -1 || bn.axis == 3, bn.movingMean != nil, bn.movingVariance != nil
        {
          batchNorm = bn
          chain.append(next)
          tail = next
        }
        if let next = soleConsumer(tail) {
          if let relu = next.outboundLayer as? ReLU, (relu.maxValue ?? 0) >= 0 {
            bounds = (0, relu.maxValue.map(Float.init) ?? .infinity)
            chain.append(next)
          } else if let act = next.outboundLayer as? ActivationLayer,
            let b = fusableClamp(act.activation)
          {
            bounds = b
            chain.append(next)
          }
        }
      }
      if chain.count == 1 { continue }  // Conv2D.call fuses bias and activation itself
      plan.chains[chain[0].id] = FusedConvChain(
        nodes: chain, padding: padding, conv: conv, batchNorm: batchNorm, lower: bounds.0,
        upper: bounds.1)
      for n in chain.dropFirst() { plan.absorbed.insert(n.id) }
    }
    return plan
  }

  /// Runs a fused chain on its concrete input.
  func runChain(_ chain: FusedConvChain, _ x: Tensor) throws -> Tensor {
    let conv = chain.conv
    var padding = enginePadding(conv.padding)
    var convShape = x.shape.map { Optional($0) }
    if let pad = chain.padding {
      try pad.checkInputs([convShape])
      let p = pad.padding
      padding = .explicit(top: p[0][0], bottom: p[0][1], left: p[1][0], right: p[1][1])
      convShape = try pad.computeOutputShape([convShape])[0]
    }
    try conv.checkInputs([convShape])
    try conv.ensureBuilt([convShape])
    guard let kernel = conv.kernel, x.dtype == .float32 else {
      return try runUnfused(chain, x)
    }
    var shift = try conv.bias?.read().dataSync()
    var scale: [Float]?
    if let bn = chain.batchNorm, let mean = bn.movingMean, let variance = bn.movingVariance {
      let channels = kernel.shape[3] * (conv is DepthwiseConv2D ? kernel.shape[2] : 1)
      let m = try mean.read().dataSync()
      let v = try variance.read().dataSync()
      let gamma = try bn.gamma?.read().dataSync()
      let beta = try bn.beta?.read().dataSync()
      let lengths = [m.count, v.count, gamma?.count, beta?.count, shift?.count]
      guard lengths.allSatisfy({ $0 == nil || $0 == channels }) else {
        return try runUnfused(chain, x)
      }
      // The inference batch norm (y - mean)·γ/√(var + ε) + β as y·inv + (β - mean·inv),
      // with the convolution's bias b folded in: shift = β + (b - mean)·inv.
      let epsilon = Float(bn.epsilon)
      var inv = [Float](repeating: 0, count: channels)
      var folded = [Float](repeating: 0, count: channels)
      for c in 0..<channels {
        inv[c] = (gamma?[c] ?? 1) / (v[c] + epsilon).squareRoot()
        folded[c] = (beta?[c] ?? 0) + ((shift?[c] ?? 0) - m[c]) * inv[c]
      }
      scale = inv
      shift = folded
    }
    return try x.convolutionWithEpilogue(
      kernel.read(), depthwise: conv is DepthwiseConv2D, strides: conv.strides,
      padding: padding, dilations: conv.dilationRate, scale: scale, shift: shift,
      lower: chain.lower, upper: chain.upper)
  }

  /// The chain's layers applied one by one (for inputs the fused kernel does not take).
  private func runUnfused(_ chain: FusedConvChain, _ input: Tensor) throws -> Tensor {
    var x = input
    for node in chain.nodes { x = try node.outboundLayer.apply(x) }
    return x
  }
}
