// Specialised closures for the commonest expression shapes: a binary operator
// between a local name of the current environment and a number literal
// (`n - 1`, `i < n0`, `i * 3`), and member or index reads on local names
// (`p.x`, `a[i]`). One closure reads the slots in place and does the work,
// instead of nested closure calls and copies.

extension Compiler {
  /// The slot of `e` when it is a name held by the current environment
  /// (depth 0) whose reads need no TDZ check; nil otherwise.
  func directLocalSlot(_ e: Expr) -> Int? {
    guard case .identifier(let name) = e.kind,
      case .local(let depth, let b, let s) = scope.resolve(name), depth == 0
    else { return nil }
    let sameFunction = s.function === scope.function
    let needsCheck = b.kind.isLexical && !(sameFunction && !s.isSwitch && e.range.start.offset >= b.declaredAt)
    return needsCheck ? nil : b.slot
  }

  /// `local op constant` as a value, or nil when the shape or operator is not specialised.
  func compileLocalConstantBinary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> ExprCode? {
    guard case .number(let c) = r.kind, let slot = directLocalSlot(l) else { return nil }
    let k = Value.number(c)
    switch op {
    case .add:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return .number(p + c) }
        return try interp.add(x, k)
      }
    case .subtract:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return .number(p - c) }
        return .number(try interp.toNumber(x) - c)
      }
    case .multiply:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return .number(p * c) }
        return .number(try interp.toNumber(x) * c)
      }
    case .less, .lessEqual, .greater, .greaterEqual:
      guard let cond = compileLocalConstantComparison(op, slot, c) else { return nil }
      return { env in .bool(try cond(env)) }
    default:
      return nil
    }
  }

  /// `local < constant` (or `<=`, `>`, `>=`) as its parts, when the local
  /// is read in place (see `directLocalSlot`); nil for any other test.
  func localConstantComparison(_ test: Expr) -> (slot: Int, op: BinaryOperator, constant: Double)? {
    guard case .binary(let op, let l, let r) = test.kind, case .number(let c) = r.kind else { return nil }
    switch op {
    case .less, .lessEqual, .greater, .greaterEqual: break
    default: return nil
    }
    guard let slot = directLocalSlot(l) else { return nil }
    return (slot, op, c)
  }

  /// `local op constant` as a condition (loop tests, `?:`, `if`).
  func compileLocalConstantCondition(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> ((Env) throws -> Bool)? {
    guard case .number(let c) = r.kind, let slot = directLocalSlot(l) else { return nil }
    return compileLocalConstantComparison(op, slot, c)
  }

  private func compileLocalConstantComparison(_ op: BinaryOperator, _ slot: Int, _ c: Double) -> ((Env) throws -> Bool)? {
    let k = Value.number(c)
    switch op {
    case .less:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return p < c }
        return try interp.compare(x, k, .less)
      }
    case .lessEqual:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return p <= c }
        return try interp.compare(x, k, .lessEqual)
      }
    case .greater:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return p > c }
        return try interp.compare(x, k, .greater)
      }
    case .greaterEqual:
      return { [unowned(unsafe) interp] env in
        let x = env[slot]
        if case .number(let p) = x { return p >= c }
        return try interp.compare(x, k, .greaterEqual)
      }
    default:
      return nil
    }
  }

  /// `local.name` for a name held by the current environment: the object is
  /// read in place (no nested closure call), then the member read of
  /// `compileMember`.
  func compileLocalMember(_ slot: Int, _ name: String, _ range: SourceRange) -> ExprCode {
    let at = range.start
    let cache = PropertySiteCache(key: name)
    if name == "length" {
      return { [unowned(unsafe) interp] env in
        if let r = env.objectRef(slot) {
          let n = r._withUnsafeGuaranteedRef { o -> Int in
            type(of: o) == JSArray.self ? unsafeDowncast(o, to: JSArray.self).elements.count : -1
          }
          if n >= 0 { return .number(Double(n)) }
        }
        let v = env[slot]
        if case .string(let s) = v { return .number(Double(s.utf16.count)) }
        if v.isNullish { interp.position = at }
        return try interp.get(v, name)
      }
    }
    return { [unowned(unsafe) interp] env in
      if let r = env.objectRef(slot), let x = r._withUnsafeGuaranteedRef({ $0.cachedDataLookup(name, cache) }) {
        return x
      }
      let v = env[slot]
      if case .object(let o) = v {
        if let p = o.lookup(name), case .value(let x) = p.slot { return x }
      }
      if v.isNullish { interp.position = at }
      return try interp.get(v, name)
    }
  }

  /// `local[local]`: both read in place, then the array fast path of `compileIndex`.
  func compileLocalIndex(_ objectSlot: Int, _ indexSlot: Int, _ range: SourceRange) -> ExprCode {
    let at = range.start
    return { [unowned(unsafe) interp] env in
      if let r = env.objectRef(objectSlot), case .number(let d) = env[indexSlot] {
        let x = r._withUnsafeGuaranteedRef { o -> Value? in
          guard type(of: o) == JSArray.self else { return nil }
          let a = unsafeDowncast(o, to: JSArray.self)
          guard d >= 0 && d < Double(a.elements.count) else { return nil }
          let i = Int(d)
          return Double(i) == d ? a.elements[i] : nil
        }
        if let x { return x }
      }
      let v = env[objectSlot]
      let k = env[indexSlot]
      if v.isNullish {
        interp.position = at
        throw ScriptThrow.typeError(
          "Cannot read properties of \(v.isUndefined ? "undefined" : "null") (reading '\(try interp.toPropertyKey(k))')")
      }
      return try interp.get(v, try interp.toPropertyKey(k))
    }
  }
}

/// `p op c` for the relational operators `localConstantComparison` accepts.
@inline(__always)
func compareNumbers(_ p: Double, _ op: BinaryOperator, _ c: Double) -> Bool {
  switch op {
  case .less: return p < c
  case .lessEqual: return p <= c
  case .greater: return p > c
  default: return p >= c
  }
}
