// Functions and classes: parameter binding, hoisting in function bodies,
// methods with a home object, class constructors, fields and inheritance.

extension Compiler {
  /// Compiles a function node; the result makes a closure over the current environment.
  /// `frameName` is what stack traces call it (`Point.norm` for a method).
  func compileFunction(
    _ node: FunctionNode, nameHint: String?, isMethod: Bool = false, isDeclaration: Bool = false,
    frameName: String? = nil
  ) -> ExprCode {
    let code = compileFunctionCode(
      node, name: frameName ?? node.name ?? nameHint ?? "", isMethod: isMethod,
      selfBinding: !isDeclaration && !isMethod)
    let realm = interp.realm
    return { env in .object(ScriptFunction(code: code, env: env, realm: realm)) }
  }

  /// A method (object literal or class): a closure whose `super` reads from `home`'s prototype.
  func makeMethod(_ make: ExprCode, _ env: Env, name: String, home: JSObject) throws -> Value {
    let v = try make(env)
    if case .object(let o) = v, let f = o as? ScriptFunction {
      f.homeObject = home
      f.name = name
    }
    return v
  }

  func compileFunctionCode(
    _ node: FunctionNode, name: String, isMethod: Bool, selfBinding: Bool,
    classConstructor: Bool = false, derived: Bool = false
  ) -> FunctionCode {
    let code = FunctionCode(
      name: name, file: file, length: node.length, isArrow: node.isArrow, isAsync: node.isAsync,
      isMethod: isMethod)
    code.isClassConstructor = classConstructor
    code.isDerived = derived
    code.sourceText = sourceText(node.range)
    let info = FunctionInfo(parent: scope.function, isArrow: node.isArrow, isAsync: node.isAsync, name: name)
    info.isClassConstructor = classConstructor
    info.isDerivedConstructor = derived
    scope.noteClosure()
    let fscope = Scope(parent: scope, function: info, isFunctionScope: true)
    info.scope = fscope
    let savedScope = scope, savedLabels = pendingLabels
    scope = fscope
    pendingLabels = []
    defer {
      scope = savedScope
      pendingLabels = savedLabels
    }

    var selfSlot: Int?
    if selfBinding, !node.isArrow, let n = node.name { selfSlot = fscope.declare(n, .variable).slot }

    // Parameters: simple identifiers go straight into their slots.
    var simpleSlots: [Int] = []
    var isSimple = node.rest == nil
    for p in node.params {
      if case .identifier(let n, _) = p.target, p.defaultValue == nil {
        simpleSlots.append(fscope.declare(n, .variable).slot)
      } else {
        isSimple = false
        var names: [String] = []
        patternNames(p.target, into: &names)
        for n in names { fscope.declare(n, .variable) }
      }
    }
    if let r = node.rest {
      var names: [String] = []
      patternNames(r, into: &names)
      for n in names { fscope.declare(n, .variable) }
    }
    var binders: [((Env, Value) throws -> Void, ExprCode?)] = []
    var restBinder: ((Env, Value) throws -> Void)?
    if !isSimple {
      for p in node.params {
        var hint: String?
        if case .identifier(let n, _) = p.target { hint = n }
        binders.append((compilePattern(p.target, mode: .initialize), p.defaultValue.map { compileExpr($0, nameHint: hint) }))
      }
      restBinder = node.rest.map { compilePattern($0, mode: .initialize) }
    }

    let hoisted = declareHoisted(node.body, functionTop: true)
    if node.body.count == 1, case .return(let e?) = node.body[0].kind {
      // `return expr` (and expression-bodied arrows): direct calls run the
      // expression itself, without a statement closure and its Completion.
      let expr = compileExpr(e)
      code.returnExpression = expr
      code.body = { env in .returnValue(try expr(env)) }
    } else {
      code.body = compileStatements(node.body)
    }
    code.slotCount = fscope.slotCount
    let argumentsSlot = info.argumentsSlot
    let realm = interp.realm
    let paramCount = node.params.count
    code.prologue = { env, args in
      if let s = selfSlot { env[s] = env[Scope.calleeSlot] }
      if isSimple {
        let n = min(args.count, simpleSlots.count)
        for i in 0..<n { env[simpleSlots[i]] = args[i] }
      } else {
        for (i, (bind, defaultValue)) in binders.enumerated() {
          var v = i < args.count ? args[i] : .undefined
          if v.isUndefined, let d = defaultValue { v = try d(env) }
          try bind(env, v)
        }
        if let r = restBinder {
          let rest = args.count > paramCount ? Array(args[paramCount...]) : []
          try r(env, .object(realm.newArray(rest)))
        }
      }
      if let s = argumentsSlot { env[s] = .object(realm.newArray(args)) }
      for step in hoisted { try step(env) }
    }
    // Calls can bind simple parameters straight into the new environment.
    if isSimple && argumentsSlot == nil && !node.isAsync && !classConstructor
      && !(selfSlot.map { simpleSlots.contains($0) } ?? false)
    {
      code.directParameterSlots = simpleSlots
      code.poolable = !ClosureScan.any(node.body)
      code.needsThis = !node.isArrow && info.usesThis
      code.needsCallee = !node.isArrow && (info.usesCallee || selfSlot != nil)
      if !code.needsThis && !code.needsCallee { code.firstResetSlot = node.isArrow ? 0 : 3 }
      if selfSlot != nil || !hoisted.isEmpty {
        code.entry = { env in
          if let s = selfSlot { env[s] = env[Scope.calleeSlot] }
          for step in hoisted { try step(env) }
        }
      }
    }
    return code
  }

  /// The source text a range covers.
  func sourceText(_ range: SourceRange) -> String? {
    let lo = range.start.offset, hi = range.end.offset
    guard lo >= 0, hi <= file.scalars.count, lo < hi else { return nil }
    var s = String.UnicodeScalarView()
    s.append(contentsOf: file.scalars[lo..<hi])
    return String(s)
  }

  // MARK: - Classes

  func compileClass(_ node: ClassNode, nameHint: String?) -> ExprCode {
    let className = node.name ?? nameHint ?? ""
    let derived = node.superclass != nil
    // The class's own scope binds its name for code inside the class body.
    let ((parts), classScope) = withBlockScope { () -> ClassParts in
      var nameSlot: Int?
      if let n = node.name { nameSlot = scope.declare(n, .constBinding).slot }
      let superCode = node.superclass.map { compileExpr($0) }
      let ctor: FunctionCode
      if let c = node.constructor {
        ctor = compileFunctionCode(c, name: className, isMethod: false, selfBinding: false, classConstructor: true, derived: derived)
      } else {
        ctor = defaultConstructor(name: className, derived: derived)
      }
      var members: [ClassParts.Member] = []
      var instanceFields: [(key: (Env) throws -> String, value: ExprCode?)] = []
      var staticFields: [(key: (Env) throws -> String, value: ExprCode?)] = []
      // Field initialisers run as a method of the instance (or the class for static fields).
      let fieldInfo = FunctionInfo(parent: scope.function, isArrow: false, isAsync: false, name: className)
      let fieldScope = Scope(parent: scope, function: fieldInfo, isFunctionScope: true)
      fieldInfo.scope = fieldScope
      func methodFrameName(_ f: FunctionNode) -> String {
        guard let n = f.name else { return className }
        return className.isEmpty ? n : className + "." + n
      }
      for m in node.members {
        let key = compilePropertyKey(m.key)
        switch m.kind {
        case .method(let f):
          members.append(.init(key: key, isStatic: m.isStatic, kind: 0, make: compileFunction(f, nameHint: nil, isMethod: true, frameName: methodFrameName(f))))
        case .getter(let f):
          members.append(.init(key: key, isStatic: m.isStatic, kind: 1, make: compileFunction(f, nameHint: nil, isMethod: true, frameName: methodFrameName(f))))
        case .setter(let f):
          members.append(.init(key: key, isStatic: m.isStatic, kind: 2, make: compileFunction(f, nameHint: nil, isMethod: true, frameName: methodFrameName(f))))
        case .field(let value):
          let saved = scope
          scope = fieldScope
          var hint: String?
          if case .named(let n) = m.key { hint = n }
          let v = value.map { compileExpr($0, nameHint: hint) }
          scope = saved
          if m.isStatic { staticFields.append((key, v)) } else { instanceFields.append((key, v)) }
        }
      }
      if !instanceFields.isEmpty || !staticFields.isEmpty { scope.noteClosure() }
      return ClassParts(
        nameSlot: nameSlot, superCode: superCode, ctor: ctor, members: members,
        instanceFields: instanceFields, staticFields: staticFields, fieldSlots: fieldScope.slotCount)
    }
    let count = classScope.slotCount
    let realm = interp.realm
    return { [unowned(unsafe) interp] env in
      let e = Env.make(parent: env, count: count)
      if let s = parts.nameSlot { e[s] = uninitialized }
      var protoParent: JSObject? = realm.objectPrototype
      var ctorParent: JSObject = realm.functionPrototype
      if let superCode = parts.superCode {
        let sv = try superCode(e)
        if case .null = sv {
          protoParent = nil
        } else {
          guard case .object(let so) = sv, let sf = so as? JSFunction, sf.isConstructor else {
            throw ScriptThrow.typeError("Class extends value \(interp.displayString(sv)) is not a constructor or null")
          }
          let pp = try interp.get(sv, "prototype")
          switch pp {
          case .object(let ppo): protoParent = ppo
          case .null: protoParent = nil
          default:
            throw ScriptThrow.typeError("Class extends value does not have valid prototype property \(interp.displayString(pp))")
          }
          ctorParent = sf
        }
      }
      let proto = JSObject(prototype: protoParent)
      let F = ScriptFunction(code: parts.ctor, env: e, realm: realm, name: className)
      F.prototype = ctorParent
      F.homeObject = proto
      F.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false, configurable: false))
      proto.defineOwn("constructor", Property(.object(F), enumerable: false))
      for m in parts.members {
        let target: JSObject = m.isStatic ? F : proto
        let name = try m.key(e)
        switch m.kind {
        case 0:
          let f = try self.makeMethod(m.make, e, name: name, home: target)
          target.defineOwn(name, Property(f, enumerable: false))
        default:
          let f = try self.makeMethod(m.make, e, name: (m.kind == 1 ? "get " : "set ") + name, home: target)
          self.defineAccessor(target, name, f, isGetter: m.kind == 1, enumerable: false)
        }
      }
      if !parts.instanceFields.isEmpty {
        let keys = try parts.instanceFields.map { try $0.key(e) }
        let values = parts.instanceFields.map { $0.value }
        let slots = parts.fieldSlots
        F.fieldInitializer = { object in
          let fe = Env.make(parent: e, count: slots)
          fe[Scope.thisSlot] = .object(object)
          fe[Scope.calleeSlot] = .object(F)
          for (k, v) in zip(keys, values) {
            object.defineOwn(k, Property(try v?(fe) ?? .undefined))
          }
        }
      }
      if let s = parts.nameSlot { e[s] = .object(F) }
      if !parts.staticFields.isEmpty {
        let fe = Env.make(parent: e, count: parts.fieldSlots)
        fe[Scope.thisSlot] = .object(F)
        fe[Scope.calleeSlot] = .object(F)
        for field in parts.staticFields {
          let k = try field.key(e)
          F.defineOwn(k, Property(try field.value?(fe) ?? .undefined))
        }
      }
      return .object(F)
    }
  }

  /// `constructor() {}` or `constructor(...args) { super(...args) }`.
  private func defaultConstructor(name: String, derived: Bool) -> FunctionCode {
    let code = FunctionCode(name: name, file: file, length: 0, isArrow: false, isAsync: false, isMethod: false)
    code.isClassConstructor = true
    code.isDerived = derived
    code.slotCount = 4
    if derived {
      code.prologue = { [unowned(unsafe) interp] env, args in
        env[3] = .object(interp.realm.newArray(args))
      }
      code.body = { [unowned(unsafe) interp] env in
        var args: [Value] = []
        if case .object(let o) = env[3], let a = o as? JSArray { args = a.elements }
        _ = try interp.superCall(functionEnv: env, arguments: args)
        return .normal
      }
    }
    return code
  }
}

struct ClassParts {
  struct Member {
    let key: (Env) throws -> String
    let isStatic: Bool
    /// 0 method, 1 getter, 2 setter
    let kind: Int
    let make: ExprCode
  }

  let nameSlot: Int?
  let superCode: ExprCode?
  let ctor: FunctionCode
  let members: [Member]
  let instanceFields: [(key: (Env) throws -> String, value: ExprCode?)]
  let staticFields: [(key: (Env) throws -> String, value: ExprCode?)]
  let fieldSlots: Int
}
