// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

/// Loading layers models (TF.js `tf.loadLayersModel`): from a file path, or from the
/// model.json bytes plus a fetcher for the weight files (for URLs).
public enum ModelLoader {
  /// Loads `model.json` and its weight shards (next to it); the model comes back
  /// compiled when model.json has a training config (`TrainingConfig.apply`).
  public static func loadLayersModel(path: String, strict: Bool = true) throws -> LayersModel {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw valueError("model.json path \(path) does not exist: loading failed")
    }
    if isDir.boolValue {
      throw valueError(
        "The path to load from must be a file. Loading from a directory is not supported.")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw valueError("Cannot read \(path)")
    }
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
    return try loadLayersModel(json: data, source: path, strict: strict) { p in
      let url = dir.appendingPathComponent(p)
      guard let d = FileManager.default.contents(atPath: url.path) else {
        throw valueError("Weight file \(url.path) does not exist: loading failed")
      }
      return d
    }
  }

  /// Builds a model from model.json bytes; `fetchWeights(path)` returns each weight file
  /// named in the manifest (relative to the JSON). `source` names the JSON in errors.
  public static func loadLayersModel(
    json data: Data, source: String, strict: Bool = true,
    fetchWeights: (String) throws -> Data
  ) throws -> LayersModel {
    let json = try ConfigValue.parseJSON(data)
    guard let root = json.object else { throw valueError("model.json must hold a JSON object") }
    if try root.string("format") == "graph-model" {
      throw valueError("\(source) is a graph model; load it with tf.loadGraphModel().")
    }
    guard let topology = root["modelTopology"] else {
      throw valueError("\(source) has no modelTopology")
    }
    let model = try LayerRegistry.modelFromTopology(topology)
    if let manifest = root["weightsManifest"] {
      do {
        let all = try WeightsIO.load(manifest, fetch: fetchWeights)
        defer { for (_, t) in all { t.dispose() } }
        let specs = try WeightsIO.parseManifest(manifest).flatMap(\.specs)
        let optimizerNames = Set(specs.filter { $0.group == "optimizer" }.map(\.name))
        try model.loadWeights(all.filter { !optimizerNames.contains($0.0) }, strict: strict)
      } catch {
        model.dispose()  // release the half-made model's variables
        throw error
      }
    }
    do {
      try TrainingConfig.applyMetadata(root, to: model)
      try TrainingConfig.apply(root, to: model)  // last: nothing can fail after compiling
    } catch {
      model.dispose()
      throw error
    }
    return model
  }
}
