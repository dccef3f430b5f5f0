// Operators: unary, update, binary (with number fast paths) and assignments.

extension Compiler {
  func compileUnary(_ op: UnaryOperator, _ operand: Expr, _ range: SourceRange) -> ExprCode {
    switch op {
    case .typeof:
      if case .identifier(let name) = operand.kind, case .global = scope.resolve(name) {
        let read = name == "arguments" ? compileIdentifier(name, operand.range) : compileGlobalRead(name, operand.range, forTypeof: true)
        return { env in .string(try read(env).typeName) }
      }
      let c = compileExpr(operand)
      return { env in .string(try c(env).typeName) }
    case .delete:
      return compileDelete(operand, range)
    default:
      break
    }
    let c = compileExpr(operand)
    switch op {
    case .minus:
      return { [unowned(unsafe) interp] env in
        let v = try c(env)
        if case .number(let n) = v { return .number(-n) }
        return .number(-(try interp.toNumber(v)))
      }
    case .plus:
      return { [unowned(unsafe) interp] env in
        let v = try c(env)
        if case .number = v { return v }
        return .number(try interp.toNumber(v))
      }
    case .not:
      return { env in .bool(!(try c(env).isTruthy)) }
    case .bitNot:
      return { [unowned(unsafe) interp] env in .number(Double(~(try interp.toInt32(try c(env))))) }
    case .void:
      return { env in _ = try c(env); return .undefined }
    case .typeof, .delete:
      return { _ in .undefined }  // handled above
    }
  }

  private func compileDelete(_ operand: Expr, _ range: SourceRange) -> ExprCode {
    var inner = operand
    if case .optionalChain(let e) = operand.kind { inner = e }
    let at = range.start
    switch inner.kind {
    case .member(let object, let name, _):
      let o = compileExpr(object)
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        guard case .object(let obj) = v else {
          if v.isNullish {
            interp.position = at
            throw ScriptThrow.typeError("Cannot convert undefined or null to object")
          }
          return .true
        }
        if !obj.deleteOwn(name) {
          interp.position = at
          throw ScriptThrow.typeError("Cannot delete property '\(name)' of \(interp.displayString(v))")
        }
        return .true
      }
    case .index(let object, let index, _):
      let o = compileExpr(object), k = compileExpr(index)
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        let key = try interp.toPropertyKey(try k(env))
        guard case .object(let obj) = v else { return .true }
        if !obj.deleteOwn(key) {
          interp.position = at
          throw ScriptThrow.typeError("Cannot delete property '\(key)' of \(interp.displayString(v))")
        }
        return .true
      }
    case .identifier:
      return { _ in .false }
    default:
      let c = compileExpr(operand)
      return { env in _ = try c(env); return .true }
    }
  }

  // MARK: - Binary

  func compileBinary(_ op: BinaryOperator, _ a: @escaping ExprCode, _ b: @escaping ExprCode, _ range: SourceRange) -> ExprCode {
    let at = range.start
    switch op {
    case .add:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y { return .number(p + q) }
        if case .string(let p) = x, case .string(let q) = y {
          if p.utf8.count &+ q.utf8.count <= maxStringLength { return .string(p + q) }
          interp.position = at
          return .string(try concatStrings(p, q))
        }
        return try interp.add(x, y)
      }
    case .subtract:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y { return .number(p - q) }
        return .number(try interp.toNumber(x) - interp.toNumber(y))
      }
    case .multiply:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y { return .number(p * q) }
        return .number(try interp.toNumber(x) * interp.toNumber(y))
      }
    case .divide:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y { return .number(p / q) }
        return .number(try interp.toNumber(x) / interp.toNumber(y))
      }
    case .less, .lessEqual, .greater, .greaterEqual, .strictEqual, .strictNotEqual:
      let cond = compileConditionCodes(op, a, b)
      return { env in .bool(try cond(env)) }
    case .remainder:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y {
          // Integer operands (the common case) avoid fmod.
          if p >= 1, q >= 1, p < 9.0e15, q < 9.0e15, p == p.rounded(.towardZero), q == q.rounded(.towardZero) {
            return .number(Double(Int64(p) % Int64(q)))
          }
          return .number(p.truncatingRemainder(dividingBy: q))
        }
        interp.position = at
        return try interp.binaryOperation(op, x, y)
      }
    case .equal, .notEqual:
      let negate = op == .notEqual
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y { return .bool((p == q) != negate) }
        interp.position = at
        return .bool(try interp.looseEquals(x, y) != negate)
      }
    case .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight, .unsignedShiftRight:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y,
          abs(p) < 2_147_483_648, abs(q) < 2_147_483_648, p == p.rounded(.towardZero), q == q.rounded(.towardZero)
        {
          let i = Int32(p), j = Int32(q)
          switch op {
          case .bitAnd: return .number(Double(i & j))
          case .bitOr: return .number(Double(i | j))
          case .bitXor: return .number(Double(i ^ j))
          case .shiftLeft: return .number(Double(i << (UInt32(bitPattern: j) & 31)))
          case .shiftRight: return .number(Double(i >> (UInt32(bitPattern: j) & 31)))
          default: return .number(Double(UInt32(bitPattern: i) >> (UInt32(bitPattern: j) & 31)))
          }
        }
        interp.position = at
        return try interp.binaryOperation(op, x, y)
      }
    default:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        do {
          return try interp.binaryOperation(op, x, y)
        } catch {
          interp.position = at
          throw error
        }
      }
    }
  }

  private func compileConditionCodes(_ op: BinaryOperator, _ a: @escaping ExprCode, _ b: @escaping ExprCode) -> (Env) throws -> Bool {
    switch op {
    case .strictEqual: return { env in strictEquals(try a(env), try b(env)) }
    case .strictNotEqual: return { env in !strictEquals(try a(env), try b(env)) }
    default:
      return { [unowned(unsafe) interp] env in
        let x = try a(env), y = try b(env)
        if case .number(let p) = x, case .number(let q) = y {
          switch op {
          case .less: return p < q
          case .lessEqual: return p <= q
          case .greater: return p > q
          default: return p >= q
          }
        }
        return try interp.compare(x, y, op)
      }
    }
  }

  // MARK: - Update and assignment

  /// Reads and writes for a simple target (identifier or member), evaluating the object once.
  private func compileReference(_ target: Expr) -> (Env) throws -> (get: () throws -> Value, set: (Value) throws -> Void) {
    switch target.kind {
    case .identifier(let name):
      let read = compileIdentifier(name, target.range)
      let write = compileNameAssignment(name, target.range)
      return { env in ({ try read(env) }, { try write(env, $0) }) }
    case .member(let object, let name, _):
      let o = compileExpr(object)
      let at = target.range.start
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        return ({
          if v.isNullish { interp.position = at }
          return try interp.get(v, name)
        }, { try interp.set(v, name, $0) })
      }
    case .index(let object, let index, _):
      let o = compileExpr(object), k = compileExpr(index)
      let at = target.range.start
      return { [unowned(unsafe) interp] env in
        let v = try o(env)
        let key = try k(env)
        return ({
          if v.isNullish { interp.position = at }
          return try interp.get(v, try interp.toPropertyKey(key))
        }, { try self.setIndexed(v, key, $0) })
      }
    case .superMember(let key):
      let ref = compileSuperMember(key, target.range)
      return { [unowned(unsafe) interp] env in
        let (_, this, name, home) = try ref(env)
        return ({ try interp.get(.object(home), name) }, { try interp.set(this, name, $0) })
      }
    default:
      let at = target.range.start
      return { [unowned(unsafe) interp] _ in
        interp.position = at
        throw ScriptThrow.error(.syntaxError, "Invalid left-hand side in assignment")
      }
    }
  }

  func compileUpdate(_ op: UpdateOperator, prefix: Bool, _ target: Expr) -> ExprCode {
    let delta: Double = op == .increment ? 1 : -1
    // Fast path: a local `var`/`let` slot.
    if case .identifier(let name) = target.kind, case .local(let depth, let b, _) = scope.resolve(name),
      b.kind == .variable || (b.kind == .letBinding && b.declaredAt <= target.range.start.offset && !scope.isSwitch)
    {
      let slot = b.slot
      let sameFunction: Bool
      if case .local(_, _, let s) = scope.resolve(name) { sameFunction = s.function === scope.function } else { sameFunction = false }
      if sameFunction || b.kind == .variable {
        if depth == 0 {
          return { [unowned(unsafe) interp] env in
            let old = env[slot]
            let n: Double
            if case .number(let x) = old { n = x } else { n = try interp.toNumber(old) }
            env[slot] = .number(n + delta)
            return .number(prefix ? n + delta : n)
          }
        }
        return { [unowned(unsafe) interp] env in
          let e = env.ancestor(depth)
          let old = e[slot]
          let n: Double
          if case .number(let x) = old { n = x } else { n = try interp.toNumber(old) }
          e[slot] = .number(n + delta)
          return .number(prefix ? n + delta : n)
        }
      }
    }
    let ref = compileReference(target)
    return { [unowned(unsafe) interp] env in
      let (get, set) = try ref(env)
      let old = try get()
      let n: Double
      if case .number(let x) = old { n = x } else { n = try interp.toNumber(old) }
      try set(.number(n + delta))
      return .number(prefix ? n + delta : n)
    }
  }

  func compileAssignment(_ op: AssignOperator, _ target: Pattern, _ value: Expr, _ range: SourceRange) -> ExprCode {
    if op == .assign {
      switch target {
      case .identifier(let name, let r):
        let v = compileExpr(value, nameHint: name)
        let write = compileNameAssignment(name, r)
        return { env in
          let x = try v(env)
          try write(env, x)
          return x
        }
      case .expression(let e):
        switch e.kind {
        case .member(let object, let name, _):
          let o = compileExpr(object), v = compileExpr(value)
          let at = e.range.start
          return { [unowned(unsafe) interp] env in
            let obj = try o(env)
            let x = try v(env)
            if case .object(let ob) = obj, !ob.isFrozen, let p = ob.storage.find(name), p.writable,
              case .value = p.slot, type(of: ob) == JSObject.self
            {
              ob.storage.setValue(name, x)
              return x
            }
            interp.position = at
            try interp.set(obj, name, x)
            return x
          }
        case .index(let object, let index, _):
          let o = compileExpr(object), k = compileExpr(index), v = compileExpr(value)
          let at = e.range.start
          return { [unowned(unsafe) interp] env in
            let obj = try o(env)
            let key = try k(env)
            let x = try v(env)
            interp.position = at
            try self.setIndexed(obj, key, x)
            return x
          }
        default:
          let ref = compileReference(e)
          let v = compileExpr(value)
          return { env in
            let (_, set) = try ref(env)
            let x = try v(env)
            try set(x)
            return x
          }
        }
      default:
        let bind = compilePattern(target, mode: .assign)
        let v = compileExpr(value)
        return { env in
          let x = try v(env)
          try bind(env, x)
          return x
        }
      }
    }
    let targetExpr: Expr
    switch target {
    case .identifier(let name, let r): targetExpr = Expr(.identifier(name), r)
    case .expression(let e): targetExpr = e
    default:
      let at = range.start
      return { [unowned(unsafe) interp] _ in
        interp.position = at
        throw ScriptThrow.error(.syntaxError, "Invalid left-hand side in assignment")
      }
    }
    if let fast = compileLocalCompoundAssignment(op, target, value, range) { return fast }
    let ref = compileReference(targetExpr)
    var hint: String?
    if case .identifier(let n, _) = target { hint = n }
    let v = compileExpr(value, nameHint: hint)
    switch op {
    case .and, .or, .nullish:
      return { env in
        let (get, set) = try ref(env)
        let old = try get()
        let keep: Bool
        switch op {
        case .and: keep = !old.isTruthy
        case .or: keep = old.isTruthy
        default: keep = !old.isNullish
        }
        if keep { return old }
        let x = try v(env)
        try set(x)
        return x
      }
    default:
      guard let binary = op.binaryOperator else { return { _ in .undefined } }
      let at = range.start
      return { [unowned(unsafe) interp] env in
        let (get, set) = try ref(env)
        let old = try get()
        let rhs = try v(env)
        let x: Value
        if binary == .add, case .number(let p) = old, case .number(let q) = rhs {
          x = .number(p + q)
        } else {
          interp.position = at
          x = try interp.binaryOperation(binary, old, rhs)
        }
        try set(x)
        return x
      }
    }
  }
}

extension Compiler {
  /// `x += v` on a local slot: no reference closures, number fast paths.
  fileprivate func compileLocalCompoundAssignment(
    _ op: AssignOperator, _ target: Pattern, _ value: Expr, _ range: SourceRange
  ) -> ExprCode? {
    guard let binary = op.binaryOperator, case .identifier(let name, let r) = target,
      case .local(let depth, let b, let s) = scope.resolve(name)
    else { return nil }
    let safeLet = b.kind == .letBinding && s.function === scope.function && !s.isSwitch
      && r.start.offset >= b.declaredAt
    guard b.kind == .variable || safeLet else { return nil }
    let slot = b.slot
    let v = compileExpr(value)
    let at = range.start
    unowned(unsafe) let interp = self.interp
    let apply: (Value, Value) throws -> Value
    switch binary {
    case .add:
      apply = { x, y in
        if case .number(let p) = x, case .number(let q) = y { return .number(p + q) }
        if case .string(let p) = x, case .string(let q) = y {
          if p.utf8.count &+ q.utf8.count <= maxStringLength { return .string(p + q) }
          interp.position = at
          return .string(try concatStrings(p, q))
        }
        interp.position = at
        return try interp.add(x, y)
      }
    case .subtract, .multiply, .divide:
      apply = { x, y in
        if case .number(let p) = x, case .number(let q) = y {
          switch binary {
          case .subtract: return .number(p - q)
          case .multiply: return .number(p * q)
          default: return .number(p / q)
          }
        }
        interp.position = at
        return try interp.binaryOperation(binary, x, y)
      }
    default:
      apply = { x, y in
        interp.position = at
        return try interp.binaryOperation(binary, x, y)
      }
    }
    if depth == 0 && binary == .add {
      // `total += x` on numbers without the `apply` closure call.
      return { env in
        var old = env[slot]
        let y = try v(env)
        if case .number(let p) = old, case .number(let q) = y {
          let x = Value.number(p + q)
          env[slot] = x
          return x
        }
        if case .string(var p) = old, case .string(let q) = y,
          p.utf8.count &+ q.utf8.count <= maxStringLength
        {
          // `s += t`: when the name still holds the string read before the
          // right side ran, let go of the slot's copy first so the append
          // can grow the buffer in place instead of copying it each time.
          if case .string(let current) = env[slot], current == p { env[slot] = .undefined }
          old = .undefined
          p.append(q)
          let x = Value.string(p)
          env[slot] = x
          return x
        }
        let x = try apply(old, y)
        env[slot] = x
        return x
      }
    }
    if depth == 0 {
      return { env in
        let old = env[slot]
        let x = try apply(old, try v(env))
        env[slot] = x
        return x
      }
    }
    return { env in
      let e = env.ancestor(depth)
      let old = e[slot]
      let x = try apply(old, try v(env))
      e[slot] = x
      return x
    }
  }
}

// MARK: - Operator semantics

extension Interpreter {
  /// `a + b`: string concatenation when either primitive is a string, else addition.
  public func add(_ a: Value, _ b: Value) throws -> Value {
    let x = try toPrimitive(a), y = try toPrimitive(b)
    if case .string(let s) = x { return .string(try concatStrings(s, try toString(y))) }
    if case .string(let s) = y { return .string(try concatStrings(try toString(x), s)) }
    return .number(try toNumber(x) + toNumber(y))
  }

  /// ToInt32.
  public func toInt32(_ v: Value) throws -> Int32 {
    let d: Double
    if case .number(let n) = v { d = n } else { d = try toNumber(v) }
    guard d.isFinite else { return 0 }
    let t = d.rounded(.towardZero)
    let m = t.truncatingRemainder(dividingBy: 4_294_967_296)
    let u = m < 0 ? m + 4_294_967_296 : m
    return Int32(bitPattern: UInt32(u))
  }

  /// `<`, `<=`, `>`, `>=` on any values (strings compare by UTF-16 code units).
  func compare(_ a: Value, _ b: Value, _ op: BinaryOperator) throws -> Bool {
    let x = try toPrimitive(a, hint: .number), y = try toPrimitive(b, hint: .number)
    if case .string(let s) = x, case .string(let t) = y {
      switch op {
      case .less: return s.utf16.lexicographicallyPrecedes(t.utf16)
      case .lessEqual: return !t.utf16.lexicographicallyPrecedes(s.utf16)
      case .greater: return t.utf16.lexicographicallyPrecedes(s.utf16)
      default: return !s.utf16.lexicographicallyPrecedes(t.utf16)
      }
    }
    let p = try toNumber(x), q = try toNumber(y)
    switch op {
    case .less: return p < q
    case .lessEqual: return p <= q
    case .greater: return p > q
    default: return p >= q
    }
  }

  /// Every binary operator, for the slow paths.
  public func binaryOperation(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
    switch op {
    case .add: return try add(a, b)
    case .subtract: return .number(try toNumber(a) - toNumber(b))
    case .multiply: return .number(try toNumber(a) * toNumber(b))
    case .divide: return .number(try toNumber(a) / toNumber(b))
    case .remainder:
      let x = try toNumber(a), y = try toNumber(b)
      return .number(x.truncatingRemainder(dividingBy: y))
    case .power:
      let x = try toNumber(a), y = try toNumber(b)
      if y.isNaN || ((x == 1 || x == -1) && y.isInfinite) { return .number(.nan) }
      return .number(Foundation.pow(x, y))
    case .equal: return .bool(try looseEquals(a, b))
    case .notEqual: return .bool(!(try looseEquals(a, b)))
    case .strictEqual: return .bool(strictEquals(a, b))
    case .strictNotEqual: return .bool(!strictEquals(a, b))
    case .less, .lessEqual, .greater, .greaterEqual: return .bool(try compare(a, b, op))
    case .bitAnd: return .number(Double(try toInt32(a) & toInt32(b)))
    case .bitOr: return .number(Double(try toInt32(a) | toInt32(b)))
    case .bitXor: return .number(Double(try toInt32(a) ^ toInt32(b)))
    case .shiftLeft: return .number(Double(try toInt32(a) << (UInt32(bitPattern: toInt32(b)) & 31)))
    case .shiftRight: return .number(Double(try toInt32(a) >> (UInt32(bitPattern: toInt32(b)) & 31)))
    case .unsignedShiftRight:
      let x = UInt32(bitPattern: try toInt32(a))
      return .number(Double(x >> (UInt32(bitPattern: try toInt32(b)) & 31)))
    case .in:
      guard case .object(let o) = b else {
        throw ScriptThrow.typeError("Cannot use 'in' operator to search for '\(try toString(a))' in \(displayString(b))")
      }
      return .bool(o.hasProperty(try toPropertyKey(a)))
    case .instanceof:
      return .bool(try instanceOf(a, b))
    }
  }

  /// `value instanceof constructor`: walks the prototype chain.
  public func instanceOf(_ value: Value, _ constructor: Value) throws -> Bool {
    guard case .object(let c) = constructor, c is JSFunction else {
      throw ScriptThrow.typeError("Right-hand side of 'instanceof' is not callable")
    }
    guard case .object(let o) = value else { return false }
    guard case .object(let proto) = try get(constructor, "prototype") else {
      throw ScriptThrow.typeError("Function has non-object prototype 'undefined' in instanceof check")
    }
    var p = o.prototype
    while let q = p {
      if q === proto { return true }
      p = q.prototype
    }
    return false
  }
}

import Foundation
