// The iteration protocol, Swift side: `for...of`, spread, destructuring,
// `Array.from`, `Promise.all` all go through `makeIterator`/`iterate`.
// There are no Symbols: natives expose iteration by overriding
// `JSObject.makeIterator`, or by returning an `IteratorObject`.

/// An iterator backed by a Swift closure (`map.entries()`, `arr.keys()`...).
/// Scripts see an object with `next()` returning `{ value, done }`, and it is
/// itself iterable.
public final class IteratorObject: JSObject {
  let nextValue: () throws -> Value?
  /// `Array Iterator`, `Map Iterator`... for inspection.
  public let kind: String

  /// `next` returns the next value, or nil when done.
  public init(prototype: JSObject?, kind: String = "Iterator", next: @escaping () throws -> Value?) {
    self.nextValue = next
    self.kind = kind
    super.init(prototype: prototype)
  }

  public override var className: String { kind }

  public override func makeIterator(_ interpreter: Interpreter) -> (() throws -> Value?)? {
    nextValue
  }
}

extension Interpreter {
  /// A new iterator object over a Swift sequence source.
  public func newIterator(kind: String = "Iterator", _ next: @escaping () throws -> Value?) -> IteratorObject {
    IteratorObject(prototype: realm.iteratorPrototype, kind: kind, next: next)
  }

  /// A Swift iterator over any iterable value: arrays (live, as JS), strings
  /// (by code point), natively iterable objects, and script objects with a
  /// `next()` method. Throws `x is not iterable` otherwise.
  public func makeIterator(_ value: Value) throws -> () throws -> Value? {
    switch value {
    case .object(let o):
      if let a = o as? JSArray {
        var i = 0
        return {
          guard i < a.elements.count else { return nil }
          defer { i += 1 }
          return a.elements[i]
        }
      }
      if let it = o.makeIterator(self) { return it }
      let next = try get(value, "next")
      if case .object(let nf) = next, let f = nf as? JSFunction {
        return { [unowned self] in
          let r = try f.call(self, this: value, arguments: [])
          guard case .object = r else {
            throw ScriptThrow.typeError("Iterator result \(displayString(r)) is not an object")
          }
          if try get(r, "done").isTruthy { return nil }
          return try get(r, "value")
        }
      }
      let iterable = try get(value, "@@iterator")
      if case .object(let fo) = iterable, let f = fo as? JSFunction {
        return try makeIterator(f.call(self, this: value, arguments: []))
      }
    case .string(let s):
      var it = s.unicodeScalars.makeIterator()
      return { it.next().map { .string(String($0)) } }
    default:
      break
    }
    throw ScriptThrow.typeError("\(iterableDescription(value)) is not iterable")
  }

  private func iterableDescription(_ v: Value) -> String {
    switch v {
    case .undefined: return "undefined"
    case .null: return "null"
    case .object(let o) where o is JSFunction: return "function"
    case .object: return "object"
    default: return (try? toString(v)).map { "\(v.typeName) \($0)" } ?? v.typeName
    }
  }

  /// Calls `body` with each item; stop early by returning false.
  public func iterate(_ value: Value, _ body: (Value) throws -> Bool) throws {
    let next = try makeIterator(value)
    while let v = try next() {
      if try !body(v) { return }
    }
  }

  /// All items of an iterable.
  public func collect(_ value: Value) throws -> [Value] {
    if case .object(let o) = value, let a = o as? JSArray { return a.elements }
    var out: [Value] = []
    try iterate(value) { out.append($0); return true }
    return out
  }

  func installIteratorPrototype() {
    realm.install([
      .function("next", arity: 0) { [unowned self] call in
        guard case .object(let o) = call.this, let it = o as? IteratorObject else {
          throw ScriptThrow.typeError("next method called on incompatible receiver")
        }
        let result = realm.newObject()
        if let v = try it.nextValue() {
          result.put("value", v)
          result.put("done", .false)
        } else {
          result.put("value", .undefined)
          result.put("done", .true)
        }
        return .object(result)
      },
    ], into: realm.iteratorPrototype)
  }
}
