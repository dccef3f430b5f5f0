// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// The entry points bindings call for model files:
//   tf.loadGraphModel(url, {fromTFHub})  ModelIO.loadGraphModel(_:options:)
//   tf.loadLayersModel(url, {strict})    ModelIO.loadLayersModel(_:options:)
//   model.save('file://dir')             ModelIO.save(_:to:)
// `url` is an http(s) URL, a file:// URL, or a path (absolute, `~/`, relative).

/// Loading and saving models by URL.
public enum ModelIO {
  /// `tf.loadGraphModel(url, options)`: a `format: "graph-model"` model.json and its weights.
  public static func loadGraphModel(_ url: String, options: ModelLoadOptions = ModelLoadOptions())
    throws -> GraphModel
  {
    let location = try ModelURL.parse(
      url, fromTFHub: options.fromTFHub, base: options.baseDirectory)
    let artifacts = try ModelArtifacts.load(
      location, cache: options.cache, weightPathPrefix: options.weightPathPrefix,
      onProgress: options.onProgress)
    return try graphModel(artifacts)
  }

  /// A graph model from loaded artifacts.
  public static func graphModel(_ artifacts: ModelArtifacts) throws -> GraphModel {
    let root = artifacts.root
    let format = try root.string("format")
    if format == "layers-model"
      || root["modelTopology"]?.object?["node"] == nil
        && (root["modelTopology"]?.object?.has("class_name") == true
          || root["modelTopology"]?.object?.has("model_config") == true)
    {
      throw valueError(
        "\(artifacts.location.text) is a layers model; load it with tf.loadLayersModel().")
    }
    let weights = try artifacts.decodeWeights()
    do {
      return try GraphModel(modelJSON: root, weights: weights)
    } catch {
      for (_, t) in weights { t.dispose() }
      throw error
    }
  }

  /// `tf.loadLayersModel(url, options)`: compiled from model.json's training config when it
  /// has one (as TF.js does), else uncompiled; `userDefinedMetadata` is kept.
  public static func loadLayersModel(
    _ url: String, options: ModelLoadOptions = ModelLoadOptions()
  ) throws -> LayersModel {
    let location = try ModelURL.parse(
      url, fromTFHub: options.fromTFHub, base: options.baseDirectory)
    let artifacts = try ModelArtifacts.load(
      location, cache: options.cache, weightPathPrefix: options.weightPathPrefix,
      onProgress: options.onProgress)
    return try layersModel(artifacts, strict: options.strict)
  }

  /// A layers model from loaded artifacts.
  public static func layersModel(_ artifacts: ModelArtifacts, strict: Bool = true) throws
    -> LayersModel
  {
    let root = artifacts.root
    if try root.string("format") == "graph-model" {
      throw valueError(
        "\(artifacts.location.text) is a graph model; load it with tf.loadGraphModel().")
    }
    guard let topology = root["modelTopology"] else {
      throw valueError("\(artifacts.location.text) has no modelTopology")
    }
    let model = try LayerRegistry.modelFromTopology(topology)
    do {
      if !artifacts.groups.isEmpty {
        let all = try artifacts.decodeWeights()
        defer { for (_, t) in all { t.dispose() } }
        let optimizer = Set(artifacts.specs.filter { $0.group == "optimizer" }.map(\.name))
        try model.loadWeights(all.filter { !optimizer.contains($0.0) }, strict: strict)
      }
      try TrainingConfig.applyMetadata(root, to: model)
      try TrainingConfig.apply(root, to: model)  // last: nothing can fail after compiling
    } catch {
      model.dispose()  // release the half-made model's variables
      throw error
    }
    return model
  }

  /// `model.save('file://dir')`: model.json + weights.bin as tfjs-node writes them, each
  /// replaced atomically, plus a compiled model's `trainingConfig` when
  /// `includeTrainingConfig` is true (see `ModelSaver.artifacts`). Only `file://` URLs and
  /// paths are supported.
  @discardableResult
  public static func save(
    _ model: LayersModel, to url: String, baseDirectory: String? = nil,
    includeTrainingConfig: Bool = false
  ) throws -> SaveInfo {
    guard case .file(let dir) = try ModelURL.parse(url, base: baseDirectory) else {
      throw valueError(
        "Saving to \(url) is not supported: save to a file:// URL or a folder path.")
    }
    return try ModelSaver.save(model, directory: dir, includeTrainingConfig: includeTrainingConfig)
  }
}

extension SaveInfo {
  /// TF.js `modelArtifactsInfo.modelTopologyType`: always `JSON`.
  public var modelTopologyType: String { "JSON" }
}
