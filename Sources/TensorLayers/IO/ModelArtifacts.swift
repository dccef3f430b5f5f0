// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Reading model.json and its weight files from disk or the web, for both
// model formats. Every failure names what failed: the file or URL, the
// weight, the group. Shard bytes are checked against the manifest before
// anything is decoded, so a truncated or oversized shard is an error, never
// a misread.

/// Options for loading a model (TF.js `LoadOptions`, plus the download cache).
public struct ModelLoadOptions {
  /// TF.js `fromTFHub`: append `model.json?tfjs-format=file` to the URL.
  public var fromTFHub = false
  /// TF.js `strict` (layers models): every weight must match a variable.
  public var strict = true
  /// The cache for http(s) downloads; nil disables caching.
  public var cache: DownloadCache? = .standard
  /// Folder that relative paths resolve against (default: the working folder).
  public var baseDirectory: String?
  /// TF.js `weightPathPrefix`: where the weight files are, instead of next to model.json
  /// (a URL or a path; relative paths resolve against model.json's folder).
  public var weightPathPrefix: String?
  /// TF.js `onProgress`: called with the fraction of files read (model.json and shards).
  public var onProgress: ((Double) -> Void)?

  /// Default options.
  public init(
    fromTFHub: Bool = false, strict: Bool = true, cache: DownloadCache? = .standard,
    baseDirectory: String? = nil, onProgress: ((Double) -> Void)? = nil
  ) {
    self.onProgress = onProgress
    self.fromTFHub = fromTFHub
    self.strict = strict
    self.cache = cache
    self.baseDirectory = baseDirectory
  }
}

/// model.json's content and the raw bytes of its weight groups.
public struct ModelArtifacts {
  /// Where model.json came from.
  public let location: ModelURL
  /// model.json's top-level object.
  public let root: ConfigObject
  /// Each manifest group: its specs and the concatenated bytes of its files.
  public let groups: [(specs: [WeightSpec], data: [UInt8])]

  /// All weights decoded, in manifest order.
  public func decodeWeights() throws -> [(String, Tensor)] {
    var out: [(String, Tensor)] = []
    do {
      for g in groups { out += try WeightsIO.decode(g.specs, g.data) }
    } catch {
      for (_, t) in out { t.dispose() }
      throw error
    }
    return out
  }

  /// The manifest specs of every group, in order.
  public var specs: [WeightSpec] { groups.flatMap(\.specs) }
}

extension ModelArtifacts {
  /// Reads model.json and every weight file it lists.
  public static func load(
    _ location: ModelURL, cache: DownloadCache?, weightPathPrefix: String? = nil,
    onProgress: ((Double) -> Void)? = nil
  ) throws -> ModelArtifacts {
    let data = try fetch(
      location, what: "model.json path", cache: cache,
      note: " Please verify this URL points to the model JSON of the model to load.",
      noteOnlyForHTTP: true, validate: parseRoot)
    let root = try parseRoot(Data(data), location)
    return try assemble(root, location, onProgress: onProgress) { path in
      try fetch(location.weightLocation(path, prefix: weightPathPrefix), what: "Weight file",
        cache: cache)
    } discard: { path in
      // A wrong-sized download must not stay cached, or every later load fails the same way.
      if case .http(let u) = location.weightLocation(path, prefix: weightPathPrefix) {
        cache?.remove(u)
      }
    }
  }

  /// Artifacts from model.json bytes held in memory; `shard(path)` returns each weight file
  /// the manifest lists. `name` stands for model.json in messages. (Used by embedders and
  /// by the model-file fuzzer.)
  public static func fromMemory(
    json: Data, name: String = "model.json", shard: @escaping (String) throws -> Data
  ) throws -> ModelArtifacts {
    let location = ModelURL.file(name)
    let root = try parseRoot(json, location)
    return try assemble(root, location, onProgress: nil) {
      [UInt8](try shard($0))
    } discard: { _ in }
  }

  /// Reads the weight groups of a parsed model.json with `read(path)`, checking each
  /// group's byte count against its manifest; `discard(path)` forgets a file of a group
  /// whose size is wrong.
  static func assemble(
    _ root: ConfigObject, _ location: ModelURL, onProgress: ((Double) -> Void)?,
    read: (String) throws -> [UInt8], discard: (String) -> Void
  ) throws -> ModelArtifacts {
    var groups: [(specs: [WeightSpec], data: [UInt8])] = []
    var parsed: [(paths: [String], specs: [WeightSpec])] = []
    if let manifest = root["weightsManifest"], !manifest.isNull {
      parsed = try WeightsIO.parseManifest(manifest)
    }
    let files = 1 + parsed.reduce(0) { $0 + $1.paths.count }
    var done = 1
    onProgress?(Double(done) / Double(files))
    for (g, group) in parsed.enumerated() {
      let expected = try expectedBytes(group.specs)
      if group.paths.isEmpty && expected > 0 {
        throw valueError("Weight group \(g + 1) of \(location.text) lists no files.")
      }
      var bytes: [UInt8] = []
      bytes.reserveCapacity(expected)
      for path in group.paths {
        let names = group.specs.prefix(3).map { $0.name }.joined(separator: ", ")
        do {
          bytes += try read(path)
        } catch let e as LayersError {
          let more = group.specs.count > 3 ? ", ..." : ""
          throw LayersError(e.kind, e.message + " (weight group \(g + 1): \(names)\(more))")
        }
        done += 1
        onProgress?(Double(done) / Double(files))
      }
      if bytes.count != expected {
        for path in group.paths { discard(path) }
        throw valueError(
          "The weight files of group \(g + 1) (\(group.paths.joined(separator: ", "))) of "
            + "\(location.text) hold \(bytes.count) bytes, but the manifest's "
            + "\(group.specs.count) weights need \(expected) bytes.")
      }
      groups.append((group.specs, bytes))
    }
    return ModelArtifacts(location: location, root: root, groups: groups)
  }

  /// Bytes a group's weights occupy; unsupported dtypes and absurd shapes name the weight.
  static func expectedBytes(_ specs: [WeightSpec]) throws -> Int {
    var total = 0
    for s in specs {
      var n = 1
      for d in s.shape {
        let (m, overflow) = n.multipliedReportingOverflow(by: d)
        guard d >= 0, !overflow, m < 1 << 31 else {
          let dims = s.shape.map(String.init).joined(separator: ",")
          throw valueError("Weight \(s.name) has an invalid shape [\(dims)].")
        }
        n = m
      }
      switch (s.quantization, s.dtype) {
      case (nil, "float32"), (nil, "int32"), (nil, "bool"): break
      case ("uint8"?, "float32"), ("uint8"?, "int32"), ("uint16"?, "float32"),
        ("uint16"?, "int32"), ("float16"?, "float32"):
        if s.quantization != "float16", s.scale == nil || s.min == nil {
          throw valueError(
            "Weight \(s.name) is quantized to \(s.quantization ?? "") but has no min and scale.")
        }
      case (let q?, _) where !["uint8", "uint16", "float16"].contains(q):
        throw valueError("Weight \(s.name) has an unsupported quantization dtype '\(q)'.")
      default:
        throw valueError(
          "Weight \(s.name) has dtype '\(s.dtype)'"
            + (s.quantization.map { " quantized to \($0)" } ?? "")
            + ", which is not supported (float32, int32, bool; uint8/uint16/float16 quantization).")
      }
      total += s.byteCount
    }
    return total
  }

  /// model.json bytes → its root object; HTML and malformed JSON are errors naming the source.
  static func parseRoot(_ data: Data, _ location: ModelURL) throws -> ConfigObject {
    let first = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
    if first == UInt8(ascii: "<") {
      throw valueError(
        "The response from \(location.text) is an HTML page, not model JSON. Check that the "
          + "URL points to model.json (for a TF Hub or Kaggle model, pass fromTFHub: true).")
    }
    let json: ConfigValue
    do {
      json = try ConfigValue.parseJSON(data)
    } catch let e as LayersError {
      throw valueError("Failed to parse model JSON of \(location.text): \(e.message)")
    }
    guard let root = json.object else {
      throw valueError("Failed to parse model JSON of \(location.text): it is not a JSON object.")
    }
    return root
  }

  /// Reads a file, or downloads a URL through the cache (checked by `validate` first).
  static func fetch(
    _ location: ModelURL, what: String, cache: DownloadCache?, note: String = "",
    noteOnlyForHTTP: Bool = false, validate: ((Data, ModelURL) throws -> ConfigObject)? = nil
  ) throws -> [UInt8] {
    switch location {
    case .file(let path):
      let note = noteOnlyForHTTP ? "" : note
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw valueError("\(what) \(path) does not exist: loading failed\(note)")
      }
      if isDir.boolValue {
        throw valueError(
          "The path to load from must be a file. Loading from a directory is not supported.")
      }
      guard let d = FileManager.default.contents(atPath: path) else {
        throw valueError("Cannot read \(path)\(note)")
      }
      return [UInt8](d)
    case .http(let url):
      if let d = cache?.read(url) { return [UInt8](d) }
      let d: Data
      do {
        d = try download(url)
      } catch let e as LayersError {
        throw LayersError(e.kind, e.message + note)
      }
      if let validate { _ = try validate(d, location) }
      cache?.store(d, for: url)
      return [UInt8](d)
    }
  }

  /// Downloads `url`, with a progress line on a terminal for large files.
  private static func download(_ url: String) throws -> Data {
    guard var line = DownloadProgressLine.forStandardError(url: url) else {
      return try HTTPClient.get(url)
    }
    let lock = NSLock()
    defer { lock.withLock { line.finish() } }
    return try HTTPClient.get(url) { received, expected in
      let now = ProcessInfo.processInfo.systemUptime
      lock.withLock { line.update(received: received, expected: expected, now: now) }
    }
  }
}
