// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Weight manifests and binary shards (tfjs-reference §2): groups of files
// concatenated in order, entries back to back without alignment, little-
// endian; float32/int32/bool, uint8/uint16 affine quantization and float16.

/// One entry of a `weightsManifest` group.
public struct WeightSpec {
  /// The weight name (`layer/weight`).
  public var name: String
  /// The shape.
  public var shape: [Int]
  /// The stored dtype (`float32`, `int32`, `bool`).
  public var dtype: String
  /// `uint8`, `uint16` or `float16` when quantized.
  public var quantization: String?
  /// Quantization scale.
  public var scale: Double?
  /// Quantization minimum.
  public var min: Double?
  /// `model` or `optimizer`.
  public var group: String?

  /// Bytes in the stream.
  var byteCount: Int {
    let n = shape.reduce(1, *)
    switch quantization {
    case "uint8": return n
    case "uint16", "float16": return 2 * n
    default: return dtype == "bool" ? n : 4 * n
    }
  }
}

/// Reading and decoding weights.
public enum WeightsIO {
  /// Parses a `weightsManifest` value into groups of (paths, specs).
  public static func parseManifest(_ value: ConfigValue) throws -> [(
    paths: [String], specs: [WeightSpec]
  )] {
    guard let groups = value.array else { throw valueError("weightsManifest must be an array") }
    return try groups.map { g in
      guard let o = g.object, let paths = o["paths"]?.array, let ws = o["weights"]?.array else {
        throw valueError("Each weightsManifest group needs 'paths' and 'weights'")
      }
      let specs = try ws.map { w -> WeightSpec in
        guard let e = w.object, let name = try e.string("name"),
          let shape = try e.ints("shape") ?? (e["shape"]?.array?.isEmpty == true ? [] : nil)
        else { throw valueError("Bad weight entry in weightsManifest: \(w.jsText)") }
        if shape.contains(where: { $0 < 0 }) {
          throw valueError("Bad shape for weight \(name) in weightsManifest: \(shapeJS(shape))")
        }
        let q = e["quantization"]?.object
        return WeightSpec(
          name: name, shape: shape, dtype: try e.string("dtype") ?? "float32",
          quantization: try q?.string("dtype"), scale: try q?.double("scale"),
          min: try q?.double("min"), group: try e.string("group"))
      }
      return (paths.compactMap(\.string), specs)
    }
  }

  /// Decodes the concatenated bytes of a group into named tensors, in manifest order.
  public static func decode(_ specs: [WeightSpec], _ data: [UInt8]) throws -> [(String, Tensor)] {
    var offset = 0
    var out: [(String, Tensor)] = []
    for spec in specs {
      let n = spec.shape.reduce(1, *)
      let count = spec.byteCount
      guard offset + count <= data.count else {
        throw valueError(
          "Weight data is too short for \(spec.name): need \(offset + count) bytes "
            + "but the shards hold \(data.count).")
      }
      var values = [Float](repeating: 0, count: n)
      func u16(_ i: Int) -> UInt16 {
        UInt16(data[offset + 2 * i]) | (UInt16(data[offset + 2 * i + 1]) << 8)
      }
      func u32(_ i: Int) -> UInt32 {
        let b = offset + 4 * i
        return UInt32(data[b]) | (UInt32(data[b + 1]) << 8) | (UInt32(data[b + 2]) << 16)
          | (UInt32(data[b + 3]) << 24)
      }
      let isInt = spec.dtype == "int32"
      switch spec.quantization {
      case "uint8", "uint16":
        guard let scale = spec.scale, let min = spec.min else {
          throw valueError(
            "Weight \(spec.name) is quantized to \(spec.quantization!) but has no "
              + "min and scale.")
        }
        for i in 0..<n {
          let code = spec.quantization == "uint8" ? Double(data[offset + i]) : Double(u16(i))
          let v = code * scale + min
          values[i] = isInt ? Float((v + 0.5).rounded(.down)) : Float(v)
        }
      case "float16":
        guard spec.dtype == "float32" else {
          throw valueError(
            "float16 quantization is only supported for float32 weights "
              + "(\(spec.name) is \(spec.dtype)).")
        }
        for i in 0..<n { values[i] = Float(Float16(bitPattern: u16(i))) }
      case nil:
        switch spec.dtype {
        case "float32": for i in 0..<n { values[i] = Float(bitPattern: u32(i)) }
        case "int32": for i in 0..<n { values[i] = Float(Int32(bitPattern: u32(i))) }
        case "bool": for i in 0..<n { values[i] = data[offset + i] != 0 ? 1 : 0 }
        default: throw valueError("Unsupported dtype in weight manifest: \(spec.dtype)")
        }
      case let q?:
        throw valueError("Unsupported quantization type: \(q)")
      }
      offset += count
      let dtype: DType = spec.dtype == "int32" ? .int32 : spec.dtype == "bool" ? .bool : .float32
      out.append((spec.name, try Tensor.tensor(values, shape: spec.shape, dtype: dtype)))
    }
    return out
  }

  /// Reads every group's shards from `directory` and decodes them.
  public static func load(_ manifest: ConfigValue, directory: URL) throws -> [(String, Tensor)] {
    try load(manifest) { p in
      let url = directory.appendingPathComponent(p)
      guard let d = FileManager.default.contents(atPath: url.path) else {
        throw valueError("Weight file \(url.path) does not exist: loading failed")
      }
      return d
    }
  }

  /// Fetches every group's shards with `fetch(path)` (paths as the manifest lists them)
  /// and decodes them.
  public static func load(_ manifest: ConfigValue, fetch: (String) throws -> Data) throws
    -> [(String, Tensor)]
  {
    var out: [(String, Tensor)] = []
    for group in try parseManifest(manifest) {
      var bytes: [UInt8] = []
      for p in group.paths { bytes += [UInt8](try fetch(p)) }
      out += try decode(group.specs, bytes)
    }
    return out
  }
}

extension LayersModel {
  /// TF.js `loadWeights(map, strict)`: assigns weights by `originalName`; a name not found
  /// is retried without its second-to-last segment, then without leading scope segments.
  /// Nothing is assigned unless every check passes.
  public func loadWeights(_ named: [(String, Tensor)], strict: Bool = true) throws {
    var targets: [String: LayerVariable] = [:]
    for w in weights {
      if targets[w.originalName] != nil {
        throw valueError("Duplicate weight name: \(w.originalName)")
      }
      targets[w.originalName] = w
    }
    var plan: [(LayerVariable, Tensor)] = []
    var assigned = Set<String>()
    for (name, value) in named {
      var target = targets[name]
      let parts = name.split(separator: "/").map(String.init)
      if target == nil, parts.count >= 3 {
        target = targets[(parts.dropLast(2) + [parts[parts.count - 1]]).joined(separator: "/")]
      }
      var drop = 1
      while target == nil, drop <= parts.count - 2 {
        target = targets[parts.dropFirst(drop).joined(separator: "/")]
        drop += 1
      }
      guard let t = target else {
        if strict { throw valueError("Provided weight data has no target variable: \(name)") }
        continue
      }
      if t.shape != value.shape {
        throw valueError(
          "Shape mismatch for weight \(name): the model has "
            + "[\(shapeJS(t.shape))] but the file has [\(shapeJS(value.shape))]")
      }
      plan.append((t, value))
      assigned.insert(t.originalName)
    }
    if strict && assigned.count < targets.count {
      let missing = weights.map(\.originalName).filter { !assigned.contains($0) }
      throw valueError("\(missing.count) of \(targets.count) weights are not set: \(missing)")
    }
    for (t, v) in plan { try t.write(v) }
  }
}
