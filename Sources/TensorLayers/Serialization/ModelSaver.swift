// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Saving layers models as tfjs-node `model.save('file://dir')` does
// (tfjs-reference §4.7): model.json (bare snake_case topology, one weights
// group `weights.bin`) and the weights little-endian in `model.weights` order.

/// What a save wrote (TF.js `SaveResult.modelArtifactsInfo`).
public struct SaveInfo {
  /// When the save happened.
  public let dateSaved: Date
  /// Bytes of the topology JSON.
  public let modelTopologyBytes: Int
  /// Bytes of the weights manifest JSON.
  public let weightSpecsBytes: Int
  /// Bytes of weight data.
  public let weightDataBytes: Int
}

/// Writing models to disk.
public enum ModelSaver {
  /// The model.json text and the weight bytes of a model. `includeTrainingConfig`: also write
  /// a compiled model's `trainingConfig` (never optimizer weights), so that it loads back
  /// compiled. Off by default: TF.js writes `trainingConfig` only with `includeOptimizer: true`
  /// (together with the optimizer's weights), and `save` writes what tfjs-node writes.
  public static func artifacts(_ model: LayersModel, includeTrainingConfig: Bool = false) throws
    -> (json: String, topologyBytes: Int, specsBytes: Int, data: [UInt8])
  {
    var specs: [ConfigValue] = []
    var data: [UInt8] = []
    for w in model.weights {
      let values = try w.read().dataSync()
      data.reserveCapacity(data.count + 4 * values.count)
      for v in values {
        let bits = w.dtype == .int32 ? UInt32(bitPattern: Int32(v)) : v.bitPattern
        data += [
          UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF),
          UInt8(bits >> 24),
        ]
      }
      specs.append(
        .object(
          ConfigObject([
            ("name", .string(w.originalName)), ("shape", .ints(w.shape)),
            ("dtype", .string(w.dtype == .int32 ? "int32" : "float32")),
          ])))
    }
    let topology = model.toJSON()
    let specsValue = ConfigValue.array(specs)
    var root = ConfigObject([
      ("modelTopology", topology),
      (
        "weightsManifest",
        .array([
          .object(
            ConfigObject([
              ("paths", .array([.string("weights.bin")])), ("weights", specsValue),
            ]))
        ])
      ),
      ("format", .string("layers-model")),
      ("generatedBy", .string("TensorFlow.js tfjs-layers v4.22.0")),
      ("convertedBy", .null),
    ])
    // As tfjs-node with includeOptimizer false: the training config, no optimizer weights.
    if includeTrainingConfig, let training = TrainingConfig.serialize(model) {
      root["trainingConfig"] = training
    }
    if let metadata = model.userDefinedMetadata { root["userDefinedMetadata"] = metadata }
    return (
      ConfigValue.object(root).jsText, topology.jsText.utf8.count,
      specsValue.jsText.utf8.count, data
    )
  }

  /// `model.save('file://<directory>')`: creates the directory (its parent must exist).
  @discardableResult
  public static func save(
    _ model: LayersModel, directory: String, includeTrainingConfig: Bool = false
  ) throws -> SaveInfo {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isDir) {
      if !isDir.boolValue {
        throw valueError("Path \(directory) exists as a file. The path must be a directory.")
      }
    } else {
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: false)
      } catch {
        throw valueError("Cannot create directory \(directory): \(error.localizedDescription)")
      }
    }
    let a = try artifacts(model, includeTrainingConfig: includeTrainingConfig)
    let dir = URL(fileURLWithPath: directory)
    do {
      // Weights first: a model.json is never left pointing at a missing weights.bin.
      try AtomicFile.write(Data(a.data), to: dir.appendingPathComponent("weights.bin").path)
      try AtomicFile.write(Data(a.json.utf8), to: dir.appendingPathComponent("model.json").path)
    } catch {
      throw valueError("Cannot write the model to \(directory): \(error)")
    }
    return SaveInfo(
      dateSaved: Date(), modelTopologyBytes: a.topologyBytes,
      weightSpecsBytes: a.specsBytes, weightDataBytes: a.data.count)
  }
}
