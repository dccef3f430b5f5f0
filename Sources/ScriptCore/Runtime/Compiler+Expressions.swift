// Expressions: literals, names, members, operators, assignments.

/// Thrown inside an optional chain when `a?.b` finds `a` nullish; the
/// enclosing `.optionalChain` turns it into `undefined`.
struct OptionalChainShortCircuit: Error {}

extension Compiler {
  func compileExpr(_ e: Expr, nameHint: String? = nil) -> ExprCode {
    switch e.kind {
    case .number(let n):
      return { _ in .number(n) }
    case .string(let s):
      let v = Value.string(s)
      return { _ in v }
    case .bool(let b):
      let v = Value.bool(b)
      return { _ in v }
    case .null:
      return { _ in .null }
    case .template(let quasis, let expressions):
      let parts = expressions.map { compileExpr($0) }
      return { [unowned(unsafe) interp] env in
        var s = quasis[0]
        for (i, p) in parts.enumerated() {
          let v = try p(env)
          if case .string(let str) = v {
            try appendString(&s, str)
          } else {
            try appendString(&s, try interp.toString(v))
          }
          try appendString(&s, quasis[i + 1])
        }
        return .string(s)
      }
    case .regex(let pattern, let flags):
      let at = e.range.start
      return { [unowned(unsafe) interp] _ in
        guard let make = interp.makeRegExp else {
          interp.position = at
          throw ScriptThrow.error(.syntaxError, "Regular expressions are not supported: /\(pattern)/\(flags)")
        }
        return try make(pattern, flags)
      }
    case .identifier(let name):
      return compileIdentifier(name, e.range)
    case .this:
      return compileThis(e.range)
    case .array(let elements):
      return compileArrayLiteral(elements)
    case .object(let properties):
      return compileObjectLiteral(properties)
    case .function(let node):
      return compileFunction(node, nameHint: node.name ?? nameHint)
    case .class(let node):
      return compileClass(node, nameHint: node.name ?? nameHint)
    case .unary(let op, let operand):
      return compileUnary(op, operand, e.range)
    case .update(let op, let prefix, let target):
      return compileUpdate(op, prefix: prefix, target)
    case .binary(let op, let l, let r):
      if let code = compileLocalConstantBinary(op, l, r) { return code }
      return compileBinary(op, compileExpr(l), compileExpr(r), e.range)
    case .logical(let op, let l, let r):
      let a = compileExpr(l), b = compileExpr(r)
      switch op {
      case .and: return { env in let v = try a(env); return v.isTruthy ? try b(env) : v }
      case .or: return { env in let v = try a(env); return v.isTruthy ? v : try b(env) }
      case .nullish: return { env in let v = try a(env); return v.isNullish ? try b(env) : v }
      }
    case .assign(let op, let target, let value):
      return compileAssignment(op, target, value, e.range)
    case .conditional(let test, let then, let els):
      let t = compileCondition(test), a = compileExpr(then, nameHint: nameHint), b = compileExpr(els, nameHint: nameHint)
      if let (slot, op, c) = localConstantComparison(test) {
        // `n < 2 ? x : y`: the test read in place, one closure call fewer.
        return { env in
          if case .number(let p) = env[slot] {
            return try compareNumbers(p, op, c) ? try a(env) : try b(env)
          }
          return try t(env) ? try a(env) : try b(env)
        }
      }
      return { env in try t(env) ? try a(env) : try b(env) }
    case .call(let callee, let arguments, let optional):
      return compileCall(callee, arguments, optional: optional, e.range)
    case .new(let callee, let arguments):
      return compileNew(callee, arguments, e.range)
    case .member(let object, let name, let optional):
      if !optional, let slot = directLocalSlot(object) { return compileLocalMember(slot, name, e.range) }
      if !optional, case .this = object.kind, let (depth, fs) = scope.thisDepth(), depth == 0,
        !fs.function.isDerivedConstructor
      {
        // `this.x` in a method: `this` read in place like a local.
        fs.function.usesThis = true
        return compileLocalMember(Scope.thisSlot, name, e.range)
      }
      return compileMember(compileExpr(object), name, optional: optional, e.range)
    case .index(let object, let index, let optional):
      if !optional, let os = directLocalSlot(object), let ks = directLocalSlot(index) {
        return compileLocalIndex(os, ks, e.range)
      }
      return compileIndex(compileExpr(object), compileExpr(index), optional: optional, e.range)
    case .optionalChain(let inner):
      let code = compileExpr(inner)
      return { env in
        do { return try code(env) } catch is OptionalChainShortCircuit { return .undefined }
      }
    case .superCall(let arguments):
      return compileSuperCall(arguments, e.range)
    case .superMember(let key):
      let get = compileSuperMember(key, e.range)
      return { env in try get(env).value }
    case .sequence(let exprs):
      let codes = exprs.map { compileExpr($0) }
      return { env in
        var v = Value.undefined
        for c in codes { v = try c(env) }
        return v
      }
    case .await(let operand):
      let code = compileExpr(operand)
      if scope.function.isTopLevel { topLevelAwait = true }
      return { [unowned(unsafe) interp] env in try interp.awaitValue(try code(env)) }
    case .taggedTemplate(let tag, let quasis, let raws, let expressions):
      return compileTaggedTemplate(tag, quasis, raws, expressions, e.range)
    }
  }

  // MARK: - Names

  func compileIdentifier(_ name: String, _ range: SourceRange) -> ExprCode {
    switch scope.resolve(name) {
    case .local(let depth, let b, let s):
      let slot = b.slot
      let sameFunction = s.function === scope.function
      let needsCheck = b.kind.isLexical && !(sameFunction && !s.isSwitch && range.start.offset >= b.declaredAt)
      if needsCheck {
        let at = range.start
        return { [unowned(unsafe) interp] env in
          let v = env.ancestor(depth)[slot]
          if isUninitialized(v) {
            interp.position = at
            throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
          }
          return v
        }
      }
      switch depth {
      case 0: return { env in env[slot] }
      case 1: return { env in env.parentSlot(slot) }
      case 2: return { env in env.parent!.parent![slot] }
      default: return { env in env.ancestor(depth)[slot] }
      }
    case .global:
      switch name {
      case "undefined": return { _ in .undefined }
      case "NaN": return { _ in .number(.nan) }
      case "Infinity": return { _ in .number(.infinity) }
      default: break
      }
      if name == "arguments", let read = compileArguments() { return read }
      return compileGlobalRead(name, range, forTypeof: false)
    }
  }

  /// `arguments` inside a non-arrow function: a hidden slot filled on entry.
  private func compileArguments() -> ExprCode? {
    var s: Scope? = scope
    while let sc = s {
      if sc.isFunctionScope && !sc.function.isArrow {
        if sc.function.isTopLevel { return nil }
        if sc.function.argumentsSlot == nil {
          sc.function.argumentsSlot = sc.declare("arguments", .hidden).slot
        }
        break
      }
      s = sc.parent
    }
    guard case .local(let depth, let b, _) = scope.resolve("arguments") else { return nil }
    let slot = b.slot
    return { env in env.ancestor(depth)[slot] }
  }

  func compileGlobalRead(_ name: String, _ range: SourceRange, forTypeof: Bool) -> ExprCode {
    var cache: GlobalBinding?
    var checkedGeneration = -1
    let global = interp.realm.globalObject
    let at = range.start
    return { [unowned(unsafe) interp] env in
      if cache == nil, checkedGeneration != interp.lexicalGlobalsGeneration {
        cache = interp.lexicalGlobals[name]
        checkedGeneration = interp.lexicalGlobalsGeneration
      }
      if let b = cache {
        if isUninitialized(b.value) {
          interp.position = at
          throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
        }
        return b.value
      }
      if let p = global.lookup(name) {
        switch p.slot {
        case .value(let v): return v
        case .accessor(let g, _): return try g.map { try $0.call(interp, this: .object(global), arguments: []) } ?? .undefined
        }
      }
      if forTypeof { return .undefined }
      interp.position = at
      throw ScriptThrow.error(.referenceError, "\(name) is not defined")
    }
  }

  /// Assigns to an existing binding (`x = v`): const and TDZ checks, implicit globals.
  func compileNameAssignment(_ name: String, _ range: SourceRange) -> (Env, Value) throws -> Void {
    let at = range.start
    switch scope.resolve(name) {
    case .local(let depth, let b, _):
      let slot = b.slot
      switch b.kind {
      case .constBinding:
        return { [unowned(unsafe) interp] env, _ in
          interp.position = at
          if isUninitialized(env.ancestor(depth)[slot]) {
            throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
          }
          throw ScriptThrow.typeError("Assignment to constant variable.")
        }
      case .letBinding:
        if depth == 0 {
          return { [unowned(unsafe) interp] env, v in
            if isUninitialized(env[slot]) {
              interp.position = at
              throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
            }
            env[slot] = v
          }
        }
        return { [unowned(unsafe) interp] env, v in
          let e = env.ancestor(depth)
          if isUninitialized(e[slot]) {
            interp.position = at
            throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
          }
          e[slot] = v
        }
      case .variable, .hidden:
        if depth == 0 { return { env, v in env[slot] = v } }
        return { env, v in env.ancestor(depth)[slot] = v }
      }
    case .global:
      var cache: GlobalBinding?
      return { [unowned(unsafe) interp] _, v in
        if let b = cache ?? interp.lexicalGlobals[name] {
          cache = b
          if isUninitialized(b.value) {
            interp.position = at
            throw ScriptThrow.error(.referenceError, "Cannot access '\(name)' before initialization")
          }
          if b.isConst {
            interp.position = at
            throw ScriptThrow.typeError("Assignment to constant variable.")
          }
          b.value = v
          return
        }
        interp.position = at
        try interp.set(.object(interp.realm.globalObject), name, v)
      }
    }
  }

  /// Initialises a declared binding (`let x = v`, parameters, catch, for heads).
  func compileBindingInitializer(_ name: String, range: SourceRange) -> (Env, Value) throws -> Void {
    if case .local(let depth, let b, _) = scope.resolve(name) {
      let slot = b.slot
      if depth == 0 { return { env, v in env[slot] = v } }
      return { env, v in env.ancestor(depth)[slot] = v }
    }
    return { [unowned(unsafe) interp] _, v in
      if let b = interp.lexicalGlobals[name] {
        b.value = v
      } else {
        interp.lexicalGlobals[name] = GlobalBinding(value: v, isConst: false)
      }
    }
  }

  func compileThis(_ range: SourceRange) -> ExprCode {
    guard let (depth, s) = scope.thisDepth() else { return { _ in .undefined } }
    s.function.usesThis = true
    if s.function.isDerivedConstructor {
      let at = range.start
      return { [unowned(unsafe) interp] env in
        let v = env.ancestor(depth)[Scope.thisSlot]
        if isUninitialized(v) {
          interp.position = at
          throw ScriptThrow.error(.referenceError,
            "Must call super constructor in derived class before accessing 'this' or returning from derived constructor")
        }
        return v
      }
    }
    if depth == 0 { return { env in env[Scope.thisSlot] } }
    return { env in env.ancestor(depth)[Scope.thisSlot] }
  }

  // MARK: - Members

  func compileMember(_ object: @escaping ExprCode, _ name: String, optional: Bool, _ range: SourceRange) -> ExprCode {
    let at = range.start
    if name == "length" {
      return { [unowned(unsafe) interp] env in
        let v = try object(env)
        if case .object(let o) = v, let a = o as? JSArray { return .number(Double(a.elements.count)) }
        if case .string(let s) = v { return .number(Double(s.utf16.count)) }
        if v.isNullish {
          if optional { throw OptionalChainShortCircuit() }
          interp.position = at
        }
        return try interp.get(v, name)
      }
    }
    let cache = PropertySiteCache(key: name)
    return { [unowned(unsafe) interp] env in
      let v = try object(env)
      if case .object(let o) = v {
        if let x = o.cachedDataLookup(name, cache) { return x }
        if let p = o.lookup(name), case .value(let x) = p.slot { return x }
      }
      if v.isNullish {
        if optional { throw OptionalChainShortCircuit() }
        interp.position = at
      }
      return try interp.get(v, name)
    }
  }

  func compileIndex(_ object: @escaping ExprCode, _ index: @escaping ExprCode, optional: Bool, _ range: SourceRange) -> ExprCode {
    let at = range.start
    return { [unowned(unsafe) interp] env in
      let v = try object(env)
      if optional && v.isNullish { throw OptionalChainShortCircuit() }
      let k = try index(env)
      if case .object(let o) = v, case .number(let d) = k, let a = o as? JSArray {
        if d >= 0 && d < Double(a.elements.count) {
          let i = Int(d)
          if Double(i) == d { return a.elements[i] }
        }
      }
      if v.isNullish {
        interp.position = at
        throw ScriptThrow.typeError(
          "Cannot read properties of \(v.isUndefined ? "undefined" : "null") (reading '\(try interp.toPropertyKey(k))')")
      }
      return try interp.get(v, try interp.toPropertyKey(k))
    }
  }

  /// `obj[key] = v` with the array fast path.
  func setIndexed(_ object: Value, _ key: Value, _ v: Value) throws {
    if case .object(let o) = object, case .number(let d) = key, let a = o as? JSArray, !a.isFrozen {
      if d >= 0 && d < Double(a.elements.count) {
        let i = Int(d)
        if Double(i) == d {
          a.elements[i] = v
          return
        }
      }
    }
    try interp.set(object, try interp.toPropertyKey(key), v)
  }

  // MARK: - Literals

  func compileArrayLiteral(_ elements: [ArrayElement]) -> ExprCode {
    enum Part { case one(ExprCode), spread(ExprCode), hole }
    let parts: [Part] = elements.map {
      switch $0 {
      case .hole: return .hole
      case .expr(let e): return .one(compileExpr(e))
      case .spread(let e): return .spread(compileExpr(e))
      }
    }
    return { [unowned(unsafe) interp] env in
      var values: [Value] = []
      values.reserveCapacity(parts.count)
      for p in parts {
        switch p {
        case .one(let c): values.append(try c(env))
        case .hole: values.append(.undefined)
        case .spread(let c): values.append(contentsOf: try interp.collect(try c(env)))
        }
      }
      return .object(interp.realm.newArray(values))
    }
  }

  func compilePropertyKey(_ key: PropertyKey) -> (Env) throws -> String {
    switch key {
    case .named(let s): return { _ in s }
    case .computed(let e):
      let c = compileExpr(e)
      return { [unowned(unsafe) interp] env in try interp.toPropertyKey(try c(env)) }
    }
  }

  func compileObjectLiteral(_ properties: [ObjectProperty]) -> ExprCode {
    typealias Step = (Env, JSObject) throws -> Void
    var steps: [Step] = []
    for prop in properties {
      switch prop {
      case .property(let key, let value):
        var hint: String?
        if case .named(let n) = key { hint = n }
        let v = compileExpr(value, nameHint: hint)
        if case .named(let n) = key {
          if n == "__proto__" {
            steps.append { env, o in
              let p = try v(env)
              if case .object(let po) = p { o.prototype = po } else if case .null = p { o.prototype = nil }
            }
          } else {
            steps.append { env, o in o.storage.setValue(n, try v(env)) }
          }
        } else {
          let k = compilePropertyKey(key)
          steps.append { env, o in
            let name = try k(env)
            o.defineOwn(name, Property(try v(env)))
          }
        }
      case .method(let key, let node):
        let k = compilePropertyKey(key)
        let make = compileFunction(node, nameHint: nil, isMethod: true)
        steps.append { env, o in
          let name = try k(env)
          let f = try self.makeMethod(make, env, name: name, home: o)
          o.defineOwn(name, Property(f))
        }
      case .getter(let key, let node), .setter(let key, let node):
        var isGetter = false
        if case .getter = prop { isGetter = true }
        let k = compilePropertyKey(key)
        let make = compileFunction(node, nameHint: nil, isMethod: true)
        steps.append { env, o in
          let name = try k(env)
          let f = try self.makeMethod(make, env, name: (isGetter ? "get " : "set ") + name, home: o)
          self.defineAccessor(o, name, f, isGetter: isGetter, enumerable: true)
        }
      case .spread(let e):
        let c = compileExpr(e)
        steps.append { [unowned(unsafe) interp] env, o in try interp.copyDataProperties(from: try c(env), to: o, excluding: []) }
      }
    }
    return { [unowned(unsafe) interp] env in
      let o = interp.realm.newObject()
      for s in steps { try s(env, o) }
      return .object(o)
    }
  }

  func defineAccessor(_ o: JSObject, _ name: String, _ f: Value, isGetter: Bool, enumerable: Bool) {
    guard case .object(let fo) = f, let fn = fo as? JSFunction else { return }
    var getter: JSFunction?
    var setter: JSFunction?
    if let existing = o.ownProperty(name), case .accessor(let g, let s) = existing.slot {
      getter = g
      setter = s
    }
    if isGetter { getter = fn } else { setter = fn }
    o.defineOwn(name, Property(getter: getter, setter: setter, enumerable: enumerable))
  }

  func compileTaggedTemplate(
    _ tag: Expr, _ quasis: [String?], _ raws: [String], _ expressions: [Expr], _ range: SourceRange
  ) -> ExprCode {
    let callee = compileCallee(tag)
    let parts = expressions.map { compileExpr($0) }
    let description = describe(tag)
    let at = range.start
    return { [unowned(unsafe) interp] env in
      let (f, this) = try callee(env)
      let strings = interp.realm.newArray(quasis.map { $0.map(Value.string) ?? .undefined })
      _ = strings.defineOwn("raw", Property(.object(interp.realm.newArray(raws.map { .string($0) })), enumerable: false))
      var args: [Value] = [.object(strings)]
      for p in parts { args.append(try p(env)) }
      interp.position = at
      guard case .object(let fo) = f, let fn = fo as? JSFunction else {
        throw ScriptThrow.typeError("\(description) is not a function")
      }
      return try fn.call(interp, this: this, arguments: args)
    }
  }
}

extension Interpreter {
  /// Copies own enumerable properties (object spread, rest patterns).
  func copyDataProperties(from source: Value, to target: JSObject, excluding: Set<String>) throws {
    switch source {
    case .object(let o):
      if let a = o as? JSArray {
        for (i, v) in a.elements.enumerated() where !excluding.contains(String(i)) { target.put(String(i), v) }
      }
      for k in o.ownKeys() where !excluding.contains(k) {
        if o is JSArray, arrayIndex(k) != nil || k == "length" { continue }
        if let p = o.ownProperty(k), p.enumerable { target.put(k, try get(source, k)) }
      }
    case .string(let s):
      for (i, u) in s.unicodeScalars.enumerated() where !excluding.contains(String(i)) {
        target.put(String(i), .string(String(u)))
      }
    default:
      break
    }
  }
}
