// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// `model.summary()` exactly as TF.js prints it (utils/layer_utils.ts): the
// four-column layout for sequential-like models, five columns with
// "Receives inputs" otherwise, rows padded to the line length.

extension LayersModel {
  /// True when every depth has at most one node with at most one inbound layer and no
  /// layer has two relevant nodes (TF.js `isModelSequentialLike`).
  var isSequentialLike: Bool {
    var nodes = Set<Int>()
    for d in nodesByDepth.keys.sorted() {
      let depthNodes = nodesByDepth[d]!
      if depthNodes.count > 1 || (depthNodes.count == 1 && depthNodes[0].inboundLayers.count > 1) {
        return false
      }
      for n in depthNodes { nodes.insert(n.id) }
    }
    for layer in layers where layer.inboundNodes.filter({ nodes.contains($0.id) }).count > 1 {
      return false
    }
    return true
  }

  /// The summary lines (TF.js `summary(lineLength, positions)`, each line as printed).
  public func summary(lineLength: Int? = nil, positions: [Double]? = nil) throws -> [String] {
    let sequentialLike = isSequentialLike
    let width = lineLength ?? (sequentialLike ? 90 : 115)
    var pos = positions ?? (sequentialLike ? [0.32, 0.61, 0.89, 1] : [0.24, 0.48, 0.70, 0.80, 1])
    if let last = pos.last, last <= 1 { pos = pos.map { ($0 * Double(width)).rounded(.down) } }
    let cols = pos.map { Int($0) }
    var lines: [String] = []
    func row(_ fields: [String]) {
      var line = ""
      for (i, f) in fields.enumerated() where i < cols.count {
        if i > 0 { line = String(line.dropLast()) + " " }
        line += f
        line = String(line.prefix(Swift.max(cols[i], 0)))
        line += String(repeating: " ", count: Swift.max(0, cols[i] - line.count))
      }
      lines.append(line)
    }
    let headers = ["Layer (type)", "Input Shape", "Output shape", "Param #"]
    lines.append(String(repeating: "_", count: width))
    row(sequentialLike ? headers : headers + ["Receives inputs"])
    lines.append(String(repeating: "=", count: width))
    let relevant = Set(nodesByDepth.values.flatMap { $0.map(\.id) })
    for (i, layer) in layers.enumerated() {
      let inputShape = layer.inboundNodes.map { n in
        "[" + n.inputShapes.map(shapeJSON).joined(separator: ",") + "]"
      }.joined(separator: ",")
      let outputShape: String
      if let shapes = try? layer.outputShape {
        outputShape =
          shapes.count == 1
          ? shapeJSON(shapes[0]) : "[" + shapes.map(shapeJSON).joined(separator: ",") + "]"
      } else {
        outputShape = "multiple"
      }
      let fields = [
        "\(layer.name) (\(layer.className))", inputShape, outputShape,
        String(try layer.countParams()),
      ]
      if sequentialLike {
        row(fields)
      } else {
        var connections: [String] = []
        for node in layer.inboundNodes where relevant.isEmpty || relevant.contains(node.id) {
          for j in 0..<node.inboundLayers.count {
            connections.append(
              "\(node.inboundLayers[j].name)[\(node.nodeIndices[j])][\(node.tensorIndices[j])]")
          }
        }
        row(fields + [connections.first ?? ""])
        for c in connections.dropFirst() { row(["", "", "", "", c]) }
      }
      lines.append(String(repeating: i == layers.count - 1 ? "=" : "_", count: width))
    }
    let trainableCount = (compiled?.collectedTrainableWeights ?? trainableWeights)
      .reduce(0) { $0 + $1.shape.reduce(1, *) }
    let nonTrainableCount = nonTrainableWeights.reduce(0) { $0 + $1.shape.reduce(1, *) }
    lines.append("Total params: \(trainableCount + nonTrainableCount)")
    lines.append("Trainable params: \(trainableCount)")
    lines.append("Non-trainable params: \(nonTrainableCount)")
    lines.append(String(repeating: "_", count: width))
    return lines
  }
}
