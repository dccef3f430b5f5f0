// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Layer classes by Keras/TF.js class name, and building layers and models
// from (camel-cased) configs (TF.js `deserialize`, `Container.fromConfig`,
// `Sequential.fromConfig`).

/// The registry of layer classes by `className`.
public enum LayerRegistry {
  nonisolated(unsafe) static var classes: [String: Layer.Type] = {
    var table: [String: Layer.Type] = [:]
    let all: [Layer.Type] = [
      InputLayer.self, Dense.self, Flatten.self, Reshape.self, Dropout.self, ActivationLayer.self,
      ReLU.self, LeakyReLU.self, ELU.self, SoftmaxLayer.self,
      Conv1D.self, Conv2D.self, Conv2DTranspose.self, DepthwiseConv2D.self, SeparableConv2D.self,
      MaxPooling1D.self, MaxPooling2D.self, AveragePooling1D.self, AveragePooling2D.self,
      GlobalAveragePooling1D.self, GlobalAveragePooling2D.self, GlobalMaxPooling1D.self,
      GlobalMaxPooling2D.self, BatchNormalization.self, ZeroPadding2D.self, Cropping2D.self,
      UpSampling2D.self, Rescaling.self, Add.self, Multiply.self, Average.self, Maximum.self,
      Minimum.self, Concatenate.self, Embedding.self, Permute.self, RepeatVector.self,
      LayerNormalization.self,
    ]
    for cls in all { table[cls.className] = cls }
    // Keras aliases.
    table["Convolution2D"] = Conv2D.self
    table["Convolution1D"] = Conv1D.self
    table["MaxPool2D"] = MaxPooling2D.self
    table["AvgPool2D"] = AveragePooling2D.self
    table["GlobalAvgPool2D"] = GlobalAveragePooling2D.self
    return table
  }()

  /// The class names that can be built.
  public static var classNames: [String] { classes.keys.sorted() }

  /// Registers (or replaces) a layer class.
  public static func register(_ cls: Layer.Type, as name: String? = nil) {
    classes[name ?? cls.className] = cls
  }

  /// TF.js's error for an unknown class.
  static func unknownLayer(_ name: String) -> LayersError {
    valueError(
      "Unknown layer: \(name). This may be due to one of the following reasons:\n"
        + "1. The layer is defined in Python, in which case it needs to be ported to TensorFlow.js "
        + "or your JavaScript code.\n2. The custom layer is defined in JavaScript, but is not "
        + "registered properly with tf.serialization.registerClass()."
        + didYouMean(name, in: classNames).replacingOccurrences(of: " Did", with: "\nDid"))
  }

  /// Builds a layer (or a nested model) from `{className, config}` (camel-cased keys).
  public static func deserialize(_ entry: ConfigObject) throws -> Layer {
    guard let cls = try entry.string("className") else {
      throw valueError("Improper config format: 'className' and 'config' must set.")
    }
    let config = entry["config"]?.object ?? ConfigObject()
    switch cls {
    case "Sequential": return try sequentialFromConfig(entry["config"] ?? .null)
    case "Model", "Functional": return try functionalFromConfig(config)
    default:
      guard let type = classes[cls] else { throw unknownLayer(cls) }
      do {
        return try type.init(config)
      } catch let e as LayersError {
        throw LayersError(
          e.kind,
          "Error in layer \(try config.string("name") ?? cls) (\(cls)): "
            + e.message)
      }
    }
  }

  // MARK: - Models

  /// `Sequential.fromConfig`: a list of layer entries or `{name, layers}`.
  public static func sequentialFromConfig(_ config: ConfigValue) throws -> Sequential {
    var name: String?
    let entries: [ConfigValue]
    if let list = config.array {
      entries = list
    } else if let o = config.object, let list = o["layers"]?.array {
      entries = list
      name = try o.string("name")
    } else {
      throw valueError("Legacy serialization format not supported yet.")
    }
    if let first = entries.first?.object, try first.string("className") == "Merge" {
      throw valueError("Legacy serialization format not supported yet.")
    }
    let model = try Sequential(name: name)
    for e in entries {
      var layer: Layer?
      do {
        guard let o = e.object else {
          throw valueError("Expected a layer config object in Sequential")
        }
        layer = try deserialize(o)
        try model.add(layer!)
      } catch {
        // Release the weights the layers built so far made (they are engine variables).
        layer?.dispose()
        model.dispose()
        throw error
      }
    }
    return model
  }

  static func sequentialFromConfig(_ config: ConfigObject) throws -> Sequential {
    try sequentialFromConfig(.object(config))
  }

  /// `Container.fromConfig`: builds every layer, then replays the inbound nodes in file
  /// order until all are processed, then resolves inputs and outputs.
  public static func functionalFromConfig(_ config: ConfigObject) throws -> LayersModel {
    guard let layerList = config["layers"]?.array else {
      throw valueError("A functional model config needs a 'layers' list.")
    }
    var order: [(Layer, [ConfigValue])] = []
    do {
      return try functionalFromConfig(config, layerList, &order)
    } catch {
      // Release the weights the layers built so far made (they are engine variables).
      for (layer, _) in order { layer.dispose() }
      throw error
    }
  }

  private static func functionalFromConfig(
    _ config: ConfigObject, _ layerList: [ConfigValue], _ order: inout [(Layer, [ConfigValue])]
  ) throws -> LayersModel {
    var byName: [String: Layer] = [:]
    for item in layerList {
      guard let entry = item.object else { throw valueError("Expected a layer config object") }
      let layer = try deserialize(entry)
      let name = try entry.string("name") ?? layer.name
      byName[name] = layer
      let nodes = entry["inboundNodes"]?.array ?? []
      for n in nodes where n.array == nil {
        throw valueError("Corrupted configuration, expected array for nodeData: \(n.jsText)")
      }
      order.append((layer, nodes))
    }
    var pending: [ObjectIdentifier: [[ConfigValue]]] = [:]
    for (layer, nodes) in order { pending[ObjectIdentifier(layer)] = nodes.compactMap(\.array) }
    var progress = true
    while progress && pending.values.contains(where: { !$0.isEmpty }) {
      progress = false
      for (layer, _) in order {
        let key = ObjectIdentifier(layer)
        while let nodeData = pending[key]?.first {
          guard let inputs = try resolveNode(nodeData, byName) else { break }
          var kwargs = ConfigObject()
          if let first = nodeData.first?.array, first.count > 3, let k = first[3].object {
            kwargs = k
          }
          _ = try layer.apply(inputs.map(\.0), callArgs: kwargs)
          pending[key]!.removeFirst()
          progress = true
        }
      }
    }
    if let stuck = order.first(where: { !(pending[ObjectIdentifier($0.0)] ?? []).isEmpty }) {
      throw valueError(
        "Cannot resolve the inbound nodes of layer \(stuck.0.name): an inbound "
          + "layer is missing or the graph has a cycle.")
    }
    func refs(_ key: String) throws -> [SymbolicTensor] {
      guard var list = config[key]?.array else {
        throw valueError("Missing \(key) in model config")
      }
      if list.first?.string != nil { list = [.array(list)] }
      return try list.map { item in
        guard let r = item.array, r.count >= 3, let n = r[0].string,
          let ni = exactInt(r[1].number), let ti = exactInt(r[2].number), ni >= 0, ti >= 0
        else { throw valueError("Bad entry in \(key): \(item.jsText)") }
        guard let layer = byName[n] else { throw valueError("Unknown layer \(n) in \(key)") }
        guard ni < layer.inboundNodes.count, ti < layer.inboundNodes[ni].outputTensors.count
        else { throw valueError("Layer \(n) has no node \(ni) output \(ti) (\(key))") }
        return layer.inboundNodes[ni].outputTensors[ti]
      }
    }
    return try LayersModel(
      inputs: try refs("inputLayers"), outputs: try refs("outputLayers"),
      name: try config.string("name"))
  }

  /// The input tensors of one saved node, or nil when an inbound layer lacks that node yet.
  private static func resolveNode(_ nodeData: [ConfigValue], _ byName: [String: Layer]) throws
    -> [(SymbolicTensor, Int)]?
  {
    var out: [(SymbolicTensor, Int)] = []
    for item in nodeData {
      guard let r = item.array, r.count >= 3, let n = r[0].string,
        let ni = exactInt(r[1].number), let ti = exactInt(r[2].number), ni >= 0, ti >= 0
      else { throw valueError("Corrupted configuration, bad inbound node entry \(item.jsText)") }
      guard let layer = byName[n] else {
        throw valueError("Corrupted configuration: unknown inbound layer \(n)")
      }
      guard ni < layer.inboundNodes.count else { return nil }
      let outs = layer.inboundNodes[ni].outputTensors
      guard ti < outs.count else {
        throw valueError("Layer \(n) node \(ni) has no output \(ti)")
      }
      out.append((outs[ti], ni))
    }
    return out
  }

  /// A model from a `modelTopology` value (wrapped `{model_config}` or bare
  /// `{class_name, config}`), Keras 2 or Keras 3, snake_case as in files.
  public static func modelFromTopology(_ topology: ConfigValue) throws -> LayersModel {
    guard var top = topology.object else { throw valueError("modelTopology must be an object") }
    if let inner = top["model_config"]?.object { top = inner }
    let normalized = normalizeKeras3(.object(top))
    guard let entry = normalized.camelCased().object else {
      throw valueError("modelTopology must be an object")
    }
    let layer = try deserialize(entry)
    guard let model = layer as? LayersModel else {
      throw valueError("The modelTopology is a \(layer.className), not a model.")
    }
    return model
  }
}
