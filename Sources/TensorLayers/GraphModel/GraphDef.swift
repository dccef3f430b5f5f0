// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// A TensorFlow GraphDef as the converter writes it into model.json
// (`modelTopology`: proto3 JSON, tfjs-reference §3.2-3.3). Attributes are
// decoded once at load time the way TF.js's operation mapper does: base64
// strings, int64 as decimal strings, dtype enum names, shapes with "-1".

/// One decoded `AttrValue` of a graph node.
public enum GraphAttr {
  /// `s`: the base64-decoded bytes as text (not lower-cased).
  case string(String)
  /// `i`: an int64 (sent as a decimal string).
  case int(Int)
  /// `f`: a float.
  case float(Double)
  /// `b`: a bool.
  case bool(Bool)
  /// `type`: a dtype enum name such as `DT_FLOAT`.
  case type(String)
  /// `shape`: dims (-1 unknown), or nil for unknown rank.
  case shape([Int]?)
  /// `tensor`: a constant's dtype and shape (its values live in the weights).
  case tensor(dtype: String, shape: [Int])
  /// `list`: ints, floats, strings, types, shapes or bools (empty when absent).
  case list(GraphAttrList)
  /// `func` or anything else the executor has no use for.
  case other
}

/// The members of a `list` attribute.
public struct GraphAttrList {
  /// `list.i`.
  public var ints: [Int] = []
  /// `list.f`.
  public var floats: [Double] = []
  /// `list.s`, decoded.
  public var strings: [String] = []
  /// `list.type`.
  public var types: [String] = []
  /// `list.shape`.
  public var shapes: [[Int]?] = []
  /// `list.b`.
  public var bools: [Bool] = []
}

/// A reference to one output of a node: `name` or `name:k`.
public struct GraphEdge: Hashable {
  /// The producing node.
  public var node: String
  /// Which of its outputs.
  public var index: Int

  /// Parses `name`, `name:1` or a control input `^name` (treated as output 0, as TF.js does).
  public init(parsing text: String) {
    var s = text
    if s.hasPrefix("^") { s.removeFirst() }
    if let colon = s.lastIndex(of: ":"), let k = Int(s[s.index(after: colon)...]), k >= 0 {
      node = String(s[..<colon])
      index = k
    } else {
      node = s
      index = 0
    }
  }

  /// An edge from its parts.
  public init(node: String, index: Int) {
    self.node = node
    self.index = index
  }

  /// `name` for output 0, else `name:k`.
  public var text: String { index == 0 ? node : "\(node):\(index)" }
}

/// One node of the graph.
public struct GraphNode {
  /// Unique node name.
  public let name: String
  /// The TensorFlow op name (`_FusedConv2D`, `Const`...).
  public let op: String
  /// Data inputs in order (control inputs `^x` included, as TF.js keeps them).
  public let inputs: [GraphEdge]
  /// True for each input that was a control dependency (`^x`).
  public let isControlInput: [Bool]
  /// Decoded attributes.
  public let attrs: [String: GraphAttr]
}

// MARK: - Attribute accessors

extension GraphNode {
  /// A string attribute (base64-decoded), lower-cased as TF.js does unless `keepCase`.
  func string(_ key: String, keepCase: Bool = false) -> String? {
    guard case .string(let s)? = attrs[key] else { return nil }
    return keepCase ? s : s.lowercased()
  }

  /// An integer attribute; proto3 omits zeros, so an absent `i` reads as `fallback`.
  func int(_ key: String, _ fallback: Int = 0) -> Int {
    switch attrs[key] {
    case .int(let v)?: return v
    case .float(let f)? where f.isFinite && abs(f) < 1e15: return Int(f)
    default: return fallback
    }
  }

  /// A float attribute (`f`, else `i`), or `fallback`.
  func float(_ key: String, _ fallback: Double) -> Double {
    switch attrs[key] {
    case .float(let v)?: return v
    case .int(let v)?: return Double(v)
    default: return fallback
    }
  }

  /// A bool attribute; absent reads as `fallback` (proto3 omits false).
  func bool(_ key: String, _ fallback: Bool = false) -> Bool {
    if case .bool(let b)? = attrs[key] { return b }
    return fallback
  }

  /// An int-list attribute (`list.i`, or `list.f` when that is the non-empty one).
  func ints(_ key: String) -> [Int]? {
    guard case .list(let l)? = attrs[key] else { return nil }
    if l.ints.isEmpty && !l.floats.isEmpty {
      return l.floats.map { $0.isFinite && abs($0) < 1e15 ? Int($0) : 0 }
    }
    return l.ints
  }

  /// A string-list attribute, lower-cased as TF.js does.
  func strings(_ key: String) -> [String] {
    guard case .list(let l)? = attrs[key] else { return [] }
    return l.strings.map { $0.lowercased() }
  }

  /// A dtype attribute mapped as TF.js maps it (float/half/double → float32; ints → int32).
  func dtype(_ key: String) -> DType? {
    guard case .type(let t)? = attrs[key] else { return nil }
    return GraphDef.dtype(fromEnum: t)
  }

  /// The `shape` attribute of a Placeholder, nil when unknown.
  func shape(_ key: String) -> [Int]? {
    guard case .shape(let s)? = attrs[key] else { return nil }
    return s
  }
}

// MARK: - Parsing

/// Parsing a GraphDef's JSON form.
public enum GraphDef {
  /// TF.js's dtype mapping of `DataType` enum names (or their numeric codes).
  public static func dtype(fromEnum name: String) -> DType? {
    switch name {
    case "DT_FLOAT", "DT_HALF", "DT_DOUBLE", "DT_BFLOAT16", "1", "2", "19", "14": return .float32
    case "DT_INT32", "DT_INT64", "DT_INT8", "DT_UINT8", "DT_INT16", "DT_UINT16",
      "3", "9", "6", "4", "5", "17":
      return .int32
    case "DT_BOOL", "10": return .bool
    default: return nil
    }
  }

  /// Reads `modelTopology.node[]` into nodes; a malformed node is an error naming it.
  public static func parseNodes(_ topology: ConfigValue) throws -> [GraphNode] {
    guard let root = topology.object else {
      throw valueError("The graph model's modelTopology must be an object (a GraphDef).")
    }
    guard let list = root["node"] else { return [] }
    guard let nodes = list.array else {
      throw valueError("The graph model's modelTopology.node must be an array.")
    }
    var out: [GraphNode] = []
    out.reserveCapacity(nodes.count)
    for (i, n) in nodes.enumerated() {
      guard let o = n.object, let name = o["name"]?.string, !name.isEmpty else {
        throw valueError("Graph node #\(i) has no name.")
      }
      guard let op = o["op"]?.string, !op.isEmpty else {
        throw valueError("Graph node '\(name)' has no op.")
      }
      var inputs: [GraphEdge] = []
      var control: [Bool] = []
      if let ins = o["input"], !ins.isNull {
        guard let arr = ins.array else {
          throw valueError("The inputs of graph node '\(name)' must be an array of names.")
        }
        for v in arr {
          guard let s = v.string, !s.isEmpty else {
            throw valueError("Graph node '\(name)' has an input that is not a node name.")
          }
          inputs.append(GraphEdge(parsing: s))
          control.append(s.hasPrefix("^"))
        }
      }
      var attrs: [String: GraphAttr] = [:]
      if let a = o["attr"]?.object {
        for (key, value) in a.pairs {
          attrs[key] = try decodeAttr(value, key: key, node: name)
        }
      }
      out.append(
        GraphNode(name: name, op: op, inputs: inputs, isControlInput: control, attrs: attrs))
    }
    return out
  }

  private static func decodeAttr(_ v: ConfigValue, key: String, node: String) throws
    -> GraphAttr
  {
    guard let o = v.object else {
      throw valueError("Attribute '\(key)' of graph node '\(node)' must be an object.")
    }
    func bad() -> LayersError {
      valueError("Attribute '\(key)' of graph node '\(node)' is malformed: \(v.jsText)")
    }
    if let s = o["s"] {
      guard let text = s.string, let decoded = base64Text(text) else { throw bad() }
      return .string(decoded)
    }
    if let i = o["i"] {
      guard let n = int64(i) else { throw bad() }
      return .int(n)
    }
    if let f = o["f"] {
      if let d = f.number { return .float(d) }
      // proto3 JSON spells non-finite floats as strings.
      switch f.string {
      case "NaN"?: return .float(.nan)
      case "Infinity"?: return .float(.infinity)
      case "-Infinity"?: return .float(-.infinity)
      default: throw bad()
      }
    }
    if let b = o["b"] {
      guard case .bool(let flag) = b else { throw bad() }
      return .bool(flag)
    }
    if let t = o["type"] {
      if let s = t.string { return .type(s) }
      if let n = exactInt(t.number) { return .type(String(n)) }
      throw bad()
    }
    if let s = o["shape"] {
      guard s.object != nil else { throw bad() }
      return .shape(try shape(s, bad))
    }
    if let t = o["tensor"] {
      guard let to = t.object else { throw bad() }
      let dtype = to["dtype"]?.string ?? "DT_FLOAT"
      let dims = try to["tensorShape"].map { try shape($0, bad) } ?? []
      return .tensor(dtype: dtype, shape: dims ?? [])
    }
    if let l = o["list"] {
      guard let lo = l.object else { throw bad() }
      var list = GraphAttrList()
      list.ints = try (lo["i"]?.array ?? []).map {
        guard let n = int64($0) else { throw bad() }
        return n
      }
      list.floats = try (lo["f"]?.array ?? []).map {
        guard let d = $0.number else { throw bad() }
        return d
      }
      list.strings = try (lo["s"]?.array ?? []).map {
        guard let s = $0.string, let d = base64Text(s) else { throw bad() }
        return d
      }
      list.types = (lo["type"]?.array ?? []).map {
        $0.string ?? exactInt($0.number).map(String.init) ?? ""
      }
      list.shapes = try (lo["shape"]?.array ?? []).map { try shape($0, bad) }
      list.bools = (lo["b"]?.array ?? []).map {
        if case .bool(let b) = $0 { return b }
        return false
      }
      return .list(list)
    }
    return .other
  }

  /// `{"dim":[{"size":"-1"}, ...]}` → dims; `{"unknownRank":true}` → nil; `{}` → scalar.
  private static func shape(_ v: ConfigValue, _ bad: () -> LayersError) throws -> [Int]? {
    guard let o = v.object else { throw bad() }
    if case .bool(true)? = o["unknownRank"] { return nil }
    guard let dims = o["dim"]?.array else { return [] }
    return try dims.map { d in
      guard let size = d.object?["size"] else { return 0 }
      guard let n = int64(size) else { throw bad() }
      return n
    }
  }

  /// An int64 sent as a decimal string (or a plain JSON number).
  static func int64(_ v: ConfigValue) -> Int? {
    if let s = v.string { return Int(s) }
    return exactInt(v.number)
  }

  /// Base64 bytes decoded to text (UTF-8, else Latin-1 so no bytes are lost).
  static func base64Text(_ s: String) -> String? {
    guard let data = Data(base64Encoded: s) else { return nil }
    return String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
  }
}
