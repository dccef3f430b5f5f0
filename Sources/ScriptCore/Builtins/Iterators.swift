// Iterator objects and the push-style iteration helpers the builtins use
// (Map and Set constructors, Array.from, Object.fromEntries). What counts as
// iterable is decided by `Interpreter.makeIterator` (Runtime/Iteration.swift).

/// A native iterator: `next()` asks a Swift closure for the next value.
/// `kind` is what inspect shows (`Array Iterator`, `Map Iterator`).
public final class IteratorObject: JSObject {
  /// Node's display name for this iterator (`Array Iterator`).
  public let kind: String
  private var step: (() throws -> Value?)?

  /// An iterator whose values come from `next` until it returns nil.
  public init(prototype: JSObject?, kind: String, next: @escaping () throws -> Value?) {
    self.kind = kind
    self.step = next
    super.init(prototype: prototype)
  }

  public override var className: String { kind }

  /// The next value, or nil once exhausted (then always nil).
  public func nextValue() throws -> Value? {
    guard let s = step else { return nil }
    if let v = try s() { return v }
    step = nil
    return nil
  }
}

extension Realm {
  /// A native iterator object over Swift-produced values.
  public func newIterator(kind: String, _ next: @escaping () throws -> Value?) -> IteratorObject {
    IteratorObject(prototype: iteratorPrototype, kind: kind, next: next)
  }

  /// An iterator over a snapshot-free view of an array (sees pushes during iteration).
  func arrayIterator(_ array: JSArray, _ map: @escaping (Int, Value) -> Value) -> IteratorObject {
    var i = 0
    return newIterator(kind: "Array Iterator") {
      guard i < array.elements.count else { return nil }
      defer { i += 1 }
      return map(i, array.elements[i])
    }
  }
}

extension Interpreter {
  /// Runs `body` for each value `iterable` produces; `body` returns false to stop.
  /// Throws `x is not iterable` for anything else.
  public func iterate(_ iterable: Value, _ body: (Value) throws -> Bool) throws {
    if case .object(let o) = iterable, let a = o as? JSArray {
      var i = 0
      while i < a.elements.count {
        // Native bodies never reach a script call's interrupt check: poll for Ctrl-C here.
        if i & (interruptCheckInterval - 1) == interruptCheckInterval - 1 { try checkInterrupt() }
        if try !body(a.elements[i]) { return }
        i += 1
      }
      return
    }
    let next = try makeIterator(iterable)
    var count = 0
    while let v = try next() {
      count &+= 1
      if count & (interruptCheckInterval - 1) == 0 { try checkInterrupt() }
      if try !body(v) { return }
    }
  }

  /// All values an iterable produces.
  public func collect(_ iterable: Value) throws -> [Value] {
    if case .object(let o) = iterable, let a = o as? JSArray { return a.elements }
    var out: [Value] = []
    try iterate(iterable) { out.append($0); return true }
    return out
  }
}

extension Builtins {
  static func installIterators(_ realm: Realm) {
    realm.install(iteratorMethods, into: realm.iteratorPrototype)
  }

  static let iteratorMethods: [NativeEntry] = [
    .function("next", arity: 0) { call in
      guard case .object(let o) = call.this, let it = o as? IteratorObject else {
        throw ScriptThrow.typeError("next method called on incompatible receiver")
      }
      if let v = try it.nextValue() { return call.interpreter.realm.iteratorResult(v, done: false) }
      return call.interpreter.realm.iteratorResult(.undefined, done: true)
    },
    .function("toArray", arity: 0) { call in
      .object(call.interpreter.realm.newArray(try call.interpreter.collect(call.this)))
    },
  ]
}
