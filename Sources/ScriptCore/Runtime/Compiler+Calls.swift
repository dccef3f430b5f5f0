// Calls: `f(x)`, `o.m(x)`, `new C(x)`, `super(...)`, `super.m()`, spread
// arguments, and V8's messages naming the callee (with a "did you mean").

extension Compiler {
  typealias CalleeCode = (Env) throws -> (callee: Value, this: Value)

  /// Evaluates a callee and the `this` it binds: the object for member calls.
  func compileCallee(_ e: Expr) -> CalleeCode {
    switch e.kind {
    case .member(let object, let name, let optional):
      let o = compileExpr(object)
      let at = e.range.start
      let cache = PropertySiteCache(key: name)
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        if case .object(let ob) = v {
          if let f = ob.cachedDataLookup(name, cache) { return (f, v) }
          if let p = ob.lookup(name), case .value(let f) = p.slot { return (f, v) }
        }
        if v.isNullish {
          if optional { throw OptionalChainShortCircuit() }
          interp.position = at
        }
        return (try interp.get(v, name), v)
      }
    case .index(let object, let index, let optional):
      let o = compileExpr(object), k = compileExpr(index)
      let at = e.range.start
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        if optional && v.isNullish { throw OptionalChainShortCircuit() }
        let key = try interp.toPropertyKey(try k(env))
        if v.isNullish { interp.position = at }
        return (try interp.get(v, key), v)
      }
    case .superMember(let key):
      let ref = compileSuperMember(key, e.range)
      return { env in
        let r = try ref(env)
        return (r.value, r.this)
      }
    default:
      let c = compileExpr(e)
      return { env in (try c(env), .undefined) }
    }
  }

  /// Evaluates call arguments, expanding spreads.
  func compileArgumentList(_ arguments: [Argument]) -> (Env) throws -> [Value] {
    var hasSpread = false
    let parts: [(ExprCode, Bool)] = arguments.map {
      switch $0 {
      case .expr(let e): return (compileExpr(e), false)
      case .spread(let e):
        hasSpread = true
        return (compileExpr(e), true)
      }
    }
    switch (parts.count, hasSpread) {
    case (0, _): return { _ in [] }
    case (1, false):
      let a = parts[0].0
      return { env in [try a(env)] }
    case (2, false):
      let a = parts[0].0, b = parts[1].0
      return { env in [try a(env), try b(env)] }
    case (_, false):
      let codes = parts.map { $0.0 }
      return { env in
        var out: [Value] = []
        out.reserveCapacity(codes.count)
        for c in codes { out.append(try c(env)) }
        return out
      }
    default:
      return { [unowned(unsafe) interp] env in
        var out: [Value] = []
        for (c, spread) in parts {
          if spread { out.append(contentsOf: try interp.collect(try c(env))) } else { out.append(try c(env)) }
        }
        return out
      }
    }
  }

  /// Where a call is reported in stack frames: the method name for `o.m()`, else the call's start.
  private func callPosition(_ callee: Expr, _ range: SourceRange) -> SourceLocation {
    if case .member(_, let name, _) = callee.kind, callee.range.end.line > 0 {
      let n = name.unicodeScalars.count
      let end = callee.range.end
      if end.column > n { return SourceLocation(line: end.line, column: end.column - n, offset: end.offset - n) }
    }
    return range.start
  }

  func compileCall(_ calleeExpr: Expr, _ arguments: [Argument], optional: Bool, _ range: SourceRange) -> ExprCode {
    if arguments.count <= 2, !optional, isPlainCallee(calleeExpr) {
      var exprs: [Expr] = []
      for a in arguments { if case .expr(let e) = a { exprs.append(e) } }
      if exprs.count == arguments.count {
        // Compiled straight into locals: closures taken out of an array (or
        // `map`) would be called through reabstraction thunks.
        let f = compileExpr(calleeExpr)
        let none: ExprCode = { _ in .undefined }
        let a0 = exprs.count > 0 ? compileExpr(exprs[0]) : none
        let a1 = exprs.count > 1 ? compileExpr(exprs[1]) : none
        return compileSmallPlainCall(
          f, a0, a1, argc: exprs.count, calleeSlot: localSlot(calleeExpr),
          description: describe(calleeExpr), at: callPosition(calleeExpr, range))
      }
    }
    let callee = compileCallee(calleeExpr)
    if arguments.count <= 2 {
      var exprs: [Expr] = []
      for a in arguments { if case .expr(let e) = a { exprs.append(e) } }
      if exprs.count == arguments.count {
        let none: ExprCode = { _ in .undefined }
        let a0 = exprs.count > 0 ? compileExpr(exprs[0]) : none
        let a1 = exprs.count > 1 ? compileExpr(exprs[1]) : none
        var memberName: String?
        if case .member(_, let n, _) = calleeExpr.kind { memberName = n }
        return compileSmallCall(
          callee, a0, a1, argc: exprs.count, optional: optional, memberName: memberName,
          methodSlot: optional ? nil : methodObjectSlot(calleeExpr),
          description: describe(calleeExpr), at: callPosition(calleeExpr, range))
      }
    }
    // Without spreads, script functions with plain parameters get their
    // arguments written straight into the new environment (no array).
    var direct: [ExprCode]?
    let args: (Env) throws -> [Value]
    if !arguments.contains(where: { if case .spread = $0 { return true } else { return false } }) {
      let codes = arguments.map { a -> ExprCode in
        if case .expr(let e) = a { return compileExpr(e) }
        return { _ in .undefined }
      }
      direct = codes
      args = { env in
        var out: [Value] = []
        out.reserveCapacity(codes.count)
        for c in codes { out.append(try c(env)) }
        return out
      }
    } else {
      args = compileArgumentList(arguments)
    }
    let description = describe(calleeExpr)
    let at = callPosition(calleeExpr, range)
    var memberName: String?
    if case .member(_, let n, _) = calleeExpr.kind { memberName = n }
    return { [unowned(unsafe) interp] env in
      let (f, this) = try callee(env)
      if let direct, case .object(let fo) = f, let sf = fo as? ScriptFunction,
        sf.code.directParameterSlots != nil
      {
        var argv: [Value] = []
        argv.reserveCapacity(direct.count)
        for c in direct { argv.append(try c(env)) }
        interp.position = at
        return try sf.callDirect(interp, this: this, arguments: argv)
      }
      if optional && f.isNullish { throw OptionalChainShortCircuit() }
      let argv = try args(env)
      interp.position = at
      guard case .object(let fo) = f, let fn = fo as? JSFunction else {
        var message = "\(description) is not a function"
        if let name = memberName, f.isUndefined, let s = interp.suggestion(for: name, in: this) {
          message += " (did you mean \(s)?)"
        }
        throw ScriptThrow.typeError(message)
      }
      return try fn.call(interp, this: this, arguments: argv)
    }
  }

  /// A call with at most two arguments and no spread, through any callee
  /// (`o.m(a)`, `o[k](a, b)`): like the general call, with the argument
  /// closures held separately (see `compileSmallPlainCall`).
  private func compileSmallCall(
    _ callee: @escaping CalleeCode, _ a0: @escaping ExprCode, _ a1: @escaping ExprCode, argc: Int,
    optional: Bool, memberName: String?, methodSlot: Int?, description: String, at: SourceLocation
  ) -> ExprCode {
    let ui = Unmanaged.passUnretained(interp)  // unretained: no retain per call
    // `local.m(...)` / `this.m(...)`: the script method this site called
    // first, called unretained while the object still finds it under `m`.
    let cache = CallSiteCache()
    let lookup = PropertySiteCache(key: memberName ?? "")
    let objectSlot = methodSlot ?? -1
    let name = memberName ?? ""
    return { [unowned(unsafe) interp] env in
      if let id = cache.id, let r = env.objectRef(objectSlot),
        r._withUnsafeGuaranteedRef({ $0.cachedDataIdentity(name, lookup) }) == id
      {
        let this = env[objectSlot]
        let v = argc > 0 ? try a0(env) : .undefined
        let w = argc > 1 ? try a1(env) : .undefined
        return try ui._withUnsafeGuaranteedRef { interp in
          interp.position = at
          return try cache.ref.unsafelyUnwrapped._withUnsafeGuaranteedRef { sf in
            try sf.callDirect(interp, this: this, argc: argc, v, w)
          }
        }
      }
      let (f, this) = try callee(env)
      if case .object(let fo) = f, let sf = fo as? ScriptFunction {
        let code = sf.code
        if code.directParameterSlots != nil {
          if objectSlot >= 0 && cache.id == nil { cache.remember(sf) }
          let v = argc > 0 ? try a0(env) : .undefined
          let w = argc > 1 ? try a1(env) : .undefined
          return try ui._withUnsafeGuaranteedRef { interp in
            interp.position = at
            return try sf.callDirect(interp, this: this, argc: argc, v, w)
          }
        }
      }
      if optional && f.isNullish { throw OptionalChainShortCircuit() }
      var argv: [Value] = []
      if argc > 0 {
        argv.reserveCapacity(argc)
        argv.append(try a0(env))
        if argc > 1 { argv.append(try a1(env)) }
      }
      interp.position = at
      guard case .object(let fo) = f, let fn = fo as? JSFunction else {
        var message = "\(description) is not a function"
        if let name = memberName, f.isUndefined, let s = interp.suggestion(for: name, in: this) {
          message += " (did you mean \(s)?)"
        }
        throw ScriptThrow.typeError(message)
      }
      return try fn.call(interp, this: this, arguments: argv)
    }
  }

  /// For `local.m` (a name read in place) or `this.m` in a method: the slot
  /// holding the object; nil for other callees.
  private func methodObjectSlot(_ callee: Expr) -> Int? {
    guard case .member(let object, _, false) = callee.kind else { return nil }
    if let slot = directLocalSlot(object) { return slot }
    if case .this = object.kind, let (depth, fs) = scope.thisDepth(), depth == 0,
      !fs.function.isDerivedConstructor
    {
      fs.function.usesThis = true
      return Scope.thisSlot
    }
    return nil
  }

  /// True when a call's callee binds no `this` (not `o.m`, `o[k]`, `super.m`).
  private func isPlainCallee(_ e: Expr) -> Bool {
    switch e.kind {
    case .member, .index, .superMember, .optionalChain: return false
    default: return true
    }
  }

  /// `f(a, b)` with at most two arguments, no spread and a callee without
  /// `this` (the shape of most recursive calls): the arguments are separate
  /// closures (no array of closures, whose calls go through thunks) written
  /// straight into the callee's environment.
  private func compileSmallPlainCall(
    _ callee: @escaping ExprCode, _ a0: @escaping ExprCode, _ a1: @escaping ExprCode, argc: Int,
    calleeSlot: (depth: Int, slot: Int)?, description: String, at: SourceLocation
  ) -> ExprCode {
    // Held unretained: the compiled code never outlives its interpreter.
    let ui = Unmanaged.passUnretained(interp)
    let cache = CallSiteCache()
    return { env in
      // The function this site called first, if the name still holds it:
      // checked and called without reference counting.
      if let id = cache.id, let (depth, slot) = calleeSlot, env.slotHolds(depth: depth, slot, id) {
        let v = argc > 0 ? try a0(env) : .undefined
        let w = argc > 1 ? try a1(env) : .undefined
        return try ui._withUnsafeGuaranteedRef { interp in
          interp.position = at
          return try cache.ref.unsafelyUnwrapped._withUnsafeGuaranteedRef { sf in
            try sf.callDirect(interp, this: .undefined, argc: argc, v, w)
          }
        }
      }
      let f = try callee(env)
      if case .object(let fo) = f, let sf = fo as? ScriptFunction {
        let code = sf.code
        if code.directParameterSlots != nil {
          if cache.id == nil, calleeSlot != nil { cache.remember(sf) }
          let v = argc > 0 ? try a0(env) : .undefined
          let w = argc > 1 ? try a1(env) : .undefined
          return try ui._withUnsafeGuaranteedRef { interp in
            interp.position = at
            return try sf.callDirect(interp, this: .undefined, argc: argc, v, w)
          }
        }
      }
      var argv: [Value] = []
      if argc > 0 {
        argv.reserveCapacity(argc)
        argv.append(try a0(env))
        if argc > 1 { argv.append(try a1(env)) }
      }
      return try ui._withUnsafeGuaranteedRef { interp in
        interp.position = at
        guard case .object(let fo) = f, let fn = fo as? JSFunction else {
          throw ScriptThrow.typeError("\(description) is not a function")
        }
        return try fn.call(interp, this: .undefined, arguments: argv)
      }
    }
  }

  /// The (depth, slot) of a name held by an enclosing environment whose
  /// reads need no TDZ check; nil for anything else.
  func localSlot(_ e: Expr) -> (depth: Int, slot: Int)? {
    guard case .identifier(let name) = e.kind,
      case .local(let depth, let b, let s) = scope.resolve(name)
    else { return nil }
    let sameFunction = s.function === scope.function
    let needsCheck = b.kind.isLexical && !(sameFunction && !s.isSwitch && e.range.start.offset >= b.declaredAt)
    return needsCheck ? nil : (depth, b.slot)
  }

  func compileNew(_ calleeExpr: Expr, _ arguments: [Argument], _ range: SourceRange) -> ExprCode {
    let callee = compileExpr(calleeExpr)
    let args = compileArgumentList(arguments)
    let description = describe(calleeExpr)
    let at = range.start
    return { [unowned(unsafe) interp] env in
      let f = try callee(env)
      let argv = try args(env)
      interp.position = at
      guard case .object(let fo) = f, let fn = fo as? JSFunction, fn.isConstructor else {
        throw ScriptThrow.typeError("\(description) is not a constructor")
      }
      return try fn.construct(interp, arguments: argv, newTarget: fn)
    }
  }

  /// How V8 names an expression in "is not a function" messages.
  func describe(_ e: Expr) -> String {
    switch e.kind {
    case .identifier(let n): return n
    case .this: return "this"
    case .member(let o, let n, _): return describe(o) + "." + n
    case .index(let o, let i, _):
      switch i.kind {
      case .number(let d): return describe(o) + "[" + formatNumber(d) + "]"
      case .string(let s): return describe(o) + "[\"" + s + "\"]"
      case .identifier(let n): return describe(o) + "[" + n + "]"
      default: return describe(o) + "[...]"
      }
    case .call(let c, _, _): return describe(c) + "(...)"
    case .optionalChain(let inner): return describe(inner)
    case .superMember(.named(let n)): return "(intermediate value)." + n
    case .number(let d): return formatNumber(d)
    case .string(let s): return "\"" + s + "\""
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .object(let props) where props.isEmpty: return "{}"
    case .array(let elements) where elements.isEmpty: return "[]"
    default: return "(intermediate value)"
    }
  }

  // MARK: - super

  /// The depth of the function `super` refers to, which is marked as needing
  /// its `this` and callee slots filled on every call.
  private func noteSuperUse() -> Int {
    guard let (depth, s) = scope.thisDepth() else { return 0 }
    s.function.usesThis = true
    s.function.usesCallee = true
    return depth
  }

  /// `super.name`: reads from the prototype of the method's home object.
  func compileSuperMember(_ key: PropertyKey, _ range: SourceRange) -> (Env) throws -> (value: Value, this: Value, name: String, home: JSObject) {
    let k = compilePropertyKey(key)
    let at = range.start
    let thisDepth = noteSuperUse()
    return { [unowned(unsafe) interp] env in
      let fenv = env.ancestor(thisDepth)
      let name = try k(env)
      guard case .object(let fo) = fenv[Scope.calleeSlot], let f = fo as? ScriptFunction,
        let home = f.homeObject
      else {
        interp.position = at
        throw ScriptThrow.error(.syntaxError, "'super' keyword unexpected here")
      }
      let this = fenv[Scope.thisSlot]
      guard let parent = home.prototype else { return (.undefined, this, name, home) }
      guard let p = parent.lookup(name) else { return (.undefined, this, name, parent) }
      switch p.slot {
      case .value(let v): return (v, this, name, parent)
      case .accessor(let g, _):
        return (try g.map { try $0.call(interp, this: this, arguments: []) } ?? .undefined, this, name, parent)
      }
    }
  }

  /// `super(args)` in a derived constructor.
  func compileSuperCall(_ arguments: [Argument], _ range: SourceRange) -> ExprCode {
    let args = compileArgumentList(arguments)
    let thisDepth = noteSuperUse()
    let at = range.start
    return { [unowned(unsafe) interp] env in
      let argv = try args(env)
      interp.position = at
      return try interp.superCall(functionEnv: env.ancestor(thisDepth), arguments: argv)
    }
  }
}

extension Interpreter {
  /// Runs the parent constructor for the derived constructor whose environment is `fenv`,
  /// binds `this` and initialises the fields.
  func superCall(functionEnv fenv: Env, arguments: [Value]) throws -> Value {
    guard case .object(let fo) = fenv[Scope.calleeSlot], let f = fo as? ScriptFunction else {
      throw ScriptThrow.error(.syntaxError, "'super' keyword unexpected here")
    }
    guard let parent = f.prototype as? JSFunction, parent.isConstructor else {
      throw ScriptThrow.typeError("Super constructor \(f.prototype.map { displayString(.object($0)) } ?? "null") of anonymous class is not a constructor")
    }
    if !isUninitialized(fenv[Scope.thisSlot]) {
      throw ScriptThrow.error(.referenceError, "Super constructor may only be called once")
    }
    let newTarget = fenv[Scope.newTargetSlot].asObject ?? f
    let result = try parent.construct(self, arguments: arguments, newTarget: newTarget)
    fenv[Scope.thisSlot] = result
    if let fields = f.fieldInitializer, case .object(let o) = result { try fields(o) }
    return .undefined
  }

  /// A close member name of `object` for "did you mean" hints (edit distance ≤ 2).
  func suggestion(for name: String, in object: Value) -> String? {
    let holder: JSObject
    switch object {
    case .object(let o): holder = o
    case .string: holder = realm.stringPrototype
    case .number: holder = realm.numberPrototype
    default: return nil
    }
    var best: (String, Int)?
    let limit = name.count <= 3 ? 1 : 2
    for candidate in holder.completionNames() where candidate != name {
      let d = editDistance(name, candidate)
      if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
    }
    return best?.0
  }
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a), y = Array(b)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var previous = Array(0...y.count)
  var current = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    current[0] = i
    for j in 1...y.count {
      let cost = x[i - 1] == y[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[y.count]
}

/// A call site's memory of the first script function it called through a
/// local name. The function is kept alive for as long as the site exists
/// (and never replaced), so the site may call it through an unretained
/// reference whenever the name still holds it.
final class CallSiteCache {
  private var function: ScriptFunction?
  @exclusivity(unchecked) private(set) var id: ObjectIdentifier?
  @exclusivity(unchecked) private(set) var ref: Unmanaged<ScriptFunction>?

  func remember(_ f: ScriptFunction) {
    guard function == nil else { return }
    function = f
    ref = Unmanaged.passUnretained(f)
    id = ObjectIdentifier(f)
  }
}
