// The REPL history file (`~/.tl_history`): one entry per line, newest last.
// A multi-line entry (a pasted function, an `.editor` block) is one entry:
// its newlines are stored escaped, so recalling it gives back the whole block.
// Entries are appended one write at a time; the file is only rewritten (into a
// temporary file, then renamed over the old one) to drop entries past the limit.

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum HistoryCoding {
  /// One line of the history file for `entry`: `\` becomes `\\`, a newline
  /// `\n`, a carriage return `\r`.
  static func encode(_ entry: String) -> String {
    var out = ""
    out.reserveCapacity(entry.utf8.count)
    for c in entry.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// The entry a line of the history file stores (the inverse of `encode`).
  /// An unknown escape or a trailing lone `\` is kept as written.
  static func decode(_ line: String) -> String {
    var out = ""
    var escaped = false
    for c in line.unicodeScalars {
      if escaped {
        switch c {
        case "n": out += "\n"
        case "r": out += "\r"
        case "\\": out += "\\"
        default:
          out += "\\"
          out.unicodeScalars.append(c)
        }
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.unicodeScalars.append(c)
      }
    }
    if escaped { out += "\\" }
    return out
  }
}

/// The history file of one REPL session.
final class HistoryFile {
  let path: String
  /// The most entries kept, in memory and in the file.
  let limit: Int

  init(path: String, limit: Int = 1000) {
    self.path = path
    self.limit = limit
  }

  /// `$HOME/.tl_history`, or nil when `HOME` is unset or empty.
  static func defaultPath(environment: [String: String]) -> String? {
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home.hasSuffix("/") ? home + ".tl_history" : home + "/.tl_history"
  }

  /// The stored entries, oldest first, at most `limit`. When the file holds
  /// more, it is rewritten with the newest `limit`. A missing file is empty.
  func load() -> [String] {
    guard let text = try? readTextFile(path) else { return [] }
    var entries = text.split(separator: "\n", omittingEmptySubsequences: true).map {
      HistoryCoding.decode(String($0))
    }
    if entries.count > limit {
      entries.removeFirst(entries.count - limit)
      rewrite(entries)
    }
    return entries
  }

  /// Appends one entry as a single write (so two sessions appending at once
  /// do not interleave inside a line). Failures are silent: history is a
  /// convenience, never a reason to stop the session.
  func append(_ entry: String) {
    let line = HistoryCoding.encode(entry) + "\n"
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
    guard fd >= 0 else { return }
    defer { close(fd) }
    _ = writeAll(fd, line)
  }

  private func rewrite(_ entries: [String]) {
    let text = entries.map { HistoryCoding.encode($0) + "\n" }.joined()
    _ = try? writeFileAtomically(path, text, mode: 0o600)
  }
}

// MARK: - Files

/// Writes all of `text` to `fd`, retrying short writes; false on error.
@discardableResult
func writeAll(_ fd: Int32, _ text: String) -> Bool {
  var bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
    if n < 0 {
      if errno == EINTR { continue }
      return false
    }
    offset += n
  }
  return true
}

/// Writes `text` to a temporary file next to `path`, then renames it over
/// `path`: a reader sees the old file or the new one, never half of one.
func writeFileAtomically(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
  let slash = path.lastIndex(of: "/")
  let dir = slash.map { String(path[..<$0]) } ?? "."
  let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
  var template = Array(((dir.isEmpty ? "" : dir) + "/." + base + ".tmp-XXXXXX").utf8CString)
  let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
  guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
  let tempPath = String(cString: template)
  let ok = writeAll(fd, text) && fsync(fd) == 0
  let writeErrno = errno
  fchmod(fd, mode)
  close(fd)
  guard ok else {
    unlink(tempPath)
    throw FileError(path: path, reason: String(cString: strerror(writeErrno)))
  }
  if rename(tempPath, path) != 0 {
    let e = errno
    unlink(tempPath)
    throw FileError(path: path, reason: String(cString: strerror(e)))
  }
}
