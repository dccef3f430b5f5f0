// SPDX-License-Identifier: MIT
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Writes that never leave a half-written file behind: the bytes go to a
// temporary file in the destination's folder, are flushed to disk, and the
// temporary file is renamed over the destination (rename(2) is atomic within
// one file system). A crash or full disk leaves the old file intact.

/// Atomic file replacement.
public enum AtomicFile {
  /// Writes `data` to `path` atomically; errors name the path.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    let temp =
      dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ioError("Cannot create \(temp)", errno) }
    var ok = false
    defer {
      if !ok { unlink(temp) }
    }
    let written: Bool = data.withUnsafeBytes { raw in
      guard var p = raw.baseAddress else { return true }
      var left = raw.count
      while left > 0 {
        let n = systemWrite(fd, p, left)
        if n < 0 {
          if errno == EINTR { continue }
          return false
        }
        p += n
        left -= n
      }
      return true
    }
    let writeErrno = errno
    if !written {
      close(fd)
      throw ioError("Cannot write \(path)", writeErrno)
    }
    if fsync(fd) != 0 {
      let e = errno
      close(fd)
      throw ioError("Cannot flush \(path)", e)
    }
    close(fd)
    guard rename(temp, path) == 0 else { throw ioError("Cannot replace \(path)", errno) }
    ok = true
  }

  private static func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
      return Glibc.write(fd, p, n)
    #else
      return Darwin.write(fd, p, n)
    #endif
  }

  private static func ioError(_ what: String, _ code: Int32) -> LayersError {
    valueError("\(what): \(String(cString: strerror(code)))")
  }
}
