// Whether a piece of syntax creates closures (functions, arrows, methods,
// classes). Blocks and loops that create none share their function's
// environment instead of allocating one per entry or per iteration.

enum ClosureScan {
  static func any(_ stmts: [Stmt]) -> Bool { stmts.contains { stmt($0) } }

  static func stmt(_ s: Stmt) -> Bool {
    switch s.kind {
    case .expression(let e), .throw(let e): return expr(e)
    case .variable(let d): return declaration(d)
    case .function, .class: return true
    case .return(let e): return e.map(expr) ?? false
    case .if(let t, let a, let b): return expr(t) || stmt(a) || (b.map(stmt) ?? false)
    case .block(let body): return any(body)
    case .for(let i, let t, let u, let body):
      var found = false
      switch i {
      case .declaration(let d)?: found = declaration(d)
      case .expression(let e)?: found = expr(e)
      case nil: break
      }
      return found || (t.map(expr) ?? false) || (u.map(expr) ?? false) || stmt(body)
    case .forIn(let h, let e, let body), .forOf(let h, let e, let body):
      switch h {
      case .declaration(_, let p), .target(let p): if pattern(p) { return true }
      }
      return expr(e) || stmt(body)
    case .while(let t, let body), .doWhile(let body, let t): return expr(t) || stmt(body)
    case .break, .continue, .empty, .import: return false
    case .try(let body, let p, let c, let f):
      return any(body) || (p.map(pattern) ?? false) || any(c ?? []) || any(f ?? [])
    case .switch(let d, let cases):
      return expr(d) || cases.contains { ($0.test.map(expr) ?? false) || any($0.body) }
    case .labeled(_, let body): return stmt(body)
    case .export: return true
    }
  }

  static func declaration(_ d: VariableDeclaration) -> Bool {
    d.declarators.contains { pattern($0.target) || ($0.initializer.map(expr) ?? false) }
  }

  static func pattern(_ p: Pattern) -> Bool {
    switch p {
    case .identifier: return false
    case .expression(let e): return expr(e)
    case .array(let elements, let rest, _):
      return elements.contains { $0.map(element) ?? false } || (rest.map(pattern) ?? false)
    case .object(let props, let rest, _):
      return props.contains { key($0.key) || element($0.value) } || (rest.map(pattern) ?? false)
    }
  }

  static func element(_ e: PatternElement) -> Bool {
    pattern(e.target) || (e.defaultValue.map(expr) ?? false)
  }

  static func key(_ k: PropertyKey) -> Bool {
    if case .computed(let e) = k { return expr(e) }
    return false
  }

  static func arguments(_ args: [Argument]) -> Bool {
    args.contains {
      switch $0 {
      case .expr(let e), .spread(let e): return expr(e)
      }
    }
  }

  static func expr(_ e: Expr) -> Bool {
    switch e.kind {
    case .number, .string, .regex, .bool, .null, .identifier, .this: return false
    case .function, .class: return true
    case .template(_, let es), .sequence(let es): return es.contains(where: expr)
    case .taggedTemplate(let tag, _, _, let es): return expr(tag) || es.contains(where: expr)
    case .array(let elements):
      return elements.contains {
        switch $0 {
        case .hole: return false
        case .expr(let x), .spread(let x): return expr(x)
        }
      }
    case .object(let props):
      return props.contains {
        switch $0 {
        case .property(let k, let v): return key(k) || expr(v)
        case .method, .getter, .setter: return true
        case .spread(let x): return expr(x)
        }
      }
    case .unary(_, let x), .await(let x), .optionalChain(let x): return expr(x)
    case .update(_, _, let t): return expr(t)
    case .binary(_, let a, let b), .logical(_, let a, let b): return expr(a) || expr(b)
    case .assign(_, let t, let v): return pattern(t) || expr(v)
    case .conditional(let t, let a, let b): return expr(t) || expr(a) || expr(b)
    case .call(let c, let args, _), .new(let c, let args): return expr(c) || arguments(args)
    case .member(let o, _, _): return expr(o)
    case .index(let o, let i, _): return expr(o) || expr(i)
    case .superCall(let args): return arguments(args)
    case .superMember(let k): return key(k)
    }
  }
}
