// Map and Set: insertion-ordered collections keyed by SameValueZero.
// Deleted entries leave a hole so live iterators keep their place (deleting
// while iterating is common); the table compacts only when adding to a table
// whose holes outnumber its entries, outside `forEach`.

/// SameValueZero's hash: `NaN` hashes like `NaN`, `-0` like `0`; strings by
/// their UTF-8 bytes (JS compares code units, not canonical equivalents).
@inline(__always)
func collectionHash(_ v: Value) -> UInt64 {
  func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  switch v {
  case .undefined: return 0x1111
  case .null: return 0x2222
  case .bool(let b): return b ? 0x3333 : 0x4444
  case .number(let n):
    if n.isNaN { return mix(Double.nan.bitPattern) }
    return mix((n == 0 ? 0 : n).bitPattern)
  case .string(let s):
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return mix(h)
  case .object(let o): return mix(UInt64(UInt(bitPattern: ObjectIdentifier(o).hashValue)))
  }
}

/// SameValueZero for keys already known to share a hash.
@inline(__always)
func sameKey(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
  case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
  case (.object(let x), .object(let y)): return x === y
  case (.bool(let x), .bool(let y)): return x == y
  case (.undefined, .undefined), (.null, .null): return true
  default: return false
  }
}

/// Ordered key/value storage shared by Map and Set: entries in insertion
/// order plus an open-addressing index of entry positions.
public struct OrderedTable {
  private var entries: [(key: Value, value: Value)?] = []
  private var hashes: [UInt64] = []
  /// Entry positions by hash; -1 is empty. Deleted entries keep their slot
  /// (a tombstone) until the index is rebuilt.
  private var slots: [Int32] = []
  private var live = 0
  private var holes = 0

  /// The number of live entries (`size`).
  public var count: Int { live }

  /// The entry position holding `key`, or nil.
  private func find(_ key: Value, _ h: UInt64) -> Int? {
    if slots.isEmpty { return nil }
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = Int(slots[i])
      if s < 0 { return nil }
      if hashes[s] == h, let e = entries[s], sameKey(e.key, key) { return s }
      i = (i + 1) & mask
    }
  }

  private mutating func rebuildIndex(capacityFor n: Int) {
    var size = 8
    while size * 3 < n * 4 + 4 { size <<= 1 }
    slots = Array(repeating: -1, count: size)
    let mask = size - 1
    for (p, e) in entries.enumerated() where e != nil {
      var i = Int(truncatingIfNeeded: hashes[p]) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(p)
    }
  }

  public func get(_ key: Value) -> Value? {
    guard let p = find(key, collectionHash(key)) else { return nil }
    return entries[p]?.value
  }

  public func has(_ key: Value) -> Bool { find(key, collectionHash(key)) != nil }

  public mutating func set(_ key: Value, _ value: Value) {
    let h = collectionHash(key)
    if let p = find(key, h) {
      entries[p]?.value = value
      return
    }
    // Keys are stored normalised: `-0` becomes `0`, as in JS.
    var stored = key
    if case .number(let n) = key, n == 0 { stored = .number(0) }
    entries.append((stored, value))
    hashes.append(h)
    live += 1
    // Tombstones count as occupied: keep the load (entries incl. holes) under 3/4.
    if entries.count * 4 >= slots.count * 3 {
      rebuildIndex(capacityFor: entries.count * 2)
    } else {
      let mask = slots.count - 1
      var i = Int(truncatingIfNeeded: h) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(entries.count - 1)
    }
  }

  @discardableResult
  public mutating func delete(_ key: Value) -> Bool {
    guard let p = find(key, collectionHash(key)) else { return false }
    entries[p] = nil
    live -= 1
    holes += 1
    return true
  }

  /// Removes every entry. Live iterators see the end.
  public mutating func clear() {
    for i in entries.indices where entries[i] != nil { entries[i] = nil }
    holes += live
    live = 0
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
    guard !iterating, holes > 32, holes > live else { return }
    var keptEntries: [(key: Value, value: Value)?] = []
    var keptHashes: [UInt64] = []
    keptEntries.reserveCapacity(live)
    keptHashes.reserveCapacity(live)
    for (p, e) in entries.enumerated() where e != nil {
      keptEntries.append(e)
      keptHashes.append(hashes[p])
    }
    entries = keptEntries
    hashes = keptHashes
    holes = 0
    rebuildIndex(capacityFor: entries.count * 2)
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
