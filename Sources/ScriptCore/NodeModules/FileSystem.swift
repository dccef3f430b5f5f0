// The POSIX calls under `fs`, with failures reported as Node reports them:
// libuv's error code and text, the syscall and the path as the script gave it
// (`ENOENT: no such file or directory, open 'x.txt'`).

import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed system call, ready to become a Node error.
struct SystemCallError: Error {
  let errno: Int32
  let syscall: String
  let path: String?
  var dest: String? = nil

  /// libuv's code and description for an errno (`ENOENT`, `no such file or directory`).
  var codeAndText: (String, String) {
    switch errno {
    case ENOENT: return ("ENOENT", "no such file or directory")
    case EEXIST: return ("EEXIST", "file already exists")
    case EISDIR: return ("EISDIR", "illegal operation on a directory")
    case ENOTDIR: return ("ENOTDIR", "not a directory")
    case ENOTEMPTY: return ("ENOTEMPTY", "directory not empty")
    case EACCES: return ("EACCES", "permission denied")
    case EPERM: return ("EPERM", "operation not permitted")
    case EBUSY: return ("EBUSY", "resource busy or locked")
    case EINVAL: return ("EINVAL", "invalid argument")
    case EMFILE: return ("EMFILE", "too many open files")
    case ENOSPC: return ("ENOSPC", "no space left on device")
    case EROFS: return ("EROFS", "read-only file system")
    case EXDEV: return ("EXDEV", "cross-device link not permitted")
    case ELOOP: return ("ELOOP", "too many symbolic links encountered")
    case ENAMETOOLONG: return ("ENAMETOOLONG", "name too long")
    default: return ("E\(errno)", String(cString: strerror(errno)).lowercased())
    }
  }

  /// `ENOENT: no such file or directory, open 'x.txt'`.
  var message: String {
    let (code, text) = codeAndText
    var m = "\(code): \(text), \(syscall)"
    if let p = path { m += " '\(p)'" }
    if let d = dest { m += " -> '\(d)'" }
    return m
  }
}

extension Interpreter {
  /// The Error a failed system call becomes, with Node's properties.
  func scriptError(_ e: SystemCallError) -> ScriptThrow {
    let error = makeError(.error, e.message)
    if case .object(let o) = error {
      // Node's key order: errno, code, syscall, path, dest.
      var fields: [(String, Value)] = [("errno", .number(-Double(e.errno)))]
      fields.append(("code", .string(e.codeAndText.0)))
      fields.append(("syscall", .string(e.syscall)))
      if let p = e.path { fields.append(("path", .string(p))) }
      if let d = e.dest { fields.append(("dest", .string(d))) }
      for (key, value) in fields { o.defineOwn(key, Property(value, enumerable: true)) }
    }
    return .value(error)
  }
}

/// File-system operations as throwing Swift functions over POSIX.
enum FileSystem {
  static func fail(_ syscall: String, _ path: String?, dest: String? = nil) -> SystemCallError {
    SystemCallError(errno: errno, syscall: syscall, path: path, dest: dest)
  }

  static func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw fail("open", path) }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw fail("read", nil)
      }
      if n == 0 { return out }
      out.append(contentsOf: chunk[0..<n])
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        raw.baseAddress.map { write(fd, $0 + offset, bytes.count - offset) } ?? 0
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw fail("write", nil)
      }
      offset += n
    }
  }

  /// Replaces the file's contents atomically: the bytes go to a temporary file
  /// in the same folder, which is then renamed over the target, so a reader
  /// (or a crash) never sees half a file. A symbolic link is written through.
  static func writeFileAtomically(_ path: String, _ bytes: [UInt8], exclusive: Bool) throws {
    var target = path
    var info = stat()
    if lstat(path, &info) == 0 {
      if exclusive { throw SystemCallError(errno: EEXIST, syscall: "open", path: path) }
      if info.st_mode & S_IFMT == S_IFDIR {
        throw SystemCallError(errno: EISDIR, syscall: "open", path: path)
      }
      if info.st_mode & S_IFMT == S_IFLNK, let resolved = realPath(path) {
        target = resolved
        _ = stat(resolved, &info)
      }
    }
    let existed = lstat(target, &info) == 0
    // Replacing by rename would bypass a read-only file's protection: refuse as open(2) would.
    if existed && access(target, W_OK) != 0 {
      throw SystemCallError(errno: errno, syscall: "open", path: path)
    }
    let temp =
      PathOps.dirname(target) + "/." + PathOps.basename(target) + ".tl-\(getpid())-\(nextTemp())"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    if fd < 0 {
      throw SystemCallError(errno: errno, syscall: "open", path: path)
    }
    do {
      if existed { fchmod(fd, info.st_mode & 0o7777) }
      try writeAll(fd, bytes, path: path)
      guard fsync(fd) == 0 || errno == EINVAL else { throw fail("write", nil) }
      close(fd)
    } catch {
      close(fd)
      unlink(temp)
      throw error
    }
    if rename(temp, target) != 0 {
      let saved = errno
      unlink(temp)
      throw SystemCallError(errno: saved, syscall: "open", path: path)
    }
  }

  /// Numbers the temporary files (interpreters on several threads may write at once).
  private static let tempCounter = Atomic<Int>(0)
  private static func nextTemp() -> Int {
    tempCounter.add(1, ordering: .relaxed).newValue
  }

  static func appendFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
    if fd < 0 { throw fail("open", path) }
    defer { close(fd) }
    try writeAll(fd, bytes, path: path)
  }

  static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  static func checkAccess(_ path: String, mode: Int32) throws {
    if access(path, mode) != 0 { throw fail("access", path) }
  }

  /// The entries' names, without `.` and `..`, sorted by their bytes (the
  /// directory's own order is arbitrary; sorting keeps output deterministic).
  static func readDirectory(_ path: String) throws -> [(name: String, type: UInt8)] {
    guard let dir = opendir(path) else { throw fail("scandir", path) }
    defer { closedir(dir) }
    var names: [(name: String, type: UInt8)] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      names.append((name, entry.pointee.d_type))
    }
    return names.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
  }

  /// Creates the directory (and missing parents when `recursive`); returns the
  /// first directory created, resolved, for `recursive` (nil when none was).
  static func makeDirectory(_ path: String, recursive: Bool, mode: mode_t) throws -> String? {
    if !recursive {
      if mkdir(path, mode) != 0 { throw fail("mkdir", path) }
      return nil
    }
    // Walks up the path as given, so the result is relative when it was (as Node's).
    var missing: [String] = []
    var current = path
    var info = stat()
    while stat(current, &info) != 0 {
      if errno != ENOENT { throw fail("mkdir", path) }
      missing.append(current)
      let parent = PathOps.dirname(current)
      if parent == current { break }
      current = parent
    }
    if missing.isEmpty {
      if info.st_mode & S_IFMT != S_IFDIR {
        throw SystemCallError(errno: EEXIST, syscall: "mkdir", path: path)
      }
      return nil
    }
    if info.st_mode & S_IFMT != S_IFDIR {
      throw SystemCallError(errno: ENOTDIR, syscall: "mkdir", path: path)
    }
    for dir in missing.reversed() where mkdir(dir, mode) != 0 && errno != EEXIST {
      throw fail("mkdir", path)
    }
    return missing.last
  }

  static func makeTemporaryDirectory(_ prefix: String) throws -> String {
    var template = Array((prefix + "XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.flatMap { mkdtemp($0) }
    }
    guard made != nil else { throw fail("mkdtemp", prefix + "XXXXXX") }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static func status(_ path: String, followLinks: Bool) throws -> stat {
    var info = stat()
    let r = followLinks ? stat(path, &info) : lstat(path, &info)
    if r != 0 { throw fail(followLinks ? "stat" : "lstat", path) }
    return info
  }

  static func unlinkFile(_ path: String) throws {
    if unlink(path) != 0 { throw fail("unlink", path) }
  }

  static func removeDirectory(_ path: String) throws {
    if rmdir(path) != 0 { throw fail("rmdir", path) }
  }

  /// Removes a file or a whole tree (links are removed, never followed).
  static func removeTree(_ path: String) throws {
    var info = stat()
    if lstat(path, &info) != 0 { throw fail("lstat", path) }
    if info.st_mode & S_IFMT == S_IFDIR {
      for entry in try readDirectory(path) { try removeTree(path + "/" + entry.name) }
      try removeDirectory(path)
    } else {
      try unlinkFile(path)
    }
  }

  static func renameFile(_ from: String, _ to: String) throws {
    if rename(from, to) != 0 { throw fail("rename", from, dest: to) }
  }

  static func copyFile(_ from: String, _ to: String, exclusive: Bool) throws {
    let bytes: [UInt8]
    do { bytes = try readFile(from) } catch let e as SystemCallError {
      throw SystemCallError(errno: e.errno, syscall: "copyfile", path: from, dest: to)
    }
    let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0)
    let fd = open(to, flags, 0o666)
    if fd < 0 { throw fail("copyfile", from, dest: to) }
    defer { close(fd) }
    try writeAll(fd, bytes, path: to)
  }
}
