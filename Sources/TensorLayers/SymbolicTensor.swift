// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Symbolic tensors and nodes (TF.js engine/topology.ts): applying a layer to
// symbolic tensors records a Node linking the inbound layers to the layer and
// yields new symbolic tensors whose shapes have `nil` for unknown dimensions.

/// Process-wide counters for ids and default names (TF.js backend/state.ts).
enum UID {
  nonisolated(unsafe) static var nextTensorId = 0
  nonisolated(unsafe) static var nextNodeId = 0
  nonisolated(unsafe) static var prefixes: [String: Int] = [:]

  /// TF.js `getUid(prefix)`: the prefix followed by a per-prefix counter from 1.
  static func get(_ prefix: String) -> String {
    let n = (prefixes[prefix] ?? 0) + 1
    prefixes[prefix] = n
    return prefix + String(n)
  }

  static func tensorId() -> Int {
    defer { nextTensorId += 1 }
    return nextTensorId
  }
}

/// A placeholder for a tensor flowing through a layer graph (TF.js `SymbolicTensor`).
public final class SymbolicTensor: CustomStringConvertible {
  /// Unique id, in creation order.
  public let id: Int
  /// The element type.
  public let dtype: DType
  /// The shape; `nil` marks an unknown dimension (the batch, usually).
  public let shape: [Int?]
  /// The layer whose output this is.
  public let sourceLayer: Layer
  /// The symbolic inputs of the call that produced this tensor.
  public let inputs: [SymbolicTensor]
  /// Index of the producing node in `sourceLayer.inboundNodes`.
  public internal(set) var nodeIndex: Int
  /// Index of this tensor among the node's outputs.
  public internal(set) var tensorIndex: Int
  /// Scoped name, e.g. `dense_Dense1/dense_Dense1`.
  public let name: String

  init(
    dtype: DType, shape: [Int?], sourceLayer: Layer, inputs: [SymbolicTensor], name: String,
    nodeIndex: Int, tensorIndex: Int
  ) {
    self.id = UID.tensorId()
    self.dtype = dtype
    self.shape = shape
    self.sourceLayer = sourceLayer
    self.inputs = inputs
    self.name = name
    self.nodeIndex = nodeIndex
    self.tensorIndex = tensorIndex
  }

  /// Number of dimensions.
  public var rank: Int { shape.count }

  /// `SymbolicTensor { name, shape, dtype }`.
  public var description: String {
    "SymbolicTensor(name: \(name), shape: \(shapeJSON(shape)), dtype: \(dtype))"
  }
}

/// One call of a layer in a graph: which tensors went in and came out (TF.js `Node`).
public final class Node {
  /// Unique id, in creation order.
  public let id: Int
  /// The layer that was called.
  public let outboundLayer: Layer
  /// The layers that produced each input.
  public let inboundLayers: [Layer]
  /// For each input, the node index in its producing layer.
  public let nodeIndices: [Int]
  /// For each input, the output index in its producing node.
  public let tensorIndices: [Int]
  /// The symbolic inputs.
  public internal(set) var inputTensors: [SymbolicTensor]
  /// The symbolic outputs.
  public internal(set) var outputTensors: [SymbolicTensor]
  /// Shapes of the inputs.
  public internal(set) var inputShapes: [[Int?]]
  /// Shapes of the outputs.
  public internal(set) var outputShapes: [[Int?]]
  /// Keyword args of the call (from a loaded config), kept for serialization.
  public let callArgs: ConfigObject

  init(
    outboundLayer: Layer, inboundLayers: [Layer], nodeIndices: [Int], tensorIndices: [Int],
    inputTensors: [SymbolicTensor], outputTensors: [SymbolicTensor], inputShapes: [[Int?]],
    outputShapes: [[Int?]], callArgs: ConfigObject = ConfigObject()
  ) {
    UID.nextNodeId += 1
    self.id = UID.nextNodeId
    self.outboundLayer = outboundLayer
    self.inboundLayers = inboundLayers
    self.nodeIndices = nodeIndices
    self.tensorIndices = tensorIndices
    self.inputTensors = inputTensors
    self.outputTensors = outputTensors
    self.inputShapes = inputShapes
    self.outputShapes = outputShapes
    self.callArgs = callArgs
    for layer in inboundLayers { layer.outboundNodes.append(self) }
    outboundLayer.inboundNodes.append(self)
  }
}
