// The process's standard streams: where script output goes, whether a stream
// is a terminal, and whether to colour it.

import ScriptCore
import TFBindings

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Facts about the terminal the command runs in, read once at start-up.
struct TerminalInfo {
  var stdinIsTTY: Bool
  var stdoutIsTTY: Bool
  var stderrIsTTY: Bool
  /// `NO_COLOR` set to anything non-empty turns colours off (no-color.org).
  var noColor: Bool

  static func current(environment: [String: String]) -> TerminalInfo {
    TerminalInfo(
      stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, stderrIsTTY: isatty(2) == 1,
      noColor: !(environment["NO_COLOR"] ?? "").isEmpty)
  }

  /// Colour for text written to stdout (REPL echo).
  var colorStdout: Bool { stdoutIsTTY && !noColor }
  /// Colour for text written to stderr (diagnostics).
  var colorStderr: Bool { stderrIsTTY && !noColor }
}

// MARK: - Writing

/// Writes to the process's stdout and stderr through C stdio. Stdout is
/// flushed at every newline and before anything goes to stderr, so the two
/// interleave in the order the script wrote them.
final class StandardStreams: OutputSink {
  static let shared = StandardStreams()

  /// Line-buffers stdout even into a pipe or file, so a training loop's log
  /// shows up as it is written (`tl train.tl | tee log`), as Node's does.
  private init() {
    setvbuf(stdout, nil, _IOLBF, 1 << 16)
  }

  func write(_ text: String, to stream: ScriptCore.OutputStream) {
    switch stream {
    case .stdout: writeOut(text)
    case .stderr: writeErr(text)
    }
  }

  func writeOut(_ text: String) {
    fputs(text, stdout)
  }

  func writeErr(_ text: String) {
    fflush(stdout)
    fputs(text, stderr)
    fflush(stderr)
  }

  func flush() {
    fflush(stdout)
    fflush(stderr)
  }
}

/// fit draws a live progress line when stdout is a terminal.
extension StandardStreams: TerminalAwareOutput {
  var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

// MARK: - Reading

/// Reads a whole stream to its end. Bytes that are not UTF-8 become U+FFFD.
func readAll(fileDescriptor fd: Int32) -> String {
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n > 0 {
      bytes.append(contentsOf: chunk[0..<n])
    } else if n < 0 && errno == EINTR {
      continue
    } else {
      break
    }
  }
  return String(decoding: bytes, as: UTF8.self)
}

/// Why a file could not be read or written: the C library's words
/// (`No such file or directory`).
struct FileError: Error {
  let path: String
  let reason: String
}

/// Reads a file as text, decoding invalid UTF-8 with replacement characters.
func readTextFile(_ path: String) throws -> String {
  let fd = open(path, O_RDONLY)
  if fd < 0 { throw FileError(path: path, reason: String(cString: strerror(errno))) }
  defer { close(fd) }
  var info = stat()
  if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
    throw FileError(path: path, reason: String(cString: strerror(EISDIR)))
  }
  // A read error part-way (EIO) is rare; readAll then returns what it got.
  return readAll(fileDescriptor: fd)
}

/// `path` made absolute against the current directory (not resolving links), as Node's argv does.
func absolutePath(_ path: String) -> String {
  if path.hasPrefix("/") { return normalizePath(path) }
  var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
  guard getcwd(&buffer, buffer.count) != nil else { return path }
  let cwd = String(cString: buffer)
  return normalizePath(cwd + "/" + path)
}

/// Removes `.` and empty components and resolves `..` lexically.
func normalizePath(_ path: String) -> String {
  var parts: [Substring] = []
  for part in path.split(separator: "/", omittingEmptySubsequences: true) {
    if part == "." { continue }
    if part == ".." {
      if !parts.isEmpty { parts.removeLast() }
      continue
    }
    parts.append(part)
  }
  return "/" + parts.joined(separator: "/")
}
