// Destructuring patterns, for declarations, parameters, assignments, catch
// clauses and for-of heads.

enum PatternMode {
  /// `x = v`: an existing binding (const and TDZ checks, implicit globals).
  case assign
  /// `let x = v`, parameters: initialises a binding of the current scope.
  case initialize
}

extension Compiler {
  func compilePattern(_ pattern: Pattern, mode: PatternMode) -> (Env, Value) throws -> Void {
    switch pattern {
    case .identifier(let name, let range):
      return mode == .initialize ? compileBindingInitializer(name, range: range) : compileNameAssignment(name, range)
    case .expression(let e):
      return compileExpressionTarget(e)
    case .array(let elements, let rest, let range):
      let binders: [((Env, Value) throws -> Void, ExprCode?)?] = elements.map { element in
        guard let element else { return nil }
        var hint: String?
        if case .identifier(let n, _) = element.target { hint = n }
        return (compilePattern(element.target, mode: mode), element.defaultValue.map { compileExpr($0, nameHint: hint) })
      }
      let restBinder = rest.map { compilePattern($0, mode: mode) }
      let at = range.start
      return { [unowned(unsafe) interp] env, value in
        interp.position = at
        let next = try interp.makeIterator(value)
        var done = false
        func pull() throws -> Value {
          if done { return .undefined }
          if let v = try next() { return v }
          done = true
          return .undefined
        }
        for b in binders {
          let v = try pull()
          guard let (bind, defaultValue) = b else { continue }
          if v.isUndefined, let d = defaultValue { try bind(env, try d(env)) } else { try bind(env, v) }
        }
        if let restBinder {
          var items: [Value] = []
          while !done {
            if let v = try next() { items.append(v) } else { done = true }
          }
          try restBinder(env, .object(interp.realm.newArray(items)))
        }
      }
    case .object(let properties, let rest, let range):
      let binders = properties.map { prop -> ((Env) throws -> String, (Env, Value) throws -> Void, ExprCode?) in
        var hint: String?
        if case .identifier(let n, _) = prop.value.target { hint = n }
        return (
          compilePropertyKey(prop.key), compilePattern(prop.value.target, mode: mode),
          prop.value.defaultValue.map { compileExpr($0, nameHint: hint) }
        )
      }
      let restBinder = rest.map { compilePattern($0, mode: mode) }
      let at = range.start
      var firstName: String?
      if case .named(let n)? = properties.first?.key { firstName = n }
      return { [unowned(unsafe) interp] env, value in
        if value.isNullish {
          interp.position = at
          let what = value.isUndefined ? "undefined" : "null"
          if let n = firstName {
            throw ScriptThrow.typeError("Cannot destructure property '\(n)' of '\(what)' as it is \(what).")
          }
          throw ScriptThrow.typeError("Cannot destructure '\(what)' as it is \(what).")
        }
        var used = Set<String>()
        for (key, bind, defaultValue) in binders {
          let k = try key(env)
          used.insert(k)
          let v = try interp.get(value, k)
          if v.isUndefined, let d = defaultValue { try bind(env, try d(env)) } else { try bind(env, v) }
        }
        if let restBinder {
          let o = interp.realm.newObject()
          try interp.copyDataProperties(from: value, to: o, excluding: used)
          try restBinder(env, .object(o))
        }
      }
    }
  }

  /// A member or index expression as an assignment target.
  private func compileExpressionTarget(_ e: Expr) -> (Env, Value) throws -> Void {
    let at = e.range.start
    switch e.kind {
    case .member(let object, let name, _):
      let o = compileExpr(object)
      return { [unowned(unsafe) interp] env, v in
        let obj = try o(env)
        interp.position = at
        try interp.set(obj, name, v)
      }
    case .index(let object, let index, _):
      let o = compileExpr(object), k = compileExpr(index)
      return { [unowned(unsafe) interp] env, v in
        let obj = try o(env)
        let key = try k(env)
        interp.position = at
        try self.setIndexed(obj, key, v)
      }
    case .identifier(let name):
      return compileNameAssignment(name, e.range)
    default:
      return { [unowned(unsafe) interp] _, _ in
        interp.position = at
        throw ScriptThrow.error(.syntaxError, "Invalid destructuring assignment target")
      }
    }
  }
}
