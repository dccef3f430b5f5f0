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
  /// left. `arguments` become `process.argv.slice(2)` (`argv` is `['tl', file, ...]`),
  /// except for code from `-e` (`file` `[eval]`): as with `node -e`, argv is
  /// `['tl', ...arguments]`, with no entry for the code.
  public func run(source: String, file: String, arguments: [String] = []) -> RunResult {
    argv = (file == Interpreter.evalFileName ? ["tl"] : ["tl", file]) + arguments
    Builtins.setArguments(argv, in: self)
    let sourceFile = SourceFile(name: file, text: source)
    let parsed = Parser.parse(sourceFile)
    if !parsed.diagnostics.isEmpty { return .syntaxErrors(parsed.diagnostics) }
    return onScriptThread { [unowned self] in
      let program = Compiler(interp: self, file: sourceFile, mode: .script).compileProgram(parsed.program)
      return execute(program)
    }
  }

  /// The name `-e` code runs under (in stack traces), as in Node.
  public static let evalFileName = "[eval]"

  /// Runs one REPL entry: top-level `let`/`const`/`class`/`function` persist
  /// across entries and may be redeclared, `await` works at top level, and
  /// the result is the completion value (also stored in `_`).
  ///
  /// With `leavingTimers` false the event loop then runs to the end. With it
  /// true (Node's REPL) the entry returns once its synchronous code and
  /// microtasks have run (and, with top-level `await`, once its promise has
  /// settled, firing timers while it waits): timers still pending stay for
  /// the host to fire with `runDueTimers()` between keystrokes.
  public func evaluateREPL(
    _ source: String, file: String = "<repl>", leavingTimers: Bool = false
  ) -> RunResult {
    let sourceFile = SourceFile(name: file, text: source)
    let parsed = Parser.parse(sourceFile)
    if !parsed.diagnostics.isEmpty { return .syntaxErrors(parsed.diagnostics) }
    return onScriptThread { [unowned self] in
      replCompletion = .undefined
      let program = Compiler(interp: self, file: sourceFile, mode: .repl).compileProgram(parsed.program)
      let result = execute(program, leavingTimers: leavingTimers)
      if case .ok(let v) = result {
        if lexicalGlobals["_"] == nil { defineGlobal("_", v) }
        return .ok(v)
      }
      return Interpreter.replReport(result)
    }
  }

  /// An uncaught error as the REPL reports it: `Uncaught ` and the stack.
  private static func replReport(_ result: RunResult) -> RunResult {
    if case .uncaught(let v, let text) = result {
      return .uncaught(v, "Uncaught " + text.replacingPrefix("Uncaught ", with: ""))
    }
    return result
  }

  // MARK: - The event loop, driven by a host

  /// True while timers are waiting to fire (after `evaluateREPL(_:leavingTimers: true)`).
  public var hasPendingWork: Bool {
    !timers.isEmpty || microtaskHead < microtasks.count
  }

  /// When the first pending timer is due, in milliseconds since 1970 (as
  /// `Date().timeIntervalSince1970 * 1000`); nil when none is pending.
  public var nextTimerDeadline: Double? { nextTimerDue }

  /// Fires every timer already due, each followed by the microtasks it
  /// queued. `.ok(undefined)` when all went well; an error thrown by a
  /// callback comes back `.uncaught` (reported as the REPL does, the other
  /// timers stay); an interrupt (`requestInterrupt`) stops every timer.
  public func runDueTimers() -> RunResult {
    onScriptThread { [unowned self] in
      Interpreter.replReport(drive { try runDueTimersNow() })
    }
  }

  /// Runs the queued microtasks (the host's own promise jobs), as `runDueTimers`.
  public func runMicrotasks() -> RunResult {
    onScriptThread { [unowned self] in
      Interpreter.replReport(drive { try drainMicrotasks() })
    }
  }

  /// Forgets every pending timer and ends suspended async functions (`.clear`).
  public func stopPendingWork() {
    onScriptThread { [unowned self] in
      timers = []
      cancelCoroutines()
      microtasks = []
      microtaskHead = 0
    }
  }

  /// Runs event-loop work outside an entry and turns what it threw into a result.
  private func drive(_ work: () throws -> Void) -> RunResult {
    clearInterrupt()
    frames = []
    depth = 0
    depthLimit = Interpreter.mainDepthLimit
    position = .unknown
    defer {
      frames = []
      depth = 0
    }
    do {
      try work()
      return .ok(.undefined)
    } catch let t as ScriptThrow {
      let v = thrownValue(t)
      return .uncaught(v, renderUncaught(v))
    } catch let r as UnhandledRejection {
      return .uncaught(r.reason, renderUncaught(r.reason))
    } catch let exit as ProcessExit {
      return .exited(exit.code)
    } catch {
      timers = []
      cancelCoroutines()
      microtasks = []
      microtaskHead = 0
      return .interrupted
    }
  }

  // MARK: - Running a program

  /// Runs a compiled program's top level and then the event loop (all of it,
  /// or with `leavingTimers` only what the entry needs, see `evaluateREPL`).
  private func execute(_ program: CompiledProgram, leavingTimers: Bool = false) -> RunResult {
    clearInterrupt()
    frames = []
    depth = 0
    depthLimit = Interpreter.mainDepthLimit
    position = .unknown
    let env = Env.make(parent: nil, count: program.slotCount)
    let topFrame = CallFrame(code: program.topLevelCode, callerPosition: .unknown)
    // Keep suspended async functions alive while timers may still resume them.
    var keepCoroutines = leavingTimers
    defer {
      if !keepCoroutines { cancelCoroutines() }
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
          pushFrame(topFrame)
          defer { truncateFrames(to: 0) }
          do {
            try program.prologue(env)
            let c = try program.body(env)
            if case .returnValue(let v) = c { value = v }
            resolvePromise(promise, with: .undefined)
          } catch let t as ScriptThrow {
            rejectPromise(promise, with: thrownValue(t))
          }
        }
        try runEventLoop(until: { [unowned promise] in
          if case .pending = promise.state { return false }
          return leavingTimers
        })
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
        try runEventLoop(until: { leavingTimers })
      }
      return .ok(replCompletionOr(value))
    } catch let t as ScriptThrow {
      let v = thrownValue(t)
      if !leavingTimers { timers = [] }
      return .uncaught(v, renderUncaught(v))
    } catch let r as UnhandledRejection {
      if !leavingTimers { timers = [] }
      return .uncaught(r.reason, renderUncaught(r.reason))
    } catch let exit as ProcessExit {
      timers = []
      return .exited(exit.code)
    } catch {
      // Ctrl-C: stop everything the session had scheduled.
      timers = []
      keepCoroutines = false
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
