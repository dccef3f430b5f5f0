// Running programs: scripts (with their event loop), REPL entries, and the
// intrinsics every realm starts with.

extension Interpreter {
  func installIntrinsics() {
    defineGlobal("globalThis", .object(realm.globalObject))
    installErrors()
    installPromise()
    installTimers()
    installRequire()
  }

  /// Parses and runs a script file, then its event loop until no work is
  /// left. `arguments` become `process.argv.slice(2)` (`argv` is `['tl', file, ...]`).
  public func run(source: String, file: String, arguments: [String] = []) -> RunResult {
    argv = ["tl", file] + arguments
    Builtins.setArguments(argv, in: self)
    let sourceFile = SourceFile(name: file, text: source)
    let parsed = Parser.parse(sourceFile)
    if !parsed.diagnostics.isEmpty { return .syntaxErrors(parsed.diagnostics) }
    return onScriptThread { [unowned self] in
      let program = Compiler(interp: self, file: sourceFile, mode: .script).compileProgram(parsed.program)
      return execute(program)
    }
  }

  /// Runs one REPL entry: top-level `let`/`const`/`class`/`function` persist
  /// across entries and may be redeclared, `await` works at top level, and
  /// the result is the completion value (also stored in `_`).
  public func evaluateREPL(_ source: String, file: String = "<repl>") -> RunResult {
    let sourceFile = SourceFile(name: file, text: source)
    let parsed = Parser.parse(sourceFile)
    if !parsed.diagnostics.isEmpty { return .syntaxErrors(parsed.diagnostics) }
    return onScriptThread { [unowned self] in
      replCompletion = .undefined
      let program = Compiler(interp: self, file: sourceFile, mode: .repl).compileProgram(parsed.program)
      let result = execute(program)
      if case .ok(let v) = result {
        if lexicalGlobals["_"] == nil { defineGlobal("_", v) }
        return .ok(v)
      }
      if case .uncaught(let v, let text) = result { return .uncaught(v, "Uncaught " + text.replacingPrefix("Uncaught ", with: "")) }
      return result
    }
  }

  /// Runs a compiled program's top level and then the event loop.
  private func execute(_ program: CompiledProgram) -> RunResult {
    clearInterrupt()
    frames = []
    depth = 0
    depthLimit = Interpreter.mainDepthLimit
    position = .unknown
    let env = Env.make(parent: nil, count: program.slotCount)
    let topFrame = CallFrame(code: program.topLevelCode, callerPosition: .unknown)
    defer {
      cancelCoroutines()
      frames = []
      depth = 0
      microtasks = []
      microtaskHead = 0
      pendingRejections = []
    }
    do {
      var value = Value.undefined
      if program.usesAwait {
        let promise = newPromise()
        promise.isHandled = true
        try startCoroutine(topLevel: true) { [self] in
          frames.append(topFrame)
          defer { frames.removeAll() }
          do {
            try program.prologue(env)
            let c = try program.body(env)
            if case .returnValue(let v) = c { value = v }
            resolvePromise(promise, with: .undefined)
          } catch let t as ScriptThrow {
            rejectPromise(promise, with: thrownValue(t))
          }
        }
        try runEventLoop()
        if case .rejected(let reason) = promise.state { throw ScriptThrow.value(reason) }
      } else {
        frames = [topFrame]
        do {
          try program.prologue(env)
          if case .returnValue(let v) = try program.body(env) { value = v }
        } catch ScriptThrow.error(let kind, let message) {
          throw ScriptThrow.value(makeError(kind, message))
        }
        frames = []
        try runEventLoop()
      }
      return .ok(replCompletionOr(value))
    } catch let t as ScriptThrow {
      let v = thrownValue(t)
      timers = []
      return .uncaught(v, renderUncaught(v))
    } catch let r as UnhandledRejection {
      timers = []
      return .uncaught(r.reason, renderUncaught(r.reason))
    } catch let exit as ProcessExit {
      timers = []
      return .exited(exit.code)
    } catch {
      timers = []
      return .interrupted
    }
  }

  private func replCompletionOr(_ v: Value) -> Value {
    replCompletion.isUndefined ? v : replCompletion
  }
}

extension String {
  fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
    hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
  }
}
