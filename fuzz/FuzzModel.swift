// libFuzzer entry point for model files: the bytes are model.json, optionally
// followed by the marker line below and the bytes every weight file reads as.
// Layers models are loaded as tf.loadLayersModel does (ModelIO.layersModel: weights,
// training config, metadata), graph models as tf.loadGraphModel; a model that loads
// predicts once on a small input. Any crash, hang or sanitizer report is a bug.
// Built and run by fuzz/run-model.sh.

import Foundation
import TensorEngine

/// Separates model.json from the weight bytes in a fuzz input.
private let marker = Array("\n--weights--\n".utf8)

/// Inputs with more elements than this are not run (a shape of 10^6 is not a crash).
private let maxElements = 1 << 14

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  // Every tensor a load makes is released again, whether the load succeeds or fails:
  // a tensor left behind (a leak of model weights) stops the run with this input.
  let before = Engine.shared.memory.numTensors
  run(data, size)
  let after = Engine.shared.memory.numTensors
  if after != before {
    FileHandle.standardError.write(Data("leak: \(after - before) tensors left behind\n".utf8))
    abort()
  }
  return 0
}

/// Loads (and runs) the model of one input.
private func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var json = bytes[...]
  var weights: ArraySlice<UInt8> = []
  if let at = firstIndex(of: marker, in: bytes) {
    json = bytes[..<at]
    weights = bytes[(at + marker.count)...]
  }
  let shard = Data(weights)
  guard
    let artifacts = try? ModelArtifacts.fromMemory(json: Data(json), shard: { _ in shard })
  else { return }
  let isGraph = (try? artifacts.root.string("format")) == "graph-model"
    || artifacts.root["modelTopology"]?.object?["node"] != nil
  if isGraph {
    guard let model = try? ModelIO.graphModel(artifacts) else { return }
    defer { model.dispose() }
    var inputs: [Tensor] = []
    defer { for x in inputs { x.dispose() } }
    for info in model.inputs {
      let shape = (info.shape ?? [1]).map { $0 < 0 ? 1 : $0 }
      guard let x = smallInput(shape, info.dtype ?? .float32) else { return }
      inputs.append(x)
    }
    _ = try? Engine.shared.tidy { _ = try model.predict(inputs) }
  } else {
    guard let model = try? ModelIO.layersModel(artifacts) else { return }
    defer {
      model.compiled?.optimizer.dispose()  // compiled from a training config
      model.dispose()
    }
    var inputs: [Tensor] = []
    defer { for x in inputs { x.dispose() } }
    for input in model.inputs {
      guard let x = smallInput(input.shape.map { $0 ?? 1 }, input.dtype) else { return }
      inputs.append(x)
    }
    _ = try? Engine.shared.tidy { _ = try model.predict(inputs) }
  }
}

/// A tensor of the shape filled with small values, or nil when it would be too big.
private func smallInput(_ shape: [Int], _ dtype: DType) -> Tensor? {
  var n = 1
  for d in shape {
    guard d >= 0 else { return nil }
    let (m, overflow) = n.multipliedReportingOverflow(by: d)
    guard !overflow, m <= maxElements else { return nil }
    n = m
  }
  let values = (0..<n).map { Float($0 % 7) / 7 }
  return try? Tensor.tensor(values, shape: shape, dtype: dtype == .int32 ? .int32 : .float32)
}

/// Where `needle` first occurs in `hay`.
private func firstIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
  guard hay.count >= needle.count else { return nil }
  for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
    if Array(hay[i..<(i + needle.count)]) == needle { return i }
  }
  return nil
}
