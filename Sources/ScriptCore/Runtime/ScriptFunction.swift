// Functions written in script: compiled code plus the environment they close over.

/// The compiled form of one function node, shared by every closure made from it.
final class FunctionCode {
  let name: String
  let file: SourceFile
  let length: Int
  let isArrow: Bool
  let isAsync: Bool
  /// Methods, getters, setters and arrows cannot be used with `new`.
  let isMethod: Bool
  var isClassConstructor = false
  var isDerived = false
  @exclusivity(unchecked) var slotCount = 0
  /// The source text of the function, for `toString`.
  var sourceText: String?
  /// Binds the arguments to the parameters (and initialises `arguments`,
  /// TDZ slots and hoisted function declarations).
  @exclusivity(unchecked) var prologue: (Env, [Value]) throws -> Void = { _, _ in }
  @exclusivity(unchecked) var body: StmtCode = { _ in .normal } {
    didSet { bodyHolder = CodeHolder(body) }
  }
  /// The expression when the body is just `return expression`.
  var returnExpression: ExprCode? {
    didSet { returnHolder = returnExpression.map { ExprHolder($0) } }
  }
  private var returnHolder: ExprHolder?
  @inline(__always)
  var returnRef: Unmanaged<ExprHolder>? { returnHolder.map { Unmanaged.passUnretained($0) } }
  /// The slots a reused environment clears after a call: the hidden `this`,
  /// callee and new.target slots (0 ..< 3) stay undefined when direct calls
  /// never fill them.
  var firstResetSlot = 0
  /// `body` in an immutable box, called through an unretained reference by
  /// direct calls (loading the closure from the `var` would retain it).
  private var bodyHolder = CodeHolder({ _ in .normal })
  @inline(__always)
  var bodyRef: Unmanaged<CodeHolder> { Unmanaged.passUnretained(bodyHolder) }
  /// Set when every parameter is a plain name (no defaults, rest, `arguments`):
  /// callers may then write arguments straight into these slots and run
  /// `entry` (hoisted declarations) instead of `prologue`.
  @exclusivity(unchecked) var directParameterSlots: [Int]? {
    didSet {
      let slots = directParameterSlots ?? []
      directSlot0 = slots.count > 0 ? slots[0] : -1
      directSlot1 = slots.count > 1 ? slots[1] : -1
      directSlot2 = slots.count > 2 ? slots[2] : -1
    }
  }
  /// The first two of `directParameterSlots` (-1: no such parameter), read
  /// by the one- and two-argument call sites without touching the array.
  @exclusivity(unchecked) private(set) var directSlot0 = -1
  @exclusivity(unchecked) private(set) var directSlot1 = -1
  @exclusivity(unchecked) private(set) var directSlot2 = -1
  @exclusivity(unchecked) var entry: ((Env) throws -> Void)?
  /// False when nothing in the body reads `this` (or `super`), or the
  /// callee slot: direct calls then skip filling those slots.
  var needsThis = true
  var needsCallee = true
  /// True when no closure can capture a call's environment (the body creates
  /// none), so a finished call's environment may be reused by the next call.
  var poolable = false

  init(name: String, file: SourceFile, length: Int, isArrow: Bool, isAsync: Bool, isMethod: Bool) {
    self.name = name
    self.file = file
    self.length = length
    self.isArrow = isArrow
    self.isAsync = isAsync
    self.isMethod = isMethod
  }
}

/// A compiled statement list that never changes once made.
final class CodeHolder {
  let run: StmtCode
  init(_ run: @escaping StmtCode) { self.run = run }
}

/// A compiled expression that never changes once made.
final class ExprHolder {
  let run: ExprCode
  init(_ run: @escaping ExprCode) { self.run = run }
}

/// A closure: a function's code and the environment it was created in.
public final class ScriptFunction: JSFunction {
  let code: FunctionCode
  let env: Env
  /// The object whose prototype `super.x` reads (methods of classes and object literals).
  @exclusivity(unchecked) var homeObject: JSObject?
  /// Class constructors: defines the instance fields on a new instance.
  var fieldInitializer: ((JSObject) throws -> Void)?
  /// Class constructors of derived classes without an explicit constructor.
  var isDefaultDerivedConstructor = false
  private var prototypeMade = false
  /// Environments for the calls of a closure-free function (see
  /// `FunctionCode.poolable`), one per active recursion level: nothing can
  /// hold a call's environment after it returns, so the call at level `i`
  /// reuses the one the last call at that level left, cleared. Owned (+1)
  /// here; `envCount` are made, `envActive` are in use.
  @exclusivity(unchecked) private var envStack: UnsafeMutablePointer<Unmanaged<Env>>?
  @exclusivity(unchecked) private var envCount = 0
  @exclusivity(unchecked) private var envActive = 0
  private static let envStackCapacity = 64

  deinit {
    if let stack = envStack {
      for i in 0..<envCount { stack[i].release() }
      stack.deallocate()
    }
  }

  /// A plain call (not `new`) of a function with `directParameterSlots`,
  /// with up to two arguments already evaluated (`argc` of them).
  @inline(__always)
  func callDirect(_ interp: Interpreter, this: Value, argc: Int, _ a0: Value, _ a1: Value) throws -> Value {
    let code = self.code
    return try runDirect(interp, this: this) { e in
      if argc > 0 {
        let s0 = code.directSlot0
        if s0 >= 0 { e[s0] = a0 }
        if argc > 1 {
          let s1 = code.directSlot1
          if s1 >= 0 { e[s1] = a1 }
        }
      }
    }
  }

  /// Natives calling back with three arguments (`forEach`, `map`, ...):
  /// written straight into the parameters, no array.
  public override func call(
    _ interpreter: Interpreter, this: Value, _ a0: Value, _ a1: Value, _ a2: Value
  ) throws -> Value {
    let code = self.code
    guard code.directParameterSlots != nil, !code.isClassConstructor else {
      return try call(interpreter, this: this, arguments: [a0, a1, a2])
    }
    return try runDirect(interpreter, this: this) { e in
      let s0 = code.directSlot0, s1 = code.directSlot1, s2 = code.directSlot2
      if s0 >= 0 { e[s0] = a0 }
      if s1 >= 0 { e[s1] = a1 }
      if s2 >= 0 { e[s2] = a2 }
    }
  }

  /// A plain call with its arguments in an array (natives calling back).
  func callDirect(_ interp: Interpreter, this: Value, arguments: [Value]) throws -> Value {
    guard let slots = code.directParameterSlots else {
      return try interp.invoke(self, this: this, arguments: arguments, newTarget: nil).value
    }
    return try runDirect(interp, this: this) { e in
      let n = min(arguments.count, slots.count)
      for i in 0..<n { e[slots[i]] = arguments[i] }
    }
  }

  /// Runs a direct call in an environment `bind` fills with the arguments:
  /// for a closure-free function the one its recursion level reuses.
  @inline(__always)
  private func runDirect(_ interp: Interpreter, this: Value, _ bind: (Env) -> Void) throws -> Value {
    let code = self.code
    if code.poolable {
      let i = envActive
      if i < envCount, let stack = envStack {
        envActive = i + 1
        defer { envActive = i }
        return try stack[i]._withUnsafeGuaranteedRef { e in
          defer { e.reset(from: code.firstResetSlot) }
          bind(e)
          return try interp.invokeDirect(self, env: e, this: this)
        }
      }
      if i < ScriptFunction.envStackCapacity {
        let stack = envStack ?? {
          let p = UnsafeMutablePointer<Unmanaged<Env>>.allocate(capacity: ScriptFunction.envStackCapacity)
          envStack = p
          return p
        }()
        let e = Env.make(parent: env, count: code.slotCount)
        stack[i] = Unmanaged.passRetained(e)
        envCount = i + 1
        envActive = i + 1
        defer { envActive = i }
        defer { e.reset(from: code.firstResetSlot) }
        bind(e)
        return try interp.invokeDirect(self, env: e, this: this)
      }
    }
    let e = Env.make(parent: env, count: code.slotCount)
    bind(e)
    return try interp.invokeDirect(self, env: e, this: this)
  }

  init(code: FunctionCode, env: Env, realm: Realm, name: String? = nil) {
    self.code = code
    self.env = env
    self.realmObjectPrototype = realm.objectPrototype
    super.init(prototype: realm.functionPrototype, name: name ?? code.name)
    // Ordinary functions get their `prototype` object lazily (see ownProperty).
    prototypeMade = !isConstructor
  }

  private unowned(unsafe) var realmObjectPrototype: JSObject

  public override var className: String { "Function" }

  /// True for class constructors (`[class A]` when inspected).
  public override var isClassConstructor: Bool { code.isClassConstructor }

  /// The function's source text (`Function.prototype.toString`).
  public override var sourceText: String? { code.sourceText }

  public override var isConstructor: Bool { !code.isArrow && !code.isMethod && !code.isAsync }

  private func makePrototypeIfNeeded() {
    if prototypeMade { return }
    prototypeMade = true
    if storage.contains("prototype") { return }
    let proto = JSObject(prototype: realmObjectPrototype)
    proto.defineOwn("constructor", Property(.object(self), enumerable: false))
    storage.set("prototype", Property(.object(proto), enumerable: false, writable: true, configurable: false))
  }

  public override func ownProperty(_ key: String) -> Property? {
    if key == "prototype" { makePrototypeIfNeeded() }
    if let p = storage.find(key) { return p }
    switch key {
    case "name": return Property(.string(name), enumerable: false, writable: false)
    case "length": return Property(.number(Double(code.length)), enumerable: false, writable: false)
    default: return nil
    }
  }

  @discardableResult
  public override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if key == "prototype" { prototypeMade = true }
    return super.defineOwn(key, property)
  }

  public override func ownKeys() -> [String] {
    makePrototypeIfNeeded()
    return super.ownKeys()
  }

  public override func call(_ interpreter: Interpreter, this: Value, arguments: [Value]) throws -> Value {
    if code.isClassConstructor {
      throw ScriptThrow.typeError("Class constructor \(name) cannot be invoked without 'new'")
    }
    return try callDirect(interpreter, this: this, arguments: arguments)
  }

  public override func construct(_ interpreter: Interpreter, arguments: [Value], newTarget: JSObject) throws -> Value {
    guard isConstructor else {
      throw ScriptThrow.typeError("\(name.isEmpty ? "anonymous" : name) is not a constructor")
    }
    if code.isDerived {
      let (result, env) = try interpreter.invoke(self, this: uninitialized, arguments: arguments, newTarget: newTarget)
      if case .object = result { return result }
      let this = env[Scope.thisSlot]
      if isUninitialized(this) {
        throw ScriptThrow.error(.referenceError,
          "Must call super constructor in derived class before accessing 'this' or returning from derived constructor")
      }
      return this
    }
    let proto = try interpreter.get(.object(newTarget), "prototype").asObject ?? interpreter.realm.objectPrototype
    let object = JSObject(prototype: proto)
    if let fields = fieldInitializer { try fields(object) }
    let (result, _) = try interpreter.invoke(self, this: .object(object), arguments: arguments, newTarget: newTarget)
    if case .object = result { return result }
    return .object(object)
  }
}

// MARK: - Invocation

extension Interpreter {
  /// Runs a script function: pushes a frame, binds the parameters, runs the
  /// body (as a coroutine when async) and returns the result and the
  /// function's environment (derived constructors read `this` from it).
  func invoke(_ f: ScriptFunction, this: Value, arguments: [Value], newTarget: JSObject?) throws -> (value: Value, env: Env) {
    let code = f.code
    try checkInterrupt()
    if depth >= depthLimit {
      throw ScriptThrow.rangeError("Maximum call stack size exceeded")
    }
    let env = Env.make(parent: f.env, count: code.slotCount)
    if !code.isArrow {
      env[Scope.thisSlot] = this
      env[Scope.calleeSlot] = .object(f)
      if let nt = newTarget { env[Scope.newTargetSlot] = .object(nt) }
    }
    let isConstruct = newTarget != nil
    if code.isAsync {
      let frame = CallFrame(code: code, isConstruct: isConstruct, callerPosition: position)
      return (try startAsync(code: code, env: env, arguments: arguments, frame: frame), env)
    }
    pushFrame(CallFrame(code: code, isConstruct: isConstruct, callerPosition: position))
    depth += 1
    defer {
      depth -= 1
      popFrame()
    }
    do {
      try code.prologue(env, arguments)
      if case .returnValue(let v) = try code.body(env) { return (v, env) }
      return (.undefined, env)
    } catch ScriptThrow.error(let kind, let message) {
      // Materialise native errors while this frame is still on the stack.
      throw ScriptThrow.value(makeError(kind, message))
    }
  }

  /// Calls `f` with its environment already holding the arguments (see
  /// `FunctionCode.directParameterSlots`); a plain call, not `new`.
  @inline(__always)
  func invokeDirect(_ f: ScriptFunction, env: Env, this: Value) throws -> Value {
    let code = f.code
    try checkInterrupt()
    if depth >= depthLimit {
      throw ScriptThrow.rangeError("Maximum call stack size exceeded")
    }
    if code.needsThis { env[Scope.thisSlot] = this }
    if code.needsCallee { env[Scope.calleeSlot] = .object(f) }
    pushFrame(CallFrame(code: code, isConstruct: false, callerPosition: position))
    depth += 1
    defer {
      depth -= 1
      popFrame()
    }
    do {
      if let entry = code.entry { try entry(env) }
      if let r = code.returnRef { return try r._withUnsafeGuaranteedRef { try $0.run(env) } }
      let c = try code.bodyRef._withUnsafeGuaranteedRef { try $0.run(env) }
      if case .returnValue(let v) = c { return v }
      return .undefined
    } catch ScriptThrow.error(let kind, let message) {
      throw ScriptThrow.value(makeError(kind, message))
    }
  }

  /// Runs an async function's body as a coroutine and returns its promise.
  func startAsync(code: FunctionCode, env: Env, arguments: [Value], frame: CallFrame) throws -> Value {
    let promise = PromiseObject(prototype: realm.promisePrototype)
    try startCoroutine { [self] in
      pushFrame(frame)
      depth += 1
      defer {
        depth -= 1
        popFrame()
      }
      do {
        try code.prologue(env, arguments)
        var result = Value.undefined
        if case .returnValue(let v) = try code.body(env) { result = v }
        resolvePromise(promise, with: result)
      } catch let t as ScriptThrow {
        rejectPromise(promise, with: thrownValue(t))
      }
    }
    return .object(promise)
  }
}
