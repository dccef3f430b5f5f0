// SPDX-License-Identifier: MIT
import Foundation

// The progress line a large download shows on a terminal:
//
//   Downloading group1-shard1of3.bin  3.1 MB of 8.0 MB (39%)
//
// redrawn in place (carriage return) at most ten times a second, only for
// downloads of at least a megabyte and only when standard error is a terminal,
// and erased when the download ends so the script's own output stays clean.

/// A one-line, in-place download progress display.
struct DownloadProgressLine {
  /// Whether standard error is a terminal that can redraw a line.
  static var terminalAvailable: Bool {
    isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  }

  let name: String
  let minimumBytes: Int64
  let interval: Double
  private let write: (String) -> Void
  private var lastDraw = -Double.infinity
  private var drawn = false

  /// `name` is what the line calls the download (a file name); `write` receives raw text.
  init(
    name: String, minimumBytes: Int64 = 1 << 20, interval: Double = 0.1,
    write: @escaping (String) -> Void
  ) {
    self.name = name
    self.minimumBytes = minimumBytes
    self.interval = interval
    self.write = write
  }

  /// A line on standard error, or nil when standard error is not a terminal.
  static func forStandardError(url: String) -> DownloadProgressLine? {
    guard terminalAvailable else { return nil }
    let path = URL(string: url)?.lastPathComponent ?? url
    return DownloadProgressLine(name: path.isEmpty ? url : path) { text in
      FileHandle.standardError.write(Data(text.utf8))
    }
  }

  /// Redraws the line for `received` of `expected` bytes at time `now` (seconds), unless the
  /// download is too small to bother or the last redraw was under `interval` ago.
  mutating func update(received: Int64, expected: Int64?, now: Double) {
    guard max(received, expected ?? 0) >= minimumBytes else { return }
    let complete = expected.map { received >= $0 } ?? false
    guard now - lastDraw >= interval || complete else { return }
    lastDraw = now
    drawn = true
    write("\r\u{1B}[K" + Self.text(name: name, received: received, expected: expected))
  }

  /// Erases the line if it was drawn.
  mutating func finish() {
    if drawn { write("\r\u{1B}[K") }
    drawn = false
  }

  /// `Downloading NAME  3.1 MB of 8.0 MB (39%)`, or `... 3.1 MB` without a known total.
  static func text(name: String, received: Int64, expected: Int64?) -> String {
    var line = "Downloading \(name)  \(megabytes(received))"
    if let expected, expected > 0 {
      let percent = min(100, Int(received * 100 / expected))
      line += " of \(megabytes(expected)) (\(percent)%)"
    }
    return line
  }

  private static func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB", Double(bytes) / 1_000_000)
  }
}
