// WeakMap and WeakSet: object-keyed tables. Entries are held strongly (there
// is no garbage collector to observe), which scripts cannot tell apart
// except through memory use; keys must be objects, as in JS.

/// A `WeakMap` or `WeakSet` instance.
final class JSWeakCollection: JSObject {
  var table = OrderedTable()
  let isMap: Bool

  init(prototype: JSObject?, isMap: Bool) {
    self.isMap = isMap
    super.init(prototype: prototype)
  }

  override var className: String { isMap ? "WeakMap" : "WeakSet" }
}

extension Builtins {
  static func installWeakCollections(_ realm: Realm) {
    for isMap in [true, false] {
      let name = isMap ? "WeakMap" : "WeakSet"
      let proto = realm.newObject()
      realm.defineConstructor(
        name, arity: 0, prototype: proto,
        call: { _ in throw ScriptThrow.typeError("Constructor \(name) requires 'new'") },
        construct: { interp, args, newTarget in
          let c = JSWeakCollection(prototype: interp.realm.prototype(for: newTarget, default: proto), isMap: isMap)
          if !args[0].isNullish {
            try interp.iterate(args[0]) { entry in
              if isMap {
                guard case .object = entry else {
                  throw ScriptThrow.typeError("Iterator value \(try interp.toString(entry)) is not an entry object")
                }
                try c.table.set(weakKey(try interp.get(entry, "0"), isMap), try interp.get(entry, "1"))
              } else {
                try c.table.set(weakKey(entry, isMap), entry)
              }
              return true
            }
          }
          return .object(c)
        })
      realm.install(isMap ? weakMapMethods : weakSetMethods, into: proto, prefix: name + ".prototype.")
    }
  }

  private static func weakKey(_ v: Value, _ isMap: Bool) throws -> Value {
    guard case .object = v else {
      throw ScriptThrow.typeError("Invalid value used \(isMap ? "as weak map key" : "in weak set")")
    }
    return v
  }

  private static func thisWeak(_ call: NativeCall, _ isMap: Bool, _ method: String) throws -> JSWeakCollection {
    if case .object(let o as JSWeakCollection) = call.this, o.isMap == isMap { return o }
    let name = isMap ? "WeakMap" : "WeakSet"
    throw ScriptThrow.typeError("Method \(name).prototype.\(method) called on incompatible receiver \(Arguments.describeKind(call.this))")
  }

  static let weakMapMethods: [NativeEntry] = [
    .function("delete", arity: 1) { call in .bool(try thisWeak(call, true, "delete").table.delete(call.arguments[0])) },
    .function("get", arity: 1) { call in try thisWeak(call, true, "get").table.get(call.arguments[0]) ?? .undefined },
    .function("has", arity: 1) { call in .bool(try thisWeak(call, true, "has").table.has(call.arguments[0])) },
    .function("set", arity: 2) { call in
      let c = try thisWeak(call, true, "set")
      c.table.compactIfSparse(iterating: false)
      c.table.set(try weakKey(call.arguments[0], true), call.arguments[1])
      return call.this
    },
  ]

  static let weakSetMethods: [NativeEntry] = [
    .function("add", arity: 1) { call in
      let c = try thisWeak(call, false, "add")
      c.table.compactIfSparse(iterating: false)
      c.table.set(try weakKey(call.arguments[0], false), call.arguments[0])
      return call.this
    },
    .function("delete", arity: 1) { call in .bool(try thisWeak(call, false, "delete").table.delete(call.arguments[0])) },
    .function("has", arity: 1) { call in .bool(try thisWeak(call, false, "has").table.has(call.arguments[0])) },
  ]
}
