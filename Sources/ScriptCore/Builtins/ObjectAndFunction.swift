// Object (constructor, reflection helpers, Object.prototype) and
// Function.prototype (call, apply, bind, toString).

/// The result of `f.bind(thisArg, ...args)`.
public final class BoundFunction: JSFunction {
  public let target: JSFunction
  public let boundThis: Value
  public let boundArguments: [Value]

  /// How many `bind`s lead here from the original function (`name` has that many "bound ").
  let bindings: Int

  init(prototype: JSObject?, target: JSFunction, this: Value, arguments: [Value]) {
    // Binding a bound function binds its target instead (the outer `this` is never seen):
    // a chain of 10^5 binds stays one call deep, and the names stay short in memory.
    if let inner = target as? BoundFunction {
      self.target = inner.target
      self.boundThis = inner.boundThis
      self.boundArguments = inner.boundArguments + arguments
      self.bindings = inner.bindings + 1
    } else {
      self.target = target
      self.boundThis = this
      self.boundArguments = arguments
      self.bindings = 1
    }
    super.init(prototype: prototype, name: "bound " + self.target.name)
  }

  public override func ownProperty(_ key: String) -> Property? {
    if let p = storage.find(key) { return p }
    if key == "name" {
      let full = bindings == 1 ? name : String(repeating: "bound ", count: bindings) + target.name
      return Property(.string(full), enumerable: false, writable: false)
    }
    return nil
  }

  public override func call(_ interpreter: Interpreter, this: Value, arguments: [Value]) throws -> Value {
    try target.call(interpreter, this: boundThis, arguments: boundArguments + arguments)
  }

  public override func construct(_ interpreter: Interpreter, arguments: [Value], newTarget: JSObject) throws -> Value {
    try target.construct(interpreter, arguments: boundArguments + arguments, newTarget: newTarget === self ? target : newTarget)
  }

  public override var isConstructor: Bool { target.isConstructor }
}

extension Builtins {
  static func installObject(_ realm: Realm) {
    let ctor = realm.defineConstructor(
      "Object", arity: 1, prototype: realm.objectPrototype,
      call: { call in try objectFrom(call.interpreter, call.arguments[0]) },
      construct: { interp, args, newTarget in
        if newTarget.getDataValue("prototype").asObject !== interp.realm.objectPrototype {
          return .object(JSObject(prototype: interp.realm.prototype(for: newTarget, default: interp.realm.objectPrototype)))
        }
        return try objectFrom(interp, args[0])
      })
    realm.install(objectStatics, into: ctor, prefix: "Object.")
    realm.install(objectMethods, into: realm.objectPrototype, prefix: "Object.prototype.")
    realm.install([
      .function("structuredClone", arity: 1) { call in
        var memo: [ObjectIdentifier: JSObject] = [:]
        return try structuredCloneValue(call.interpreter, call.arguments[0], &memo)
      }
    ], into: realm.globalObject)
  }

  /// The structured-clone algorithm for the types scripts hold: plain objects
  /// (prototype dropped), arrays, Map, Set, Date, RegExp and boxed primitives,
  /// preserving shared references and cycles. Functions and host objects throw.
  static func structuredCloneValue(_ interp: Interpreter, _ v: Value, _ memo: inout [ObjectIdentifier: JSObject]) throws -> Value {
    guard case .object(let o) = v else { return v }
    if let done = memo[ObjectIdentifier(o)] { return .object(done) }
    let realm = interp.realm
    func remember(_ copy: JSObject) { memo[ObjectIdentifier(o)] = copy }
    switch o {
    case let a as JSArray:
      let copy = realm.newArray()
      remember(copy)
      for e in a.elements { copy.elements.append(try structuredCloneValue(interp, e, &memo)) }
      return .object(copy)
    case let m as JSMap:
      let copy = JSMap(prototype: realm.mapPrototype)
      remember(copy)
      for (k, x) in m.table.liveEntries {
        copy.table.set(try structuredCloneValue(interp, k, &memo), try structuredCloneValue(interp, x, &memo))
      }
      return .object(copy)
    case let st as JSSet:
      let copy = JSSet(prototype: realm.setPrototype)
      remember(copy)
      for (k, _) in st.table.liveEntries {
        let c = try structuredCloneValue(interp, k, &memo)
        copy.table.set(c, c)
      }
      return .object(copy)
    case let d as JSDate:
      let copy = JSDate(prototype: d.prototype, time: d.time)
      remember(copy)
      return .object(copy)
    case let r as JSRegExp:
      let copy = try JSRegExp(prototype: r.prototype, source: r.source, flags: r.flags)
      remember(copy)
      return .object(copy)
    case let w as JSPrimitiveObject:
      let copy = JSPrimitiveObject(prototype: w.prototype, primitive: w.primitive)
      remember(copy)
      return .object(copy)
    case let f as JSFunction:
      throw ScriptThrow.plain("\(f.sourceText ?? interp.inspect(v, colors: false)) could not be cloned.")
    default:
      let plain = type(of: o) == JSObject.self || Inspector(interpreter: interp, colors: false).isError(o)
      guard plain else { throw ScriptThrow.plain("#<\(o.className)> could not be cloned.") }
      let copy = realm.newObject()
      remember(copy)
      for k in interp.enumerableOwnKeys(o) {
        copy.put(k, try structuredCloneValue(interp, try interp.get(v, k), &memo))
      }
      return .object(copy)
    }
  }

  static func installFunction(_ realm: Realm) {
    realm.defineConstructor(
      "Function", arity: 1, prototype: realm.functionPrototype,
      call: { _ in throw ScriptThrow.error(.evalError, "Code generation from strings is not supported") },
      construct: { _, _, _ in throw ScriptThrow.error(.evalError, "Code generation from strings is not supported") })
    realm.install(functionMethods, into: realm.functionPrototype, prefix: "Function.prototype.")
  }

  private static func objectFrom(_ interp: Interpreter, _ v: Value) throws -> Value {
    switch v {
    case .undefined, .null: return .object(interp.realm.newObject())
    case .object: return v
    case .number:
      return .object(JSPrimitiveObject(prototype: interp.realm.numberPrototype, primitive: v))
    case .string:
      return .object(JSPrimitiveObject(prototype: interp.realm.stringPrototype, primitive: v))
    case .bool:
      return .object(JSPrimitiveObject(prototype: interp.realm.booleanPrototype, primitive: v))
    }
  }

  /// `Object.prototype.toString`'s tag (`[object Array]`).
  static func toStringTag(_ interp: Interpreter, _ v: Value) -> String {
    switch v {
    case .undefined: return "[object Undefined]"
    case .null: return "[object Null]"
    case .number: return "[object Number]"
    case .string: return "[object String]"
    case .bool: return "[object Boolean]"
    case .object(let o):
      if o is JSArray { return "[object Array]" }
      if o is JSFunction { return "[object Function]" }
      if o is JSMap { return "[object Map]" }
      if o is JSSet { return "[object Set]" }
      if o is JSDate { return "[object Date]" }
      if o is JSRegExp { return "[object RegExp]" }
      if let t = o as? TaggedNamespace { return "[object \(t.tag)]" }
      if o is PromiseObject { return "[object Promise]" }
      if let w = o as? JSPrimitiveObject { return "[object \(w.className)]" }
      if Inspector(interpreter: interp, colors: false).isError(o) { return "[object Error]" }
      if o is IteratorObject { return "[object \(o.className)]" }
      return "[object Object]"
    }
  }

  /// Reads a property descriptor object (`{value, writable, get, ...}`).
  private static func toPropertyDescriptor(_ interp: Interpreter, _ d: Value, existing: Property?) throws -> Property {
    guard case .object(let desc) = d else {
      throw ScriptThrow.typeError("Property description must be an object: \(try interp.toString(d))")
    }
    func flag(_ name: String, _ fallback: Bool) throws -> Bool {
      desc.hasProperty(name) ? try interp.get(d, name).isTruthy : fallback
    }
    let enumerable = try flag("enumerable", existing?.enumerable ?? false)
    let configurable = try flag("configurable", existing?.configurable ?? false)
    if desc.hasProperty("get") || desc.hasProperty("set") {
      let g = try interp.get(d, "get")
      let s = try interp.get(d, "set")
      if !g.isUndefined && !(g.asObject is JSFunction) {
        throw ScriptThrow.typeError("Getter must be a function: \(interp.inspect(g, colors: false))")
      }
      if !s.isUndefined && !(s.asObject is JSFunction) {
        throw ScriptThrow.typeError("Setter must be a function: \(interp.inspect(s, colors: false))")
      }
      var p = Property(getter: g.asObject as? JSFunction, setter: s.asObject as? JSFunction, enumerable: enumerable)
      p.configurable = configurable
      return p
    }
    var value = Value.undefined
    if case .value(let v)? = existing?.slot { value = v }
    if desc.hasProperty("value") { value = try interp.get(d, "value") }
    return Property(value, enumerable: enumerable, writable: try flag("writable", existing?.writable ?? false), configurable: configurable)
  }

  static let objectStatics: [NativeEntry] = [
    .function("assign", arity: 2) { call in
      let interp = call.interpreter
      let target = try interp.toObject(call.arguments[0], "assign")
      for source in call.arguments.values.dropFirst() {
        guard case .object(let s) = source else { continue }
        for k in interp.enumerableOwnKeys(s) { try interp.set(.object(target), k, try interp.get(source, k)) }
      }
      return .object(target)
    },
    .function("create", arity: 2) { call in
      let interp = call.interpreter
      let proto: JSObject?
      switch call.arguments[0] {
      case .object(let o): proto = o
      case .null: proto = nil
      default:
        throw ScriptThrow.typeError("Object prototype may only be an Object or null: \(try interp.toString(call.arguments[0]))")
      }
      let o = JSObject(prototype: proto)
      if case .object(let props) = call.arguments[1] {
        for k in interp.enumerableOwnKeys(props) {
          o.defineOwn(k, try toPropertyDescriptor(interp, try interp.get(call.arguments[1], k), existing: nil))
        }
      }
      return .object(o)
    },
    .function("defineProperties", arity: 2) { call in
      let interp = call.interpreter
      let o = try call.arguments.object(0, name: "object")
      let props = try interp.toObject(call.arguments[1], "defineProperties")
      for k in interp.enumerableOwnKeys(props) {
        let p = try toPropertyDescriptor(interp, try interp.get(.object(props), k), existing: o.ownProperty(k))
        if !o.defineOwn(k, p) { throw ScriptThrow.typeError("Cannot redefine property: \(k)") }
      }
      return .object(o)
    },
    .function("defineProperty", arity: 3) { call in
      let interp = call.interpreter
      guard case .object(let o) = call.arguments[0] else {
        throw ScriptThrow.typeError("Object.defineProperty called on non-object")
      }
      let key = try interp.toPropertyKey(call.arguments[1])
      let p = try toPropertyDescriptor(interp, call.arguments[2], existing: o.ownProperty(key))
      if !o.defineOwn(key, p) { throw ScriptThrow.typeError("Cannot redefine property: \(key)") }
      return call.arguments[0]
    },
    .function("entries", arity: 1) { call in
      let interp = call.interpreter
      let o = try interp.toObject(call.arguments[0], "entries")
      let pairs: [Value] = try interp.enumerableOwnKeys(o).map {
        .object(interp.realm.newArray([.string($0), try interp.get(.object(o), $0)]))
      }
      return .object(interp.realm.newArray(pairs))
    },
    .function("freeze", arity: 1) { call in
      if case .object(let o) = call.arguments[0] {
        o.isFrozen = true
        o.isExtensible = false
      }
      return call.arguments[0]
    },
    .function("fromEntries", arity: 1) { call in
      let interp = call.interpreter
      let o = interp.realm.newObject()
      try interp.iterate(call.arguments[0]) { entry in
        guard case .object = entry else {
          throw ScriptThrow.typeError("Iterator value \(try interp.toString(entry)) is not an entry object")
        }
        o.defineOwn(try interp.toPropertyKey(interp.get(entry, "0")), Property(try interp.get(entry, "1")))
        return true
      }
      return .object(o)
    },
    .function("getOwnPropertyDescriptor", arity: 2) { call in
      let interp = call.interpreter
      let o = try interp.toObject(call.arguments[0], "getOwnPropertyDescriptor")
      guard let p = o.ownProperty(try interp.toPropertyKey(call.arguments[1])) else { return .undefined }
      let d = interp.realm.newObject()
      switch p.slot {
      case .value(let v):
        d.put("value", v)
        d.put("writable", .bool(p.writable))
      case .accessor(let g, let s):
        d.put("get", g.map { .object($0) } ?? .undefined)
        d.put("set", s.map { .object($0) } ?? .undefined)
      }
      d.put("enumerable", .bool(p.enumerable))
      d.put("configurable", .bool(p.configurable))
      return .object(d)
    },
    .function("getOwnPropertyNames", arity: 1) { call in
      let o = try call.interpreter.toObject(call.arguments[0], "getOwnPropertyNames")
      return .object(call.interpreter.realm.newArray(o.ownKeys().map { .string($0) }))
    },
    .function("getPrototypeOf", arity: 1) { call in
      let v = call.arguments[0]
      if v.isNullish { throw ScriptThrow.typeError("Cannot convert undefined or null to object") }
      if case .object(let o) = v { return o.prototype.map { .object($0) } ?? .null }
      return .object(try call.interpreter.propertyHolder(v, reading: "__proto__"))
    },
    .function("is", arity: 2) { call in
      let a = call.arguments[0]
      let b = call.arguments[1]
      if case .number(let x) = a, case .number(let y) = b {
        if x.isNaN && y.isNaN { return true }
        return .bool(x == y && x.sign == y.sign)
      }
      return .bool(strictEquals(a, b))
    },
    .function("isExtensible", arity: 1) { call in
      guard case .object(let o) = call.arguments[0] else { return false }
      return .bool(o.isExtensible && !o.isFrozen)
    },
    .function("isFrozen", arity: 1) { call in
      guard case .object(let o) = call.arguments[0] else { return true }
      if o.isFrozen { return true }
      if o.isExtensible { return false }
      return .bool(o.ownKeys().allSatisfy { k in
        guard let p = o.ownProperty(k) else { return true }
        if case .value = p.slot, p.writable { return false }
        return !p.configurable
      })
    },
    .function("keys", arity: 1) { call in
      let o = try call.interpreter.toObject(call.arguments[0], "keys")
      return .object(call.interpreter.realm.newArray(call.interpreter.enumerableOwnKeys(o).map { .string($0) }))
    },
    .function("preventExtensions", arity: 1) { call in
      if case .object(let o) = call.arguments[0] { o.isExtensible = false }
      return call.arguments[0]
    },
    .function("seal", arity: 1) { call in
      if case .object(let o) = call.arguments[0] {
        o.isExtensible = false
        for k in o.storage.keys {
          if var p = o.storage.find(k) {
            p.configurable = false
            o.storage.set(k, p)
          }
        }
      }
      return call.arguments[0]
    },
    .function("setPrototypeOf", arity: 2) { call in
      guard case .object(let o) = call.arguments[0] else { return call.arguments[0] }
      switch call.arguments[1] {
      case .object(let p):
        var q: JSObject? = p
        while let x = q {
          if x === o { throw ScriptThrow.typeError("Cyclic __proto__ value") }
          q = x.prototype
        }
        o.prototype = p
      case .null: o.prototype = nil
      default:
        throw ScriptThrow.typeError("Object prototype may only be an Object or null: \(try call.interpreter.toString(call.arguments[1]))")
      }
      return call.arguments[0]
    },
    .function("values", arity: 1) { call in
      let interp = call.interpreter
      let o = try interp.toObject(call.arguments[0], "values")
      return .object(interp.realm.newArray(try interp.enumerableOwnKeys(o).map { try interp.get(.object(o), $0) }))
    },
  ]

  static let objectMethods: [NativeEntry] = [
    .function("hasOwnProperty", arity: 1) { call in
      let key = try call.interpreter.toPropertyKey(call.arguments[0])
      if case .string(let s) = call.this {
        if key == "length" { return true }
        if let i = arrayIndex(key) { return .bool(Int(i) < s.utf16.count) }
        return false
      }
      let o = try call.interpreter.toObject(call.this, "hasOwnProperty")
      return .bool(o.ownProperty(key) != nil)
    },
    .function("isPrototypeOf", arity: 1) { call in
      guard case .object(let me) = call.this, case .object(let o) = call.arguments[0] else { return false }
      var p = o.prototype
      while let x = p {
        if x === me { return true }
        p = x.prototype
      }
      return false
    },
    .function("propertyIsEnumerable", arity: 1) { call in
      guard case .object(let o) = call.this else { return false }
      return .bool(o.ownProperty(try call.interpreter.toPropertyKey(call.arguments[0]))?.enumerable == true)
    },
    .function("toLocaleString", arity: 0) { call in
      .string(try call.interpreter.toString(call.this))
    },
    .function("toString", arity: 0) { call in .string(toStringTag(call.interpreter, call.this)) },
    .function("valueOf", arity: 0) { call in
      if call.this.isNullish { throw ScriptThrow.typeError("Cannot convert undefined or null to object") }
      return call.this
    },
  ]

  private static func thisFunction(_ call: NativeCall, _ method: String) throws -> JSFunction {
    if case .object(let o) = call.this, let f = o as? JSFunction { return f }
    throw ScriptThrow.typeError("Function.prototype.\(method) called on a value that is not a function")
  }

  static let functionMethods: [NativeEntry] = [
    .function("apply", arity: 2) { call in
      let f = try thisFunction(call, "apply")
      var args: [Value] = []
      switch call.arguments[1] {
      case .undefined, .null: break
      case .object(let o):
        if let a = o as? JSArray {
          args = a.elements
        } else {
          let n = try call.interpreter.toInteger(call.interpreter.get(call.arguments[1], "length"))
          var i = 0
          while Double(i) < n && i < 10_000_000 {
            args.append(try call.interpreter.get(call.arguments[1], String(i)))
            i += 1
          }
        }
      default: throw ScriptThrow.typeError("CreateListFromArrayLike called on non-object")
      }
      return try f.call(call.interpreter, this: call.arguments[0], arguments: args)
    },
    .function("bind", arity: 1) { call in
      let f = try thisFunction(call, "bind")
      return .object(BoundFunction(
        prototype: f.prototype, target: f, this: call.arguments[0],
        arguments: Array(call.arguments.values.dropFirst())))
    },
    .function("call", arity: 1) { call in
      let f = try thisFunction(call, "call")
      return try f.call(call.interpreter, this: call.arguments[0], arguments: Array(call.arguments.values.dropFirst()))
    },
    .function("toString", arity: 0) { call in
      let f = try thisFunction(call, "toString")
      if let source = f.sourceText { return .string(source) }
      return .string("function \(f.name)() { [native code] }")
    },
  ]
}
