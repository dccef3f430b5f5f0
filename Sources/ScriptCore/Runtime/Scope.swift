// Scopes: the runtime environments (arrays of slots) and the compile-time
// scopes that resolve every local name to a (depth, slot) pair once, before
// the code runs.
//
// Every non-arrow function scope reserves three hidden slots: `this`, the
// callee (for `super` and class fields) and `new.target` (for `super(...)`).
// Arrows resolve `this` and `super` lexically through the chain like any name.

/// A runtime environment: one per function call, and one per entry into a
/// block that declares `let`/`const`/`class`/function bindings. The slots are
/// tail-allocated (one allocation per environment) and indexed without
/// bounds checks: every index comes from the compiler's slot resolution,
/// which never exceeds the count it allocated.
final class Env: ManagedBuffer<EnvHeader, Value> {
  static func make(parent: Env?, count: Int) -> Env {
    let buffer = Env.create(minimumCapacity: count) { _ in EnvHeader(parent: parent, count: count) }
    let env = unsafeDowncast(buffer, to: Env.self)
    env.withUnsafeMutablePointerToElements { $0.initialize(repeating: .undefined, count: count) }
    return env
  }

  /// A fresh environment with the same parent and a copy of the slots
  /// (per-iteration bindings of `for (let ...)` loops).
  static func copy(_ other: Env) -> Env {
    let count = other.header.count
    let buffer = Env.create(minimumCapacity: count) { _ in EnvHeader(parent: other.header.parent, count: count) }
    let env = unsafeDowncast(buffer, to: Env.self)
    env.withUnsafeMutablePointerToElements { dst in
      other.withUnsafeMutablePointerToElements { src in dst.initialize(from: src, count: count) }
    }
    return env
  }

  deinit {
    withUnsafeMutablePointers { h, e in _ = e.deinitialize(count: h.pointee.count) }
  }

  /// Clears the slots from `first` on to `undefined` (before an environment
  /// is reused; the ones before `first` were never written).
  @inline(__always)
  func reset(from first: Int = 0) {
    withUnsafeMutablePointers { h, e in
      var i = first
      while i < h.pointee.count {
        e[i] = .undefined
        i += 1
      }
    }
  }

  @inline(__always)
  var parent: Env? { header.parent }

  /// The first slot (the elements never move while the environment lives).
  @inline(__always)
  var slots: UnsafeMutablePointer<Value> { withUnsafeMutablePointerToElements { $0 } }

  /// Slot access through addressors: reads and writes go straight to the
  /// slot's memory (no closure, no copy-then-destroy of the new value).
  @inline(__always)
  subscript(_ slot: Int) -> Value {
    unsafeAddress { UnsafePointer(slots + slot) }
    unsafeMutableAddress { slots + slot }
  }

  /// Whether slot `slot` of the environment `depth` levels up holds the
  /// object `id`, read without retaining anything (call-site caches).
  @inline(__always)
  func slotHolds(depth: Int, _ slot: Int, _ id: ObjectIdentifier) -> Bool {
    var e = Unmanaged.passUnretained(self)
    for _ in 0..<depth {
      let parent = e._withUnsafeGuaranteedRef { env in
        env.withUnsafeMutablePointerToHeader { h in h.pointee.parent.map { Unmanaged.passUnretained($0) } }
      }
      guard let p = parent else { return false }
      e = p
    }
    return e._withUnsafeGuaranteedRef { env in
      if case .object(let o) = env.slots[slot] { return ObjectIdentifier(o) == id }
      return false
    }
  }

  /// The object in slot `slot`, unretained: for reads that run no script
  /// code while they use it (so nothing can overwrite the slot meanwhile).
  @inline(__always)
  func objectRef(_ slot: Int) -> Unmanaged<JSObject>? {
    if case .object(let o) = slots[slot] { return Unmanaged.passUnretained(o) }
    return nil
  }

  /// `parent![slot]`, without retaining the parent.
  @inline(__always)
  func parentSlot(_ slot: Int) -> Value {
    withUnsafeMutablePointerToHeader { h in
      Unmanaged.passUnretained(h.pointee.parent!)._withUnsafeGuaranteedRef { $0.slots[slot] }
    }
  }

  /// The environment `depth` levels up.
  @inline(__always)
  func ancestor(_ depth: Int) -> Env {
    var e = self
    for _ in 0..<depth {
      guard let p = e.parent else { return e }
      e = p
    }
    return e
  }
}

struct EnvHeader {
  let parent: Env?
  let count: Int
}

/// The marker stored in a `let`/`const`/`class` slot before its declaration
/// runs (the temporal dead zone), and in `this` before `super(...)`.
let uninitializedMarker = JSObject(prototype: nil)
let uninitialized = Value.object(uninitializedMarker)

@inline(__always)
func isUninitialized(_ v: Value) -> Bool {
  if case .object(let o) = v, o === uninitializedMarker { return true }
  return false
}

/// How a statement finished: control flow without Swift exceptions.
enum Completion {
  case normal
  case breakLoop(String?)
  case continueLoop(String?)
  case returnValue(Value)
}

typealias ExprCode = (Env) throws -> Value
typealias StmtCode = (Env) throws -> Completion

// MARK: - Compile-time scopes

enum BindingKind {
  /// `var`, parameters, function declarations: no TDZ, assignable.
  case variable
  case letBinding
  case constBinding
  /// The hidden slots and `arguments`.
  case hidden

  var isLexical: Bool {
    switch self {
    case .letBinding, .constBinding: return true
    default: return false
    }
  }
}

struct Binding {
  let slot: Int
  let kind: BindingKind
  /// Source offset where the declaration ends (for skipping TDZ checks on
  /// later reads in the same function).
  let declaredAt: Int
}

/// What the compiler knows about the function it is compiling.
final class FunctionInfo {
  let parent: FunctionInfo?
  let isArrow: Bool
  let isAsync: Bool
  let name: String
  var isClassConstructor = false
  var isDerivedConstructor = false
  /// Set when the body refers to `arguments`.
  var argumentsSlot: Int?
  /// Set when the body (or an arrow inside it) reads `this` or `super`:
  /// calls must then fill the `this` slot.
  var usesThis = false
  /// Set when the body (or an arrow inside it) uses `super`: calls must
  /// then fill the callee slot.
  var usesCallee = false
  /// The function's own scope (set right after creation).
  weak var scope: Scope?
  /// True for the program's top level (module, script or REPL entry).
  let isTopLevel: Bool

  init(parent: FunctionInfo?, isArrow: Bool, isAsync: Bool, name: String, isTopLevel: Bool = false) {
    self.parent = parent
    self.isArrow = isArrow
    self.isAsync = isAsync
    self.name = name
    self.isTopLevel = isTopLevel
  }
}

final class Scope {
  let parent: Scope?
  let function: FunctionInfo
  let isFunctionScope: Bool
  /// A `switch` body: reads after a declaration may still be in its TDZ.
  var isSwitch = false
  var names: [String: Binding] = [:]
  var slotCount = 0
  /// True when a closure is created inside this scope (directly or in a
  /// nested block): loops then copy their scope per iteration.
  var containsClosure = false

  /// A block scope without its own runtime environment: its names get slots
  /// in the nearest enclosing scope that has one (used when no closure can
  /// capture them, so one environment per entry or iteration is not needed).
  let isTransparent: Bool

  init(parent: Scope?, function: FunctionInfo, isFunctionScope: Bool, transparent: Bool = false) {
    self.parent = parent
    self.function = function
    self.isFunctionScope = isFunctionScope
    self.isTransparent = transparent && !isFunctionScope && parent != nil
    if isFunctionScope && !function.isArrow {
      slotCount = 3  // this, callee, new.target
    }
  }

  static let thisSlot = 0
  static let calleeSlot = 1
  static let newTargetSlot = 2

  /// The scope whose runtime environment holds this scope's slots.
  var owner: Scope {
    var s = self
    while s.isTransparent, let p = s.parent { s = p }
    return s
  }

  /// A new slot in the owner's environment.
  private func allocateSlot() -> Int {
    let o = owner
    o.slotCount += 1
    return o.slotCount - 1
  }

  @discardableResult
  func declare(_ name: String, _ kind: BindingKind, at offset: Int = 0) -> Binding {
    if let existing = names[name] {
      // `var x` twice, or a function redeclaring a var: the same slot.
      if !kind.isLexical && !existing.kind.isLexical { return existing }
      let b = Binding(slot: existing.slot, kind: kind, declaredAt: offset)
      names[name] = b
      return b
    }
    let b = Binding(slot: allocateSlot(), kind: kind, declaredAt: offset)
    names[name] = b
    return b
  }

  func hiddenSlot() -> Int { allocateSlot() }

  /// The nearest enclosing function scope.
  var functionScope: Scope {
    var s = self
    while !s.isFunctionScope, let p = s.parent { s = p }
    return s
  }

  /// Marks this scope and its ancestors up to the function scope as containing a closure.
  func noteClosure() {
    var s: Scope? = self
    while let sc = s {
      sc.containsClosure = true
      if sc.isFunctionScope { break }
      s = sc.parent
    }
  }
}

enum Resolution {
  case local(depth: Int, binding: Binding, scope: Scope)
  case global(String)
}

extension Scope {
  func resolve(_ name: String) -> Resolution {
    var depth = 0
    var s: Scope? = self
    while let sc = s {
      if let b = sc.names[name] { return .local(depth: depth, binding: b, scope: sc) }
      if !sc.isTransparent { depth += 1 }
      s = sc.parent
    }
    return .global(name)
  }

  /// Depth to the scope of the nearest non-arrow function (for `this`), or nil
  /// at the top level of an arrow-only chain.
  func thisDepth() -> (depth: Int, scope: Scope)? {
    var depth = 0
    var s: Scope? = self
    while let sc = s {
      if sc.isFunctionScope && !sc.function.isArrow { return (depth, sc) }
      if !sc.isTransparent { depth += 1 }
      s = sc.parent
    }
    return nil
  }
}
