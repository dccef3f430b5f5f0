// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Keras 3 configs rewritten to the Keras 2 form TF.js reads (tfjs-reference
// §1.6): batch_shape, DTypePolicy objects, {args, kwargs} nodes, flat
// input/output layer triples, nested Sequential node indices.

/// Rewrites a snake_case Keras 3 config to Keras 2 form (Keras 2 passes unchanged).
func normalizeKeras3(_ value: ConfigValue) -> ConfigValue {
  guard case .object(var o) = value else {
    if case .array(let items) = value { return .array(items.map(normalizeKeras3)) }
    return value
  }
  for key in ["module", "registered_name", "build_config", "compile_config"] { o[key] = nil }
  if let shape = o["batch_shape"], o["batch_input_shape"] == nil {
    o["batch_input_shape"] = shape
    o["batch_shape"] = nil
  }
  if let dt = o["dtype"]?.object, dt["class_name"]?.string == "DTypePolicy",
    let name = dt["config"]?.object?["name"]
  {
    o["dtype"] = name
  }
  // A model config: fix nodes and input/output refs.
  if let layers = o["layers"]?.array, o["input_layers"] != nil || o["output_layers"] != nil {
    let sequentialNames = Set(
      layers.compactMap { l -> String? in
        guard let lo = l.object, lo["class_name"]?.string == "Sequential" else { return nil }
        return lo["name"]?.string ?? lo["config"]?.object?["name"]?.string
      })
    o["layers"] = .array(
      layers.map { l in
        guard var lo = l.object else { return l }
        if let nodes = lo["inbound_nodes"]?.array {
          lo["inbound_nodes"] = .array(nodes.map { convertNode($0, sequentialNames) })
        }
        return normalizeKeras3(.object(lo))
      })
    for key in ["input_layers", "output_layers"] {
      guard let list = o[key]?.array, let name = list.first?.string else { continue }
      var ref = list
      if sequentialNames.contains(name), ref.count > 1, let n = ref[1].number {
        ref[1] = .number(n + 1)
      }
      o[key] = .array([.array(ref)])
    }
    for (k, v) in o.pairs where k != "layers" { o[k] = normalizeKeras3(v) }
    return .object(o)
  }
  for (k, v) in o.pairs { o[k] = normalizeKeras3(v) }
  return .object(o)
}

/// `{args, kwargs}` → `[[name, node, tensor, kwargs], ...]`.
private func convertNode(_ node: ConfigValue, _ sequentialNames: Set<String>) -> ConfigValue {
  guard let o = node.object, let args = o["args"] else { return node }
  let kwargs = o["kwargs"] ?? .object(ConfigObject())
  var refs: [ConfigValue] = []
  func collect(_ v: ConfigValue) {
    switch v {
    case .object(let t):
      if t["class_name"]?.string == "__keras_tensor__",
        let h = t["config"]?.object?["keras_history"]?.array, h.count >= 3, let name = h[0].string
      {
        var nodeIndex = h[1].number ?? 0
        if sequentialNames.contains(name) { nodeIndex += 1 }
        refs.append(.array([.string(name), .number(nodeIndex), h[2], kwargs]))
      } else {
        for (_, x) in t.pairs { collect(x) }
      }
    case .array(let items): items.forEach(collect)
    default: break
    }
  }
  collect(args)
  return .array(refs)
}
