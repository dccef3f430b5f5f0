// SPDX-License-Identifier: MIT
import Foundation

// Where a model lives, parsed from the string a script passes to
// `tf.loadLayersModel` / `tf.loadGraphModel` / `model.save`: `http(s)://`
// URLs, `file://` paths, `~/...`, absolute and relative paths. Weight shard
// locations follow TF.js's HTTP loader (tfjs-core io/http.ts `parseUrl`):
// prefix = everything up to the last `/`, suffix = the query string after
// it, shard = prefix + path + suffix.

/// A model.json location.
public enum ModelURL: Equatable {
  /// A file on disk (absolute path).
  case file(String)
  /// An `http://` or `https://` URL.
  case http(String)

  /// TF.js's `fromTFHub` rewrite: ensure a trailing `/`, then `model.json?tfjs-format=file`.
  public static func tfHubURL(_ url: String) -> String {
    (url.hasSuffix("/") ? url : url + "/") + "model.json?tfjs-format=file"
  }

  /// Parses a location; relative paths resolve against `base` (default: the working folder).
  public static func parse(_ text: String, fromTFHub: Bool = false, base: String? = nil) throws
    -> ModelURL
  {
    let lower = text.lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      let url = fromTFHub ? tfHubURL(text) : text
      guard URL(string: url)?.host != nil else { throw valueError("Invalid model URL: \(text)") }
      return .http(url)
    }
    if fromTFHub {
      throw valueError("fromTFHub needs an http:// or https:// URL, but got \(text)")
    }
    var path = text
    if lower.hasPrefix("file://") {
      path = String(text.dropFirst("file://".count))
    } else if let colon = text.range(of: "://") {
      throw valueError(
        "Cannot find a handler for the URL scheme '\(text[..<colon.lowerBound])://' of \(text); "
          + "use http://, https://, file:// or a path.")
    }
    if path.isEmpty { throw valueError("The model path is empty.") }
    if path == "~" || path.hasPrefix("~/") {
      path = FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
    }
    if !path.hasPrefix("/") {
      let dir = base ?? FileManager.default.currentDirectoryPath
      path = URL(fileURLWithPath: dir).appendingPathComponent(path).path
    }
    return .file(URL(fileURLWithPath: path).standardizedFileURL.path)
  }

  /// The text of the location (path or URL).
  public var text: String {
    switch self {
    case .file(let p): return p
    case .http(let u): return u
    }
  }

  /// Where a weight file listed in the manifest lives: next to this model.json, or under
  /// TF.js's `weightPathPrefix` when given (the query of an http model.json still follows).
  public func weightLocation(_ path: String, prefix: String? = nil) -> ModelURL {
    if let prefix {
      var suffix = ""
      if case .http(let u) = self, let q = u.lastIndex(of: "?"),
        q > (u.lastIndex(of: "/") ?? u.startIndex)
      {
        suffix = String(u[q...])
      }
      let lower = prefix.lowercased()
      if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
        return .http(prefix + path + suffix)
      }
      var p = prefix + path
      if lower.hasPrefix("file://") { p = String(p.dropFirst("file://".count)) }
      if !p.hasPrefix("/"), case .file(let json) = self {
        p = URL(fileURLWithPath: json).deletingLastPathComponent().appendingPathComponent(p).path
      }
      return .file(URL(fileURLWithPath: p).standardizedFileURL.path)
    }
    switch self {
    case .file(let p):
      return .file(
        URL(fileURLWithPath: p).deletingLastPathComponent().appendingPathComponent(path).path)
    case .http(let u):
      let lastSlash = u.lastIndex(of: "/") ?? u.startIndex
      let prefix = u[..<lastSlash]
      var suffix = ""
      if let q = u.lastIndex(of: "?"), q > lastSlash { suffix = String(u[q...]) }
      return .http(prefix + "/" + path + suffix)
    }
  }
}
