// Property access and calls with JS semantics, for the evaluator and for natives.

extension Interpreter {
  /// The object whose properties a value exposes: itself, or the prototype of
  /// its primitive type. Throws for `undefined` and `null`.
  public func propertyHolder(_ value: Value, reading key: String) throws -> JSObject {
    switch value {
    case .object(let o): return o
    case .string: return realm.stringPrototype
    case .number: return realm.numberPrototype
    case .bool: return realm.booleanPrototype
    case .undefined, .null:
      throw ScriptThrow.typeError(
        "Cannot read properties of \(value.isUndefined ? "undefined" : "null") (reading '\(key)')")
    }
  }

  /// `value[key]`, running getters with `this` = `value`.
  public func get(_ value: Value, _ key: String) throws -> Value {
    if case .string(let s) = value {
      if key == "length" { return .number(Double(s.utf16.count)) }
      if let i = arrayIndex(key) {
        let u = Array(s.utf16)
        return Int(i) < u.count ? .string(String(decoding: [u[Int(i)]], as: UTF16.self)) : .undefined
      }
    }
    let holder = try propertyHolder(value, reading: key)
    guard let p = holder.lookup(key) else { return .undefined }
    switch p.slot {
    case .value(let v): return v
    case .accessor(let getter, _):
      guard let g = getter else { return .undefined }
      return try g.call(self, this: value, arguments: [])
    }
  }

  /// `value[key] = newValue`, running setters found on the prototype chain.
  /// Throws a TypeError when the target refuses (frozen, a getter without setter),
  /// as strict-mode code does.
  public func set(_ value: Value, _ key: String, _ newValue: Value) throws {
    guard case .object(let o) = value else {
      if value.isNullish {
        throw ScriptThrow.typeError(
          "Cannot set properties of \(value.isUndefined ? "undefined" : "null") (setting '\(key)')")
      }
      return  // assignments to primitives' properties are ignored
    }
    if let own = o.ownProperty(key), case .value = own.slot {
      if !own.writable || o.isFrozen {
        throw ScriptThrow.typeError("Cannot assign to read only property '\(key)' of object")
      }
      if !o.defineOwn(key, Property(newValue, enumerable: own.enumerable, writable: true, configurable: own.configurable)) {
        throw refusedWrite(o, key, newValue)
      }
      return
    }
    if let p = o.lookup(key), case .accessor(_, let setter) = p.slot {
      guard let s = setter else {
        throw ScriptThrow.typeError("Cannot set property \(key) of \(o.className) which has only a getter")
      }
      _ = try s.call(self, this: value, arguments: [newValue])
      return
    }
    if !o.defineOwn(key, Property(newValue)) {
      throw refusedWrite(o, key, newValue)
    }
  }

  /// The error for a write `defineOwn` refused: an array's length that is no valid length
  /// (V8's RangeError), growth past what tl's dense arrays take in one step, or an object
  /// that takes no new properties.
  private func refusedWrite(_ o: JSObject, _ key: String, _ newValue: Value) -> ScriptThrow {
    if let array = o as? JSArray, !array.isFrozen {
      if key == "length" {
        if case .number(let d) = newValue, d >= 0, d == d.rounded(), d < 4_294_967_296 {
          return .rangeError(
            "Invalid array length: \(Int(d)) (tl's arrays are dense and grow by at most "
              + "10000000 elements at a time; this one has \(array.elements.count))")
        }
        return .rangeError("Invalid array length")
      }
      if let index = arrayIndex(key) {
        return .rangeError(
          "Invalid array length: \(Int(index) + 1) (tl's arrays are dense and grow by at most "
            + "10000000 elements at a time; this one has \(array.elements.count))")
      }
    }
    return .typeError("Cannot add property \(key), object is not extensible")
  }

  /// Calls `callee` with `this` and `arguments`; a TypeError when it is not callable.
  public func call(_ callee: Value, this: Value, _ arguments: [Value]) throws -> Value {
    guard case .object(let o) = callee, let f = o as? JSFunction else {
      throw ScriptThrow.typeError("\(Arguments.describeKind(callee)) is not a function")
    }
    return try f.call(self, this: this, arguments: arguments)
  }

  /// `new callee(...arguments)`.
  public func construct(_ callee: Value, _ arguments: [Value]) throws -> Value {
    guard case .object(let o) = callee, let f = o as? JSFunction, f.isConstructor else {
      throw ScriptThrow.typeError("\(Arguments.describeKind(callee)) is not a constructor")
    }
    return try f.construct(self, arguments: arguments, newTarget: f)
  }
}
