// Statements: declarations, control flow, loops, try/catch, switch, labels.

extension Compiler {
  func compileStatement(_ stmt: Stmt) -> StmtCode {
    // The REPL echoes the completion value: `if`, loops, `switch` and `try`
    // complete with undefined unless a statement inside gives a value.
    if inReplTopCode && stmt.kind.completionStartsUndefined {
      let code = compileStatementKind(stmt)
      return { [unowned(unsafe) interp] env in
        interp.replCompletion = .undefined
        return try code(env)
      }
    }
    return compileStatementKind(stmt)
  }

  private func compileStatementKind(_ stmt: Stmt) -> StmtCode {
    let labels = pendingLabels
    pendingLabels = []
    switch stmt.kind {
    case .expression(let e):
      let code = compileExpr(e)
      if inReplTopCode {
        return { [unowned(unsafe) interp] env in
          interp.replCompletion = try code(env)
          return .normal
        }
      }
      return { env in
        _ = try code(env)
        return .normal
      }
    case .variable(let decl):
      return compileVariableDeclaration(decl)
    case .function:
      return { _ in .normal }
    case .class(let node):
      let make = compileClass(node, nameHint: node.name)
      guard let name = node.name else { return { env in _ = try make(env); return .normal } }
      let bind = compileBindingInitializer(name, range: node.range)
      return { env in
        try bind(env, try make(env))
        return .normal
      }
    case .return(let e):
      guard let e else { return { _ in .returnValue(.undefined) } }
      let code = compileExpr(e)
      return { env in .returnValue(try code(env)) }
    case .if(let test, let then, let els):
      let t = compileCondition(test)
      let a = compileStatement(then)
      if let els {
        let b = compileStatement(els)
        return { env in try t(env) ? try a(env) : try b(env) }
      }
      return { env in try t(env) ? try a(env) : .normal }
    case .block(let body):
      return compileBlock(body)
    case .for(let initializer, let test, let update, let body):
      return compileFor(initializer, test, update, body, labels: labels)
    case .forIn(let head, let object, let body):
      return compileForInOf(head, object, body, labels: labels, isOf: false)
    case .forOf(let head, let iterable, let body):
      return compileForInOf(head, iterable, body, labels: labels, isOf: true)
    case .while(let test, let body):
      let t = compileCondition(test)
      let b = compileStatement(body)
      let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
      return { env in
        while try t(env) {
          try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
          switch try b(env) {
          case .normal: continue
          case .breakLoop(let l) where l == nil || labels.contains(l!): return .normal
          case .continueLoop(let l) where l == nil || labels.contains(l!): continue
          case let c: return c
          }
        }
        return .normal
      }
    case .doWhile(let body, let test):
      let t = compileCondition(test)
      let b = compileStatement(body)
      let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
      return { env in
        repeat {
          try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
          switch try b(env) {
          case .normal: break
          case .breakLoop(let l) where l == nil || labels.contains(l!): return .normal
          case .continueLoop(let l) where l == nil || labels.contains(l!): break
          case let c: return c
          }
        } while try t(env)
        return .normal
      }
    case .break(let label):
      return { _ in .breakLoop(label) }
    case .continue(let label):
      return { _ in .continueLoop(label) }
    case .throw(let e):
      let code = compileExpr(e)
      let at = stmt.range.start
      return { [unowned(unsafe) interp] env in
        let v = try code(env)
        interp.position = at
        throw ScriptThrow.value(v)
      }
    case .try(let body, let param, let catchBody, let finally):
      return compileTry(body, param, catchBody, finally)
    case .switch(let discriminant, let cases):
      return compileSwitch(discriminant, cases, labels: labels)
    case .labeled(let label, let body):
      pendingLabels = labels + [label]
      let code = compileStatement(body)
      pendingLabels = []
      return { env in
        let c = try code(env)
        if case .breakLoop(let l) = c, l == label { return .normal }
        return c
      }
    case .import:
      return { _ in .normal }
    case .export(let decl):
      return compileExport(decl, range: stmt.range)
    case .empty:
      return { _ in .normal }
    }
  }

  /// A test expression as a Swift Bool, with fast paths for comparisons.
  func compileCondition(_ e: Expr) -> (Env) throws -> Bool {
    if case .binary(let op, let l, let r) = e.kind {
      if let code = compileLocalConstantCondition(op, l, r) { return code }
      let b = compileExpr(r)
      switch op {
      case .less, .lessEqual, .greater, .greaterEqual:
        if let slot = directLocalSlot(l) {
          // `i < n`, `i < a.length`: the local read in place.
          return { [unowned(unsafe) interp] env in
            let x = env[slot]  // left first: the right side may reassign it
            let y = try b(env)
            if case .number(let p) = x, case .number(let q) = y { return compareNumbers(p, op, q) }
            return try interp.compare(x, y, op)
          }
        }
      default: break
      }
      let a = compileExpr(l)
      switch op {
      case .less:
        return { [unowned(unsafe) interp] env in
          let x = try a(env), y = try b(env)
          if case .number(let p) = x, case .number(let q) = y { return p < q }
          return try interp.compare(x, y, .less)
        }
      case .lessEqual:
        return { [unowned(unsafe) interp] env in
          let x = try a(env), y = try b(env)
          if case .number(let p) = x, case .number(let q) = y { return p <= q }
          return try interp.compare(x, y, .lessEqual)
        }
      case .greater:
        return { [unowned(unsafe) interp] env in
          let x = try a(env), y = try b(env)
          if case .number(let p) = x, case .number(let q) = y { return p > q }
          return try interp.compare(x, y, .greater)
        }
      case .greaterEqual:
        return { [unowned(unsafe) interp] env in
          let x = try a(env), y = try b(env)
          if case .number(let p) = x, case .number(let q) = y { return p >= q }
          return try interp.compare(x, y, .greaterEqual)
        }
      case .strictEqual:
        return { env in strictEquals(try a(env), try b(env)) }
      case .strictNotEqual:
        return { env in !strictEquals(try a(env), try b(env)) }
      default:
        break
      }
    }
    let code = compileExpr(e)
    return { env in try code(env).isTruthy }
  }

  // MARK: - Variables

  func compileVariableDeclaration(_ decl: VariableDeclaration) -> StmtCode {
    var steps: [StmtCode] = []
    for d in decl.declarators {
      if d.initializer == nil && decl.kind == .var { continue }
      let value: ExprCode
      if let initializer = d.initializer {
        var hint: String?
        if case .identifier(let n, _) = d.target { hint = n }
        value = compileExpr(initializer, nameHint: hint)
      } else {
        value = { _ in .undefined }
      }
      // `let x = v` / `const x = v` into this environment: one closure, no
      // binder call; a single declarator is returned directly (a closure
      // taken out of the array would be called through thunks).
      if decl.kind != .var, decl.declarators.count == 1, case .identifier(let name, _) = d.target,
        case .local(0, let b, _) = scope.resolve(name)
      {
        let slot = b.slot
        return { env in
          env[slot] = try value(env)
          return .normal
        }
      }
      let bind = compilePattern(d.target, mode: decl.kind == .var ? .assign : .initialize)
      let step: StmtCode = { env in
        try bind(env, try value(env))
        return .normal
      }
      if decl.declarators.count == 1 { return step }
      steps.append(step)
    }
    if steps.count == 1 { return steps[0] }
    return { env in
      for s in steps { _ = try s(env) }
      return .normal
    }
  }

  // MARK: - Loops

  private func loopResult(_ c: Completion, _ labels: [String]) -> (exit: Bool, result: Completion) {
    switch c {
    case .normal: return (false, .normal)
    case .breakLoop(let l): if l == nil || labels.contains(l!) { return (true, .normal) }
    case .continueLoop(let l): if l == nil || labels.contains(l!) { return (false, .normal) }
    case .returnValue: break
    }
    return (true, c)
  }

  func compileFor(_ initializer: ForInit?, _ test: Expr?, _ update: Expr?, _ body: Stmt, labels: [String]) -> StmtCode {
    var lexical = false
    if case .declaration(let d)? = initializer, d.kind != .var { lexical = true }
    // The parts are compiled without generics or Optional.map, so that the
    // loop calls them directly (see `beginBlockScope`).
    var blockScope: (scope: Scope, saved: Scope)?
    var transparent = false
    if lexical {
      transparent = !ClosureScan.stmt(Stmt(.for(init: initializer, test: test, update: update, body: body), body.range))
      blockScope = beginBlockScope(transparent: transparent)
    }
    var steps: [(Env) throws -> Void] = []
    var initCode: StmtCode = { _ in .normal }
    switch initializer {
    case .declaration(let d)?:
      if lexical { steps = declareHoisted([Stmt(.variable(d), d.range)], functionTop: false) }
      initCode = compileVariableDeclaration(d)
    case .expression(let e)?:
      let c = compileExpr(e)
      initCode = { env in _ = try c(env); return .normal }
    case nil:
      break
    }
    var testCode: (Env) throws -> Bool = { _ in true }
    if let test { testCode = compileCondition(test) }
    var updateCode: ExprCode = { _ in .undefined }
    if let update { updateCode = compileExpr(update) }
    let b = compileStatement(body)
    if let (_, saved) = blockScope { endBlockScope(saved) }
    let i = initCode, t = testCode, u = updateCode
    if !lexical {
      let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
      return { env in
        _ = try i(env)
        while try t(env) {
          try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
          let c = try b(env)
          if case .normal = c {} else {
            let (exit, result) = self.loopResult(c, labels)
            if exit { return result }
          }
          _ = try u(env)
        }
        return .normal
      }
    }
    guard let s = blockScope?.scope else { return { _ in .normal } }  // lexical implies a scope
    let count = s.slotCount
    // Closures made in the body capture the iteration's own copy of the bindings.
    let perIteration = s.containsClosure
    if transparent {
      let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
      return { env in
        for step in steps { try step(env) }
        _ = try i(env)
        while try t(env) {
          try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
          let c = try b(env)
          if case .normal = c {} else {
            let (exit, result) = self.loopResult(c, labels)
            if exit { return result }
          }
          _ = try u(env)
        }
        return .normal
      }
    }
    let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
    return { env in
      var e = Env.make(parent: env, count: count)
      for step in steps { try step(e) }
      _ = try i(e)
      if perIteration { e = Env.copy(e) }
      while try t(e) {
        try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
        let c = try b(e)
        if case .normal = c {} else {
          let (exit, result) = self.loopResult(c, labels)
          if exit { return result }
        }
        if perIteration { e = Env.copy(e) }
        _ = try u(e)
      }
      return .normal
    }
  }

  func compileForInOf(_ head: ForHead, _ subject: Expr, _ body: Stmt, labels: [String], isOf: Bool) -> StmtCode {
    let subjectCode = compileExpr(subject)
    let bindAndBody: (bind: (Env, Value) throws -> Void, body: StmtCode, count: Int?)
    switch head {
    case .declaration(let kind, let pattern) where kind != .var:
      let transparent = !ClosureScan.pattern(pattern) && !ClosureScan.stmt(body)
      let (s, saved) = beginBlockScope(transparent: transparent)
      var names: [String] = []
      patternNames(pattern, into: &names)
      for n in names { scope.declare(n, kind == .const ? .constBinding : .letBinding) }
      let bind = compilePattern(pattern, mode: .initialize)
      let b = compileStatement(body)
      endBlockScope(saved)
      bindAndBody = (bind, b, s.isTransparent ? nil : s.slotCount)
    case .declaration(_, let pattern), .target(let pattern):
      bindAndBody = (compilePattern(pattern, mode: .assign), compileStatement(body), nil)
    }
    let (bind, b, count) = bindAndBody
    let description = describe(subject)
    let at = subject.range.start
    let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per iteration
    return { [unowned(unsafe) interp] env in
      let subjectValue = try subjectCode(env)
      let next: () throws -> Value?
      if isOf {
        interp.position = at
        next = try interp.makeIterator(subjectValue, description: description)
      } else {
        var keys = interp.forInKeys(subjectValue).makeIterator()
        next = { keys.next().map { .string($0) } }
      }
      while let item = try next() {
        try ui._withUnsafeGuaranteedRef { try $0.checkInterrupt() }
        let e = count.map { Env.make(parent: env, count: $0) } ?? env
        try bind(e, item)
        let c = try b(e)
        if case .normal = c { continue }
        let (exit, result) = self.loopResult(c, labels)
        if exit { return result }
      }
      return .normal
    }
  }

  // MARK: - try / switch

  func compileTry(_ body: [Stmt], _ param: Pattern?, _ catchBody: [Stmt]?, _ finally: [Stmt]?) -> StmtCode {
    let tryCode = compileBlock(body)
    var catchCode: ((Env, Value) throws -> Completion)?
    if let catchBody {
      if let param {
        let transparent = !ClosureScan.pattern(param) && !ClosureScan.any(catchBody)
        let ((bind, handler), s) = withBlockScope(transparent: transparent) { () -> ((Env, Value) throws -> Void, StmtCode) in
          var names: [String] = []
          patternNames(param, into: &names)
          for n in names { scope.declare(n, .letBinding) }
          return (compilePattern(param, mode: .initialize), compileBlock(catchBody))
        }
        let count = s.slotCount
        let isTransparent = s.isTransparent
        catchCode = { env, v in
          let e = isTransparent ? env : Env.make(parent: env, count: count)
          try bind(e, v)
          return try handler(e)
        }
      } else {
        let handler = compileBlock(catchBody)
        catchCode = { env, _ in try handler(env) }
      }
    }
    var finallyCode = finally.map { compileBlock($0) }
    if inReplTopCode, let code = finallyCode {
      // A finally block that completes normally keeps the REPL's value (`try { 7 } finally { 8 }`).
      finallyCode = { [unowned(unsafe) interp] env in
        let kept = interp.replCompletion
        let f = try code(env)
        if case .normal = f { interp.replCompletion = kept }
        return f
      }
    }
    return { [unowned(unsafe) interp] env in
      var completion: Completion = .normal
      var pending: Error?
      do {
        completion = try tryCode(env)
      } catch let t as ScriptThrow {
        if let catchCode {
          do {
            completion = try catchCode(env, interp.thrownValue(t))
          } catch {
            pending = error
          }
        } else {
          pending = t
        }
      } catch {
        pending = error  // interrupts: run finally, then keep unwinding
      }
      if let finallyCode {
        let f = try finallyCode(env)
        if case .normal = f {} else { return f }
      }
      if let pending { throw pending }
      return completion
    }
  }

  func compileSwitch(_ discriminant: Expr, _ cases: [SwitchCase], labels: [String]) -> StmtCode {
    let d = compileExpr(discriminant)
    let all = cases.flatMap { $0.body }
    let needsScope = hasLexicalDeclarations(all)
    let compileCases = { [self] () -> ([(Env) throws -> Void], [(test: ExprCode?, body: StmtCode)]) in
      scope.isSwitch = needsScope
      let steps = needsScope ? declareHoisted(all, functionTop: false) : []
      let compiled = cases.map { c in (test: c.test.map { compileExpr($0) }, body: compileStatements(c.body)) }
      return (steps, compiled)
    }
    let steps: [(Env) throws -> Void]
    let compiled: [(test: ExprCode?, body: StmtCode)]
    var count: Int?
    if needsScope {
      let transparent = !cases.contains { ($0.test.map(ClosureScan.expr) ?? false) || ClosureScan.any($0.body) }
      let (parts, s) = withBlockScope(transparent: transparent, compileCases)
      (steps, compiled) = parts
      count = s.isTransparent ? nil : s.slotCount
    } else {
      (steps, compiled) = (compileCases())
    }
    let defaultIndex = compiled.firstIndex { $0.test == nil }
    return { env in
      let value = try d(env)
      let e = count.map { Env.make(parent: env, count: $0) } ?? env
      for step in steps { try step(e) }
      var start: Int?
      for (i, c) in compiled.enumerated() {
        if let t = c.test, strictEquals(value, try t(e)) {
          start = i
          break
        }
      }
      guard let first = start ?? defaultIndex else { return .normal }
      for i in first..<compiled.count {
        let c = try compiled[i].body(e)
        switch c {
        case .normal: continue
        case .breakLoop(let l) where l == nil || labels.contains(l!): return .normal
        default: return c
        }
      }
      return .normal
    }
  }
}

extension Interpreter {
  /// The keys `for...in` visits: enumerable string keys, own then inherited, no repeats.
  func forInKeys(_ value: Value) -> [String] {
    var object: JSObject?
    switch value {
    case .object(let o): object = o
    case .string(let s): return (0..<s.utf16.count).map { String($0) }
    default: return []
    }
    var seen = Set<String>()
    var out: [String] = []
    while let o = object {
      for k in o.ownKeys() where !seen.contains(k) {
        seen.insert(k)
        if let p = o.ownProperty(k), p.enumerable { out.append(k) }
      }
      object = o.prototype
    }
    return out
  }
}

extension Stmt.Kind {
  /// Statements whose completion value is undefined when nothing inside them
  /// produces one (ECMAScript's UpdateEmpty(…, undefined)).
  fileprivate var completionStartsUndefined: Bool {
    switch self {
    case .if, .for, .forIn, .forOf, .while, .doWhile, .switch, .try: return true
    default: return false
    }
  }
}
