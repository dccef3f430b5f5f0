// Node's `fs` module: the synchronous API (`readFileSync` ...), the same
// operations as Promises (`fs.promises`, also `fs/promises`) and with
// Node-style callbacks (`fs.readFile(path, 'utf8', (err, text) => ...)`).
// Each operation is written once, synchronously; the promise and callback
// forms settle with its result on the microtask queue.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Builds one interpreter's `fs` object.
final class FileSystemModule {
  unowned let interpreter: Interpreter
  let buffers: BufferSupport
  let statsPrototype: JSObject
  let direntPrototype: JSObject

  init(interpreter: Interpreter, buffers: BufferSupport) {
    self.interpreter = interpreter
    self.buffers = buffers
    statsPrototype = interpreter.realm.newObject()
    direntPrototype = interpreter.realm.newObject()
  }

  typealias Operation = (NativeCall) throws -> Value

  /// The operations, by their asynchronous name (`readFile`); the sync form
  /// adds `Sync`. `existsSync` alone has no promise form, as in Node.
  private var operations: [(name: String, arity: Int, body: Operation)] {
    [
      ("access", 2, access), ("appendFile", 3, appendFile), ("copyFile", 3, copyFile),
      ("lstat", 2, lstat),
      ("mkdir", 2, mkdir), ("mkdtemp", 2, mkdtemp), ("readFile", 2, readFile),
      ("readdir", 2, readdir), ("realpath", 2, realpath), ("rename", 2, rename),
      ("rm", 2, rm), ("rmdir", 2, rmdir), ("stat", 2, stat), ("unlink", 1, unlink),
      ("writeFile", 3, writeFile),
    ]
  }

  func makeModule() -> JSObject {
    let realm = interpreter.realm
    installStatsPrototypes()
    var sync: [NativeEntry] = operations.map { op in
      .function(op.name + "Sync", arity: op.arity) { call in try op.body(call) }
    }
    sync.append(
      .function("existsSync", arity: 1) { call in
        guard let path = try? FileSystemModule.path(call, 0) else { return false }
        return .bool(FileSystem.exists(path))
      })
    let callbacks: [NativeEntry] = operations.map { op in
      .function(op.name, arity: op.arity + 1) { [unowned self] call in
        try withCallback(call, op.name, op.body)
      }
    }
    let fs = realm.newNamespace(sync + callbacks, prefix: "fs.")
    let promises = realm.newNamespace(
      operations.map { op in
        .function(op.name, arity: op.arity) { [unowned self] call in
          .object(settled(call, op.body))
        }
      }, prefix: "fsPromises.")
    let constants = realm.newObject()
    let flags = [("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1), ("COPYFILE_EXCL", 1)]
    for (name, value) in flags { constants.put(name, .number(Double(value))) }
    fs.put("constants", .object(constants))
    promises.put("constants", .object(constants))
    fs.put("promises", .object(promises))
    fs.makeOwnPropertiesEnumerable()
    promises.makeOwnPropertiesEnumerable()
    return fs
  }

  /// A promise settled with the operation's result or error.
  private func settled(_ call: NativeCall, _ body: Operation) -> PromiseObject {
    let promise = interpreter.newPromise()
    do {
      interpreter.resolvePromise(promise, with: try body(call))
    } catch {
      interpreter.rejectPromise(promise, with: interpreter.thrownValue(error))
    }
    return promise
  }

  /// The callback form: the last argument is `(err, result) => ...`, called
  /// from the microtask queue.
  private func withCallback(_ call: NativeCall, _ name: String, _ body: @escaping Operation) throws
    -> Value
  {
    let args = call.arguments.values
    guard case .object(let last) = args.last ?? .undefined, let callback = last as? JSFunction
    else {
      throw interpreter.invalidArgType(
        "cb", expected: "of type function", got: args.last ?? .undefined)
    }
    let inner = NativeCall(
      interpreter: interpreter, this: call.this,
      arguments: Arguments(Array(args.dropLast()), function: "fs." + name))
    let promise = settled(inner, body)
    let realm = interpreter.realm
    let onOk = realm.newFunction("", arity: 1) { c in
      try c.interpreter.call(.object(callback), this: .undefined, [.null, c.arguments[0]])
    }
    let onError = realm.newFunction("", arity: 1) { c in
      try c.interpreter.call(.object(callback), this: .undefined, [c.arguments[0]])
    }
    _ = interpreter.then(promise, .object(onOk), .object(onError))
    return .undefined
  }

  // MARK: - Arguments

  /// A path argument: a string or a Buffer (its UTF-8 text).
  static func path(_ call: NativeCall, _ i: Int, name: String = "path") throws -> String {
    switch call.arguments[i] {
    case .string(let s):
      if s.utf8.contains(0) {
        throw call.interpreter.nodeError(
          .typeError, code: "ERR_INVALID_ARG_VALUE",
          "The argument '\(name)' must be a string, Uint8Array, or URL without null bytes. Received '\(s)'"
        )
      }
      return s
    case .object(let b as BufferObject): return String(decoding: b.bytes, as: UTF8.self)
    default:
      throw call.interpreter.invalidArgType(
        name, expected: "of type string or an instance of Buffer or URL", got: call.arguments[i])
    }
  }

  /// An options argument: a string is the encoding; an object is read by key.
  private func option(_ call: NativeCall, _ i: Int, _ key: String) throws -> Value {
    switch call.arguments[i] {
    case .string(let s): return key == "encoding" ? .string(s) : .undefined
    case .object(let o): return try interpreter.get(.object(o), key)
    default: return .undefined
    }
  }

  private func flag(_ call: NativeCall, _ i: Int) throws -> Bool {
    try option(call, i, "recursive").isTruthy
  }

  // MARK: - Operations

  private func readFile(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    let encoding = try option(call, 1, "encoding")
    let bytes = try run { try FileSystem.readFile(path) }
    if encoding.isNullish { return .object(buffers.make(bytes)) }
    return .string(
      try BufferSupport.encoding(encoding, interpreter, forFS: true).decode(bytes[...]))
  }

  /// The bytes of `writeFile`'s data argument.
  private func data(_ call: NativeCall, _ i: Int) throws -> [UInt8] {
    let encoding = try BufferSupport.encoding(
      try option(call, i + 1, "encoding"), interpreter, forFS: true)
    guard
      let bytes = try buffers.bytes(
        of: call.arguments[i], encoding: encoding, interpreter: interpreter),
      !(call.arguments[i].asObject is JSArray)
    else {
      throw interpreter.invalidArgType(
        "data", expected: "of type string or an instance of Buffer, TypedArray, or DataView",
        got: call.arguments[i])
    }
    return bytes
  }

  private func writeFile(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0, name: "file")
    let bytes = try data(call, 1)
    let flag = try option(call, 2, "flag")
    let mode = flag.isUndefined ? "w" : try interpreter.toString(flag)
    switch mode {
    case "w", "wx", "w+", "wx+":
      try run { try FileSystem.writeFileAtomically(path, bytes, exclusive: mode.contains("x")) }
    case "a", "a+":
      try run { try FileSystem.appendFile(path, bytes) }
    default:
      throw interpreter.nodeError(
        .typeError, code: "ERR_INVALID_ARG_VALUE",
        "The argument 'flags' is invalid. Received '\(mode)'")
    }
    return .undefined
  }

  /// `access(path, mode = F_OK)`: throws unless the file exists (and allows `mode`).
  private func access(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    let mode = Int32(truncatingIfNeeded: Int(call.arguments[1].asNumber ?? 0))
    try run { try FileSystem.checkAccess(path, mode: mode) }
    return .undefined
  }

  private func appendFile(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    let bytes = try data(call, 1)
    try run { try FileSystem.appendFile(path, bytes) }
    return .undefined
  }

  private func readdir(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    let entries = try run { try FileSystem.readDirectory(path) }
    let realm = interpreter.realm
    guard try option(call, 1, "withFileTypes").isTruthy else {
      return .object(realm.newArray(entries.map { .string($0.name) }))
    }
    return .object(
      realm.newArray(
        entries.map { entry in
          let d = JSObject(prototype: direntPrototype)
          d.put("name", .string(entry.name))
          d.put("parentPath", .string(path))
          var type = Int(entry.type)
          if type == Int(DT_UNKNOWN),
            let info = try? FileSystem.status(path + "/" + entry.name, followLinks: false)
          {
            type = Int(info.st_mode & S_IFMT) >> 12
          }
          d.defineOwn("type", Property(.number(Double(type)), enumerable: false))
          return .object(d)
        }))
  }

  private func mkdir(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    var mode: mode_t = 0o777
    if case .number(let m) = call.arguments[1] { mode = mode_t(truncatingIfNeeded: Int(m)) }
    if case .number(let m) = try option(call, 1, "mode") {
      mode = mode_t(truncatingIfNeeded: Int(m))
    }
    let recursive = try flag(call, 1)
    let created = try run { try FileSystem.makeDirectory(path, recursive: recursive, mode: mode) }
    return created.map { .string($0) } ?? .undefined
  }

  /// A new directory named `prefix` + six random characters; returns its path.
  private func mkdtemp(_ call: NativeCall) throws -> Value {
    let prefix = try FileSystemModule.path(call, 0, name: "prefix")
    return .string(try run { try FileSystem.makeTemporaryDirectory(prefix) })
  }

  private func stat(_ call: NativeCall) throws -> Value { try status(call, followLinks: true) }

  private func lstat(_ call: NativeCall) throws -> Value { try status(call, followLinks: false) }

  private func status(_ call: NativeCall, followLinks: Bool) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    do {
      return makeStats(try FileSystem.status(path, followLinks: followLinks))
    } catch let e as SystemCallError {
      if e.errno == ENOENT, case .bool(false) = try option(call, 1, "throwIfNoEntry") {
        return .undefined
      }
      throw interpreter.scriptError(e)
    }
  }

  private func unlink(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    try run { try FileSystem.unlinkFile(path) }
    return .undefined
  }

  private func rmdir(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    try run { try FileSystem.removeDirectory(path) }
    return .undefined
  }

  /// `rm`: a file, or a tree with `{recursive: true}`; `{force: true}` ignores a missing path.
  private func rm(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    let recursive = try flag(call, 1)
    let force = try option(call, 1, "force").isTruthy
    let info: stat
    do { info = try FileSystem.status(path, followLinks: false) } catch let e as SystemCallError {
      if force && e.errno == ENOENT { return .undefined }
      throw interpreter.scriptError(e)
    }
    if info.st_mode & S_IFMT == S_IFDIR && !recursive {
      let error = interpreter.nodeError(
        .error, code: "ERR_FS_EISDIR",
        "Path is a directory: rm returned EISDIR (is a directory) \(path)",
        extra: [("errno", .number(Double(EISDIR))), ("syscall", "rm"), ("path", .string(path))])
      if case .value(.object(let o)) = error {
        o.defineOwn("name", Property(.string("SystemError"), enumerable: false))
      }
      throw error
    }
    try run { try FileSystem.removeTree(path) }
    return .undefined
  }

  private func rename(_ call: NativeCall) throws -> Value {
    let from = try FileSystemModule.path(call, 0, name: "oldPath")
    let to = try FileSystemModule.path(call, 1, name: "newPath")
    try run { try FileSystem.renameFile(from, to) }
    return .undefined
  }

  private func copyFile(_ call: NativeCall) throws -> Value {
    let from = try FileSystemModule.path(call, 0, name: "src")
    let to = try FileSystemModule.path(call, 1, name: "dest")
    let exclusive = (call.arguments[2].asNumber ?? 0).truncatingRemainder(dividingBy: 2) == 1
    try run { try FileSystem.copyFile(from, to, exclusive: exclusive) }
    return .undefined
  }

  private func realpath(_ call: NativeCall) throws -> Value {
    let path = try FileSystemModule.path(call, 0)
    guard let resolved = FileSystem.realPath(path) else {
      throw interpreter.scriptError(FileSystem.fail("realpath", path))
    }
    return .string(resolved)
  }

  /// Runs a file-system call, turning its failure into the script's Error.
  private func run<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as SystemCallError { throw interpreter.scriptError(e) }
  }
}
