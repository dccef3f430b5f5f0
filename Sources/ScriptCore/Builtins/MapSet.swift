// Map and Set: insertion-ordered collections keyed by SameValueZero.
// Deleted entries leave a hole so live iterators keep their place (deleting
// while iterating is common); the table compacts only when adding to a table
// whose holes outnumber its entries, outside `forEach`.

/// A hashable form of a `Value` under SameValueZero (`NaN` equals `NaN`, `-0` equals `0`).
enum CollectionKey: Hashable {
  case undefined, null
  case bool(Bool)
  case number(UInt64)
  case string(String)
  case object(ObjectIdentifier)

  init(_ v: Value) {
    switch v {
    case .undefined: self = .undefined
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .number(let n):
      if n.isNaN { self = .number(Double.nan.bitPattern) } else { self = .number((n == 0 ? 0 : n).bitPattern) }
    case .string(let s): self = .string(s)
    case .object(let o): self = .object(ObjectIdentifier(o))
    }
  }
}

/// Ordered key/value storage shared by Map and Set.
public struct OrderedTable {
  private var entries: [(key: Value, value: Value)?] = []
  private var index: [CollectionKey: Int] = [:]
  private var holes = 0

  /// The number of live entries (`size`).
  public var count: Int { index.count }

  public func get(_ key: Value) -> Value? {
    guard let i = index[CollectionKey(key)], let e = entries[i] else { return nil }
    return e.value
  }

  public func has(_ key: Value) -> Bool { index[CollectionKey(key)] != nil }

  public mutating func set(_ key: Value, _ value: Value) {
    let k = CollectionKey(key)
    if let i = index[k] {
      entries[i]?.value = value
      return
    }
    // Keys are stored normalised: `-0` becomes `0`, as in JS.
    var stored = key
    if case .number(let n) = key, n == 0 { stored = .number(0) }
    index[k] = entries.count
    entries.append((stored, value))
  }

  @discardableResult
  public mutating func delete(_ key: Value) -> Bool {
    guard let i = index.removeValue(forKey: CollectionKey(key)) else { return false }
    entries[i] = nil
    holes += 1
    return true
  }

  /// Removes every entry. Live iterators see the end.
  public mutating func clear() {
    for i in entries.indices { entries[i] = nil }
    holes = entries.count
    index.removeAll()
  }

  /// The entry at or after `cursor`, advancing it; nil at the end.
  public func next(_ cursor: inout Int) -> (Value, Value)? {
    while cursor < entries.count {
      defer { cursor += 1 }
      if let e = entries[cursor] { return (e.key, e.value) }
    }
    return nil
  }

  /// The live entries in insertion order.
  public var liveEntries: [(Value, Value)] {
    entries.compactMap { $0.map { ($0.key, $0.value) } }
  }

  /// Drops holes when they dominate; only safe when no iterator is mid-way.
  mutating func compactIfSparse(iterating: Bool) {
    guard !iterating, holes > 32, holes > index.count else { return }
    entries = entries.filter { $0 != nil }
    index.removeAll(keepingCapacity: true)
    for (i, e) in entries.enumerated() { if let e { index[CollectionKey(e.key)] = i } }
    holes = 0
  }
}

/// A `Map` instance.
public final class JSMap: JSObject {
  public var table = OrderedTable()
  var activeIterators = 0
  public override var className: String { "Map" }
}

/// A `Set` instance (values stored as keys).
public final class JSSet: JSObject {
  public var table = OrderedTable()
  var activeIterators = 0
  public override var className: String { "Set" }
}

extension Builtins {
  static func installMapAndSet(_ realm: Realm) {
    realm.defineConstructor(
      "Map", arity: 0, prototype: realm.mapPrototype,
      call: { _ in throw ScriptThrow.typeError("Constructor Map requires 'new'") },
      construct: { interp, args, newTarget in
        let m = JSMap(prototype: interp.realm.prototype(for: newTarget, default: interp.realm.mapPrototype))
        if !args[0].isNullish {
          try interp.iterate(args[0]) { entry in
            guard case .object = entry else {
              throw ScriptThrow.typeError("Iterator value \(try interp.toString(entry)) is not an entry object")
            }
            m.table.set(try interp.get(entry, "0"), try interp.get(entry, "1"))
            return true
          }
        }
        return .object(m)
      })
    realm.install(mapMethods, into: realm.mapPrototype)
    realm.defineConstructor(
      "Set", arity: 0, prototype: realm.setPrototype,
      call: { _ in throw ScriptThrow.typeError("Constructor Set requires 'new'") },
      construct: { interp, args, newTarget in
        let s = JSSet(prototype: interp.realm.prototype(for: newTarget, default: interp.realm.setPrototype))
        if !args[0].isNullish {
          try interp.iterate(args[0]) { s.table.set($0, $0); return true }
        }
        return .object(s)
      })
    realm.install(setMethods, into: realm.setPrototype)
  }

  private static func thisMap(_ call: NativeCall, _ method: String) throws -> JSMap {
    if case .object(let o) = call.this, let m = o as? JSMap { return m }
    throw ScriptThrow.typeError("Method Map.prototype.\(method) called on incompatible receiver \(Arguments.describeKind(call.this))")
  }

  private static func thisSet(_ call: NativeCall, _ method: String) throws -> JSSet {
    if case .object(let o) = call.this, let s = o as? JSSet { return s }
    throw ScriptThrow.typeError("Method Set.prototype.\(method) called on incompatible receiver \(Arguments.describeKind(call.this))")
  }

  /// An iterator over a Map's or Set's live table.
  private static func tableIterator(
    _ realm: Realm, kind: String, _ table: @escaping () -> OrderedTable,
    _ project: @escaping (Value, Value) -> Value
  ) -> Value {
    var cursor = 0
    return .object(realm.newIterator(kind: kind) {
      guard let (k, v) = table().next(&cursor) else { return nil }
      return project(k, v)
    })
  }

  static let mapMethods: [NativeEntry] = [
    .function("clear", arity: 0) { call in
      try thisMap(call, "clear").table.clear()
      return .undefined
    },
    .function("delete", arity: 1) { call in
      let m = try thisMap(call, "delete")
      return .bool(m.table.delete(call.arguments[0]))
    },
    .function("entries", arity: 0) { call in
      let m = try thisMap(call, "entries")
      let realm = call.interpreter.realm
      return tableIterator(realm, kind: "Map Entries", { m.table }) { .object(realm.newArray([$0, $1])) }
    },
    .function("forEach", arity: 1) { call in
      let m = try thisMap(call, "forEach")
      let f = try call.arguments.function(0, name: "callback")
      var cursor = 0
      m.activeIterators += 1
      defer { m.activeIterators -= 1 }
      while let (k, v) = m.table.next(&cursor) {
        _ = try f.call(call.interpreter, this: call.arguments[1], arguments: [v, k, call.this])
      }
      return .undefined
    },
    .function("get", arity: 1) { call in
      try thisMap(call, "get").table.get(call.arguments[0]) ?? .undefined
    },
    .function("has", arity: 1) { call in
      .bool(try thisMap(call, "has").table.has(call.arguments[0]))
    },
    .function("keys", arity: 0) { call in
      let m = try thisMap(call, "keys")
      return tableIterator(call.interpreter.realm, kind: "Map Iterator", { m.table }) { k, _ in k }
    },
    .function("set", arity: 2) { call in
      let m = try thisMap(call, "set")
      m.table.compactIfSparse(iterating: m.activeIterators > 0)
      m.table.set(call.arguments[0], call.arguments[1])
      return call.this
    },
    .getter("size") { _, this in
      guard case .object(let o) = this, let m = o as? JSMap else {
        throw ScriptThrow.typeError("Method get Map.prototype.size called on incompatible receiver")
      }
      return .number(Double(m.table.count))
    },
    .function("values", arity: 0) { call in
      let m = try thisMap(call, "values")
      return tableIterator(call.interpreter.realm, kind: "Map Iterator", { m.table }) { _, v in v }
    },
  ]

  static let setMethods: [NativeEntry] = [
    .function("add", arity: 1) { call in
      let s = try thisSet(call, "add")
      s.table.compactIfSparse(iterating: s.activeIterators > 0)
      s.table.set(call.arguments[0], call.arguments[0])
      return call.this
    },
    .function("clear", arity: 0) { call in
      try thisSet(call, "clear").table.clear()
      return .undefined
    },
    .function("delete", arity: 1) { call in
      let s = try thisSet(call, "delete")
      return .bool(s.table.delete(call.arguments[0]))
    },
    .function("entries", arity: 0) { call in
      let s = try thisSet(call, "entries")
      let realm = call.interpreter.realm
      return tableIterator(realm, kind: "Set Entries", { s.table }) { k, _ in .object(realm.newArray([k, k])) }
    },
    .function("forEach", arity: 1) { call in
      let s = try thisSet(call, "forEach")
      let f = try call.arguments.function(0, name: "callback")
      var cursor = 0
      s.activeIterators += 1
      defer { s.activeIterators -= 1 }
      while let (k, _) = s.table.next(&cursor) {
        _ = try f.call(call.interpreter, this: call.arguments[1], arguments: [k, k, call.this])
      }
      return .undefined
    },
    .function("has", arity: 1) { call in
      .bool(try thisSet(call, "has").table.has(call.arguments[0]))
    },
    .function("keys", arity: 0) { call in
      let s = try thisSet(call, "keys")
      return tableIterator(call.interpreter.realm, kind: "Set Iterator", { s.table }) { k, _ in k }
    },
    .getter("size") { _, this in
      guard case .object(let o) = this, let s = o as? JSSet else {
        throw ScriptThrow.typeError("Method get Set.prototype.size called on incompatible receiver")
      }
      return .number(Double(s.table.count))
    },
    .function("values", arity: 0) { call in
      let s = try thisSet(call, "values")
      return tableIterator(call.interpreter.realm, kind: "Set Iterator", { s.table }) { k, _ in k }
    },
  ]
}
