// The iteration protocol, Swift side: `for...of`, spread, destructuring,
// `Array.from`, `Promise.all` all go through `makeIterator`/`iterate`.
// There are no Symbols: natives expose iteration by returning an
// `IteratorObject` (Builtins/Iterators.swift), host objects by overriding
// `JSObject.makeIterator`. `iterate`/`collect` (the push-style helpers the
// builtins use) live in Builtins/Iterators.swift.

extension Interpreter {
  /// A Swift iterator over any iterable value: arrays (live, as JS), strings
  /// (by code point), natively iterable objects, and script objects with a
  /// `next()` method. Throws `x is not iterable` otherwise.
  public func makeIterator(_ value: Value) throws -> () throws -> Value? {
    try makeIterator(value, description: nil)
  }

  /// `description` names the expression in V8's message (`xs is not iterable`).
  func makeIterator(_ value: Value, description: String?) throws -> () throws -> Value? {
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
      if let it = o as? IteratorObject { return { try it.nextValue() } }
      if let m = o as? JSMap {
        var cursor = 0
        return { [realm] in m.table.next(&cursor).map { .object(realm.newArray([$0.0, $0.1])) } }
      }
      if let s = o as? JSSet {
        var cursor = 0
        return { s.table.next(&cursor).map { $0.0 } }
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
    let symbolNote = " (cannot read property Symbol(Symbol.iterator))"
    switch value {
    case .undefined, .null:
      throw ScriptThrow.typeError("\(value.isUndefined ? "undefined" : "null") is not iterable" + symbolNote)
    case .object(let o):
      if let d = description { throw ScriptThrow.typeError("\(d) is not iterable") }
      throw ScriptThrow.typeError("\(o is JSFunction ? "function" : "object") is not iterable" + symbolNote)
    default:
      if let d = description { throw ScriptThrow.typeError("\(d) is not iterable") }
      let shown = (try? toString(value)).map { "\(value.typeName) \($0)" } ?? value.typeName
      throw ScriptThrow.typeError(shown + " is not iterable" + symbolNote)
    }
  }
}
