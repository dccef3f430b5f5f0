// Node's built-in modules that scripts from the Node world import: `path`,
// `fs` (and `fs/promises`), each also under its `node:` name, plus the
// globals that come with them (`Buffer`, `__dirname`, `__filename`).
//
// Node semantics are the reference: POSIX paths, relative paths resolved
// against the process's current directory, and errors shaped as Node's
// (`ENOENT: no such file or directory, open 'x.txt'` with `code`, `errno`,
// `syscall` and `path` properties).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Installs Node's `fs` and `path` modules and their globals.
public enum NodeModules {
  /// Registers `path`, `fs`, `fs/promises` (and their `node:` names) and
  /// defines `Buffer`, `__dirname` and `__filename`. Called by `Builtins.install`.
  public static func install(into interpreter: Interpreter) {
    let realm = interpreter.realm
    let buffers = BufferSupport(realm: realm)
    buffers.installGlobal()
    // One object per module whatever name loads it (`require('path') === require('node:path')`).
    var pathCache: JSObject?
    let path: (Interpreter) throws -> Value = { _ in
      if let cached = pathCache { return .object(cached) }
      let made = makePathModule(realm)
      pathCache = made
      return .object(made)
    }
    var fsCache: JSObject?
    let fs: (Interpreter) throws -> Value = { interp in
      if let cached = fsCache { return .object(cached) }
      let made = FileSystemModule(interpreter: interp, buffers: buffers).makeModule()
      fsCache = made
      return .object(made)
    }
    let promises: (Interpreter) throws -> Value = { interp in
      try interp.get(try fs(interp), "promises")
    }
    for (name, loader) in [("path", path), ("fs", fs), ("fs/promises", promises)] {
      interpreter.registerModule(name, loader)
      interpreter.registerModule("node:" + name, loader)
    }
    interpreter.registerModule("path/posix", path)
    installScriptLocation(interpreter)
  }

  /// `__filename` and `__dirname`: getters on the global object that read the
  /// file of the running code (a module sees its own file, as in CommonJS).
  /// Outside a file (the REPL's `<repl>`), they are the current directory's
  /// path and the directory itself, where Node's REPL has no such names.
  static func installScriptLocation(_ interpreter: Interpreter) {
    let realm = interpreter.realm
    func currentFile(_ interp: Interpreter) -> String {
      let name = interp.frames.last?.file.name ?? ""
      if name.isEmpty || name.hasPrefix("<") { return currentDirectory() + "/" + "[eval]" }
      return PathOps.resolve([name], cwd: currentDirectory())
    }
    let filename = realm.newFunction("get __filename", arity: 0) { call in
      .string(currentFile(call.interpreter))
    }
    let dirname = realm.newFunction("get __dirname", arity: 0) { call in
      .string(PathOps.dirname(currentFile(call.interpreter)))
    }
    realm.globalObject.defineOwn("__filename", Property(getter: filename, setter: nil))
    realm.globalObject.defineOwn("__dirname", Property(getter: dirname, setter: nil))
  }
}

extension JSObject {
  /// Makes every own property enumerable: Node's module objects list their
  /// functions (`console.log(fs)`, `Object.keys(path)`), unlike the built-in namespaces.
  func makeOwnPropertiesEnumerable() {
    for key in ownKeys() {
      guard var p = ownProperty(key), !p.enumerable else { continue }
      p.enumerable = true
      defineOwn(key, p)
    }
  }
}

/// The process's current directory (`process.cwd()`).
func currentDirectory() -> String {
  var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
  guard getcwd(&buffer, buffer.count) != nil else { return "/" }
  return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

// MARK: - Node's argument errors

extension Interpreter {
  /// A Node-style error: `message` with a `code` property (and any extra properties).
  func nodeError(
    _ kind: ErrorKind, code: String, _ message: String, extra: [(String, Value)] = []
  ) -> ScriptThrow {
    let error = makeError(kind, message)
    if case .object(let o) = error {
      for (key, value) in extra { o.defineOwn(key, Property(value, enumerable: true)) }
      o.defineOwn("code", Property(.string(code), enumerable: true))
    }
    return .value(error)
  }

  /// `The "path" argument must be of type string. Received undefined`.
  func invalidArgType(_ name: String, expected: String, got value: Value) -> ScriptThrow {
    nodeError(
      .typeError, code: "ERR_INVALID_ARG_TYPE",
      "The \"\(name)\" argument must be \(expected). Received \(describeReceived(value))")
  }

  /// How Node's messages describe a received value (`type number (1)`, `undefined`).
  func describeReceived(_ value: Value) -> String {
    switch value {
    case .undefined: return "undefined"
    case .null: return "null"
    case .bool(let b): return "type boolean (\(b))"
    case .number(let n): return "type number (\(formatNumber(n)))"
    case .string(let s): return "type string ('\(s)')"
    case .object(let o):
      if let f = o as? JSFunction { return "function \(f.name)" }
      if case .object(let c) = o.prototype?.lookup("constructor").map({ p -> Value in
        if case .value(let v) = p.slot { return v }
        return .undefined
      }) ?? .undefined, let f = c as? JSFunction, !f.name.isEmpty {
        return "an instance of \(f.name)"
      }
      return "an instance of \(o.className)"
    }
  }
}
