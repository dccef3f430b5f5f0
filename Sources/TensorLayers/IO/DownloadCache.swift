// SPDX-License-Identifier: MIT
import Foundation

// A disk cache of downloaded model files, so a model loaded once loads again
// offline: `$XDG_CACHE_HOME/tl` (or `~/.cache/tl`), one file per URL, named by
// a 64-bit FNV-1a hash of the full URL plus the URL's file name for people
// browsing the folder. Entries are written atomically; a cached file is used
// as is (model URLs on TF Hub and Kaggle are versioned).

/// The download cache.
public struct DownloadCache {
  /// The folder holding cached files.
  public let directory: String

  /// A cache in `directory`.
  public init(directory: String) { self.directory = directory }

  /// The default cache: `$XDG_CACHE_HOME/tl`, else `~/.cache/tl`.
  public static var standard: DownloadCache {
    let env = ProcessInfo.processInfo.environment
    if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      return DownloadCache(directory: xdg + "/tl")
    }
    let home = env["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    return DownloadCache(directory: home + "/.cache/tl")
  }

  /// The cache file for a URL.
  public func path(for url: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in url.utf8 {
      hash ^= UInt64(b)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    let name = String(repeating: "0", count: 16 - hex.count) + hex
    var file = url.split(separator: "?").first.map(String.init) ?? url
    file = file.split(separator: "/").last.map(String.init) ?? ""
    let safe = String(
      file.unicodeScalars.prefix(64).map {
        CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-" || $0 == "_"
          ? Character($0) : "_"
      })
    return directory + "/" + name + (safe.isEmpty ? "" : "-" + safe)
  }

  /// The cached bytes of a URL, if present.
  public func read(_ url: String) -> Data? {
    FileManager.default.contents(atPath: path(for: url))
  }

  /// Forgets a URL's cached bytes.
  public func remove(_ url: String) {
    try? FileManager.default.removeItem(atPath: path(for: url))
  }

  /// Stores the bytes of a URL (creating the folder); failures to cache are not errors.
  public func store(_ data: Data, for url: String) {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
      try AtomicFile.write(data, to: path(for: url))
    } catch {
      // A read-only or full disk only costs the next load a download.
    }
  }
}
