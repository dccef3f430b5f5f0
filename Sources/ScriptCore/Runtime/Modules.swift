// Modules: `import`/`export`, `require(name)`, built-in modules registered by
// the host (lazy, cached), source modules (stdlib/) and `.tl`/`.js` files
// relative to the importing file. Each module is evaluated once.

import Foundation

/// A module's namespace object (`import * as ns`): live views of its exports.
public final class ModuleNamespace: JSObject {
  let env: Env
  var readers: [String: (Env) throws -> Value] = [:]

  init(env: Env) {
    self.env = env
    super.init(prototype: nil)
  }

  public override var className: String { "Module" }

  public override func ownProperty(_ key: String) -> Property? {
    guard let read = readers[key] else { return nil }
    let v = (try? read(env)) ?? .undefined
    return Property(v, enumerable: true, writable: true, configurable: false)
  }

  public override func ownKeys() -> [String] { readers.keys.sorted() }

  @discardableResult
  public override func defineOwn(_ key: String, _ property: Property) -> Bool { false }
  public override func deleteOwn(_ key: String) -> Bool { false }
}

extension Interpreter {
  /// Registers a built-in module (`@tensorflow/tfjs-node`): `loader` runs on
  /// the first import or `require`, and its value is cached. `import x from`
  /// gives the value's `default` property when it has one, else the value itself.
  public func registerModule(_ name: String, _ loader: @escaping (Interpreter) throws -> Value) {
    moduleLoaders[name] = loader
  }

  /// Registers a module written in tl, importable by bare name (`stdlib/` modules).
  public func registerSourceModule(_ name: String, source: String) {
    sourceModules[name] = source
  }

  /// Names a package scripts import that this host does not provide: importing
  /// it still fails with `Cannot find module`, followed by ` (note)`.
  public func registerUnavailableModule(_ name: String, note: String) {
    unavailableModules[name] = note
  }

  /// Loads (once) and returns a module: a built-in module's value, or a source module's namespace.
  func loadModule(_ specifier: String, from importer: SourceFile, line: Int) throws -> (value: Value, isBuiltin: Bool) {
    if let cached = moduleCache["builtin:" + specifier] { return (cached, true) }
    if let loader = moduleLoaders[specifier] {
      let v = try loader(self)
      moduleCache["builtin:" + specifier] = v
      return (v, true)
    }
    if let source = sourceModules[specifier] {
      return (try evaluateModule(key: "source:" + specifier, file: SourceFile(name: specifier, text: source)), false)
    }
    if specifier.hasPrefix("./") || specifier.hasPrefix("../") || specifier.hasPrefix("/") {
      let base = (importer.name as NSString).deletingLastPathComponent
      let joined = specifier.hasPrefix("/") ? specifier : (base.isEmpty ? specifier : base + "/" + specifier)
      let path = (joined as NSString).standardizingPath
      for candidate in [path, path + ".tl", path + ".js", path + "/index.tl", path + "/index.js"] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
          if let cached = moduleCache["file:" + candidate] { return (cached, false) }
          guard let text = try? String(contentsOfFile: candidate, encoding: .utf8) else { break }
          let shown = specifier.hasPrefix("/") ? candidate : relativeName(candidate, like: importer.name)
          return (try evaluateModule(key: "file:" + candidate, file: SourceFile(name: shown, text: text)), false)
        }
      }
    }
    let note = unavailableModules[specifier].map { " (\($0))" } ?? ""
    let error = makeError(
      .error, "Cannot find module '\(specifier)' imported from \(importer.name):\(line)" + note)
    if case .object(let o) = error { o.defineOwn("code", Property(.string("MODULE_NOT_FOUND"), enumerable: true)) }
    throw ScriptThrow.value(error)
  }

  /// A path shown in stack traces: relative when the importer's was.
  private func relativeName(_ path: String, like importer: String) -> String {
    if importer.hasPrefix("/") { return path }
    let cwd = FileManager.default.currentDirectoryPath
    if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
    return path
  }

  /// Compiles and runs a module file once; returns its namespace.
  private func evaluateModule(key: String, file: SourceFile) throws -> Value {
    if let cached = moduleCache[key] { return cached }
    let parsed = Parser.parse(file)
    if let first = parsed.diagnostics.first {
      throw ScriptThrow.error(.syntaxError, "\(first.message) (\(first.fileName):\(first.range.start.line):\(first.range.start.column))")
    }
    let program = Compiler(interp: self, file: file, mode: .script).compileProgram(parsed.program)
    let env = Env.make(parent: nil, count: program.slotCount)
    let namespace = ModuleNamespace(env: env)
    for (name, read) in program.exports { namespace.readers[name] = read }
    moduleCache[key] = .object(namespace)
    for source in program.reexportAll {
      let (v, _) = try loadModule(source, from: file, line: 0)
      if case .object(let o) = v {
        for k in o.ownKeys() where k != "default" && namespace.readers[k] == nil {
          namespace.readers[k] = { [unowned self] _ in try get(v, k) }
        }
      }
    }
    if program.usesAwait {
      throw ScriptThrow.error(.syntaxError, "top-level await is only supported in the main script (\(file.name))")
    }
    pushFrame(CallFrame(code: program.topLevelCode, callerPosition: position))
    defer { popFrame() }
    do {
      try program.prologue(env)
      _ = try program.body(env)
    } catch ScriptThrow.error(let kind, let message) {
      throw ScriptThrow.value(makeError(kind, message))
    }
    return .object(namespace)
  }

  /// The value an import binding gets from a loaded module.
  func importedValue(_ module: (value: Value, isBuiltin: Bool), _ name: String, specifier: String) throws -> Value {
    if module.isBuiltin {
      if name == "default" {
        if case .object(let o) = module.value, o.hasProperty("default") { return try get(module.value, "default") }
        return module.value
      }
      return try get(module.value, name)
    }
    guard case .object(let o) = module.value, o.hasProperty(name) else {
      throw ScriptThrow.error(.syntaxError, "The requested module '\(specifier)' does not provide an export named '\(name)'")
    }
    return try get(module.value, name)
  }

  func installRequire() {
    defineGlobal("require", .object(realm.newFunction("require", arity: 1) { [unowned self] call in
      let name = try call.arguments.string(0, name: "id")
      let importer = (frameCount > 0 ? frame(at: frameCount - 1).file : nil) ?? SourceFile(name: "<eval>", text: "")
      let m = try loadModule(name, from: importer, line: position.line)
      return m.value
    }))
  }
}

// MARK: - Compiling import and export

extension Compiler {
  /// Declares the import's bindings and returns the step that loads the module.
  func compileImport(_ decl: ImportDeclaration) -> (Env) throws -> Void {
    var bindings: [(imported: String, bind: (Env, Value) throws -> Void)] = []
    func declare(_ local: String, _ imported: String) {
      if !atReplTop { scope.declare(local, .constBinding, at: 0) }
      bindings.append((imported, compileBindingInitializer(local, range: decl.range)))
    }
    if let d = decl.defaultBinding { declare(d, "default") }
    if let n = decl.namespaceBinding { declare(n, "*") }
    for spec in decl.named { declare(spec.local, spec.imported) }
    let source = decl.source
    let at = decl.range.start
    let file = self.file
    return { [unowned(unsafe) interp] env in
      interp.position = at
      let module = try interp.loadModule(source, from: file, line: at.line)
      for (imported, bind) in bindings {
        let v = imported == "*" ? module.value : try interp.importedValue(module, imported, specifier: source)
        try bind(env, v)
      }
    }
  }

  func compileExport(_ decl: ExportDeclaration, range: SourceRange) -> StmtCode {
    switch decl {
    case .declaration(let stmt):
      var names: [String] = []
      switch stmt.kind {
      case .variable(let d): for x in d.declarators { patternNames(x.target, into: &names) }
      case .function(let f): if let n = f.name { names.append(n) }
      case .class(let c): if let n = c.name { names.append(n) }
      default: break
      }
      for n in names { exports.append((n, exportReader(n))) }
      if case .function = stmt.kind { return { _ in .normal } }
      return compileStatement(stmt)
    case .named(let specs, let from):
      if let from {
        let file = self.file
        for spec in specs {
          exports.append((spec.exported, { [unowned(unsafe) interp] _ in
            let m = try interp.loadModule(from, from: file, line: range.start.line)
            return spec.local == "default" && m.isBuiltin ? m.value : try interp.importedValue(m, spec.local, specifier: from)
          }))
        }
        return { _ in .normal }
      }
      for spec in specs { exports.append((spec.exported, exportReader(spec.local))) }
      return { _ in .normal }
    case .defaultExpression(let e):
      if case .function(let node) = e.kind, let name = node.name, !node.isArrow {
        exports.append(("default", exportReader(name)))
        return { _ in .normal }
      }
      if case .class(let node) = e.kind, let name = node.name {
        exports.append(("default", exportReader(name)))
        return compileStatement(Stmt(.class(node), range))
      }
      let slot = scope.hiddenSlot()
      let code = compileExpr(e, nameHint: "default")
      exports.append(("default", { env in env[slot] }))
      return { env in
        env[slot] = try code(env)
        return .normal
      }
    case .all(let from):
      reexportAll.append(from)
      return { _ in .normal }
    }
  }

  private func exportReader(_ name: String) -> (Env) throws -> Value {
    if case .local(let depth, let b, _) = scope.resolve(name) {
      let slot = b.slot
      return { env in
        let v = env.ancestor(depth)[slot]
        return isUninitialized(v) ? .undefined : v
      }
    }
    return { [unowned(unsafe) interp] _ in interp.lexicalGlobals[name]?.value ?? .undefined }
  }
}
