// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// A linear stack of layers (TF.js `tf.Sequential`).
public final class Sequential: LayersModel {
  override public class var className: String { "Sequential" }

  override class func defaultName() -> String { UID.get("sequential_") }

  /// `tf.sequential({layers, name})`.
  public convenience init(layers: [Layer] = [], name: String? = nil) throws {
    var args = ConfigObject()
    if let name { args["name"] = .string(name) }
    try self.init(args)
    for l in layers { try add(l) }
  }

  /// Appends a layer (or a one-input, one-output model), applying it to the current output.
  public func add(_ layer: Layer) throws {
    if let m = layer as? LayersModel, m.inputs.count != 1 || m.outputs.count != 1 {
      throw valueError(
        "All layers in a Sequential model should have a single output tensor. "
          + "For multi-output layers, use the functional API.")
    }
    if layers.contains(where: { $0.name == layer.name }) {
      throw valueError(
        "All layers added to a Sequential model should have unique names. Name "
          + "\"\(layer.name)\" is already the name of a layer in this model.")
    }
    let newOutput: SymbolicTensor
    var newInputs = inputs
    if outputs.isEmpty {
      if layer.inboundNodes.isEmpty {
        let shape: [Int?]
        if let m = layer as? LayersModel {
          shape = m.inputs[0].shape
        } else if let b = layer.batchInputShape {
          shape = b
        } else {
          throw valueError(
            "The first layer in a Sequential model must get an `inputShape` or "
              + "`batchInputShape` argument.")
        }
        let x = try TensorLayers.input(
          batchShape: shape, name: layer.name + "_input", dtype: layer.dtype)
        newOutput = try applyChecked(layer, x)
        newInputs = [x]
      } else {
        let last = layer.inboundNodes[layer.inboundNodes.count - 1]
        guard last.outputTensors.count == 1 else {
          throw valueError(
            "All layers in a Sequential model should have a single output tensor. "
              + "For multi-output layers, use the functional API.")
        }
        newOutput = last.outputTensors[0]
        newInputs = sourceInputs(newOutput)
      }
    } else {
      newOutput = try applyChecked(layer, outputs[0])
    }
    let previous = (inputs, outputs, layers)
    do {
      try setGraph(inputs: newInputs, outputs: [newOutput])
      // TF.js keeps the explicitly added layers (an added InputLayer included).
      layers = previous.2 + [layer]
    } catch {
      (inputs, outputs, layers) = previous
      throw error
    }
  }

  /// Applies a layer and rejects negative dimensions, as TF.js `add` does.
  private func applyChecked(_ layer: Layer, _ x: SymbolicTensor) throws -> SymbolicTensor {
    let outs = try layer.apply([x])
    guard outs.count == 1 else {
      throw valueError(
        "All layers in a Sequential model should have a single output tensor. "
          + "For multi-output layers, use the functional API.")
    }
    if outs[0].shape.contains(where: { ($0 ?? 0) < 0 }) {
      throw valueError(
        "Negative dimension size caused by adding layer \(layer.name) with input "
          + "shape [\(shapeJS(x.shape))]")
    }
    return outs[0]
  }

  /// The input tensors a tensor ultimately depends on.
  private func sourceInputs(_ t: SymbolicTensor) -> [SymbolicTensor] {
    let node = t.sourceLayer.inboundNodes[t.nodeIndex]
    if node.inboundLayers.isEmpty { return [t] }
    var out: [SymbolicTensor] = []
    for x in node.inputTensors {
      for s in sourceInputs(x) where !out.contains(where: { $0 === s }) { out.append(s) }
    }
    return out
  }

  /// Removes the last layer (TF.js `pop`).
  public func pop() throws {
    guard !layers.isEmpty else { throw valueError("There are no layers in the model.") }
    layers.removeLast()
    if layers.isEmpty {
      outputs = []
      inputs = []
      nodesByDepth = [:]
      return
    }
    let last = layers[layers.count - 1]
    let out = last.inboundNodes[last.inboundNodes.count - 1].outputTensors
    let kept = layers
    try setGraph(inputs: inputs, outputs: out)
    layers = kept
  }

  override public func layerConfig() -> ConfigObject {
    ConfigObject([
      (
        "layers",
        .array(
          layers.map { l in
            .object(
              ConfigObject([
                ("className", .string(l.className)), ("config", .object(l.getConfig())),
              ]))
          })
      )
    ])
  }
}
