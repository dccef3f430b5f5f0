// The object model: ordered own properties, a prototype chain, and the hooks
// that arrays, functions and host objects (tensors, models) override.

/// One own property: a data value or a getter/setter pair.
public struct Property {
  public enum Slot {
    case value(Value)
    case accessor(getter: JSFunction?, setter: JSFunction?)
  }

  public var slot: Slot
  public var enumerable: Bool
  public var writable: Bool
  public var configurable: Bool

  public init(_ value: Value, enumerable: Bool = true, writable: Bool = true, configurable: Bool = true) {
    self.slot = .value(value)
    self.enumerable = enumerable
    self.writable = writable
    self.configurable = configurable
  }

  public init(getter: JSFunction?, setter: JSFunction?, enumerable: Bool = false) {
    self.slot = .accessor(getter: getter, setter: setter)
    self.enumerable = enumerable
    self.writable = true
    self.configurable = true
  }
}

/// Own properties in insertion order (JS enumeration order, except that JS
/// lists integer-like keys first; `orderedKeys` does that).
public struct PropertyStorage {
  public private(set) var keys: [String] = []
  public private(set) var properties: [Property] = []
  private var index: [String: Int] = [:]

  public init() {}

  public var count: Int { keys.count }

  @inline(__always)
  public func find(_ key: String) -> Property? {
    guard let i = index[key] else { return nil }
    return properties[i]
  }

  public func contains(_ key: String) -> Bool { index[key] != nil }

  /// The value of data property `key`, without copying the whole property (hot path).
  @inline(__always)
  public func dataValue(_ key: String) -> Value? {
    guard let i = index[key], case .value(let v) = properties[i].slot else { return nil }
    return v
  }

  /// Where `key` is, trying `hint` (the index a site found it at last time)
  /// before hashing: objects built the same way (class instances, literals,
  /// prototypes) keep their keys in the same order, so the hint usually hits.
  @inline(__always)
  func position(of key: String, hint: inout Int) -> Int? {
    let h = hint
    let n = keys.count
    if h < n {
      if keys[h] == key { return h }
    } else if n == 0 {
      return nil
    }
    if n <= 8 {
      // A few keys (instances looked through for a prototype's method):
      // comparing them beats hashing the key to learn it is absent.
      for i in 0..<n where keys[i] == key {
        hint = i
        return i
      }
      return nil
    }
    guard let i = index[key] else { return nil }
    hint = i
    return i
  }

  /// The data value of `key` if it is at position `hint`; nil otherwise
  /// (missing, elsewhere, or an accessor).
  @inline(__always)
  func withHint(_ hint: Int, _ key: String) -> Value? {
    guard hint < keys.count, keys[hint] == key, case .value(let v) = properties[hint].slot else { return nil }
    return v
  }

  /// The identity of the object held by data property `key` if it is at
  /// position `hint` (no copy of the value); nil otherwise.
  @inline(__always)
  func objectIdentityWithHint(_ hint: Int, _ key: String) -> ObjectIdentifier? {
    guard hint < keys.count, keys[hint] == key else { return nil }
    return objectIdentity(at: hint)
  }

  /// The identity of the object held by the data property at `position`, or nil.
  @inline(__always)
  func objectIdentity(at position: Int) -> ObjectIdentifier? {
    if case .value(.object(let o)) = properties[position].slot { return ObjectIdentifier(o) }
    return nil
  }

  /// The data value at `position`, or nil for an accessor.
  @inline(__always)
  func dataValue(at position: Int) -> Value? {
    if case .value(let v) = properties[position].slot { return v }
    return nil
  }

  public mutating func set(_ key: String, _ property: Property) {
    if let i = index[key] {
      properties[i] = property
    } else {
      index[key] = keys.count
      keys.append(key)
      properties.append(property)
    }
  }

  /// Replaces the value of an existing data property, or appends a new one.
  @inline(__always)
  public mutating func setValue(_ key: String, _ value: Value) {
    if let i = index[key] {
      properties[i].slot = .value(value)
    } else {
      index[key] = keys.count
      keys.append(key)
      properties.append(Property(value))
    }
  }

  @discardableResult
  public mutating func remove(_ key: String) -> Bool {
    guard let i = index.removeValue(forKey: key) else { return false }
    keys.remove(at: i)
    properties.remove(at: i)
    for j in i..<keys.count { index[keys[j]] = j }
    return true
  }

  /// Keys in JS order: array-index keys ascending, then the rest in insertion order.
  public var orderedKeys: [String] {
    var integers: [(UInt32, String)] = []
    var others: [String] = []
    for k in keys {
      if let n = arrayIndex(k) { integers.append((n, k)) } else { others.append(k) }
    }
    if integers.isEmpty { return others }
    return integers.sorted { $0.0 < $1.0 }.map { $0.1 } + others
  }
}

/// The array index a property key names (`"3"` → 3), or nil (`"03"`, `"-1"`, `"x"`).
public func arrayIndex(_ key: String) -> UInt32? {
  guard let first = key.utf8.first, first >= 48, first <= 57 else { return nil }
  if key.utf8.count > 1 && first == 48 { return nil }
  guard key.utf8.count <= 10, let n = UInt32(key), n != UInt32.max else { return nil }
  return n
}

/// Any script object. Subclasses: `JSArray`, `JSFunction` (and its native and
/// script forms), the built-in classes (Map, Set, Error, Promise, ...), and
/// host objects defined by embedders.
open class JSObject {
  public var prototype: JSObject?
  @exclusivity(unchecked) public var storage = PropertyStorage()
  public var isExtensible = true
  public var isFrozen = false

  public init(prototype: JSObject?) {
    self.prototype = prototype
  }

  /// The class name `console.log` shows for instances (`Map`, `Tensor`), and
  /// `Object` for plain objects. Script classes report their constructor's name.
  open var className: String { "Object" }

  /// How `console.log` and the REPL show this object, or nil for the default
  /// layout (`Point { x: 1 }`). Host objects such as tensors override it.
  /// `depth` is the nesting level (0 at top level); `colors` asks for ANSI styling.
  open func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? { nil }

  // MARK: Own properties (override these for exotic or host objects)

  /// The own property `key`, or nil. Host objects compute theirs here.
  open func ownProperty(_ key: String) -> Property? {
    storage.find(key)
  }

  /// Defines or overwrites own property `key`. Returns false when the object
  /// refuses (frozen, non-writable, not extensible).
  @discardableResult
  open func defineOwn(_ key: String, _ property: Property) -> Bool {
    if isFrozen { return false }
    if let existing = storage.find(key) {
      if !existing.configurable && !existing.writable { return false }
    } else if !isExtensible {
      return false
    }
    storage.set(key, property)
    return true
  }

  /// Deletes own property `key`; false when it cannot be deleted.
  @discardableResult
  open func deleteOwn(_ key: String) -> Bool {
    if isFrozen { return false }
    if let p = storage.find(key), !p.configurable { return false }
    storage.remove(key)
    return true
  }

  /// Own keys in JS order, enumerable or not.
  open func ownKeys() -> [String] {
    storage.orderedKeys
  }

  /// Names offered for completion after `obj.`: own keys and those along the
  /// prototype chain. Host objects add their members.
  open func completionNames() -> [String] {
    var seen = Set<String>()
    var out: [String] = []
    var o: JSObject? = self
    while let obj = o {
      for k in obj.ownKeys() where seen.insert(k).inserted { out.append(k) }
      o = obj.prototype
    }
    return out
  }

  // MARK: Iteration

  /// How `for...of`, spread and destructuring walk this object: a function
  /// returning the next value, or nil when exhausted. Nil (the default) means
  /// "not iterable natively": the interpreter then looks for a script-level
  /// `next()` method. Map, Set and iterator objects override this.
  open func makeIterator(_ interpreter: Interpreter) -> (() throws -> Value?)? {
    nil
  }

  // MARK: Lookup along the prototype chain

  /// Finds `key` on this object or its prototypes.
  @inline(__always)
  public final func lookup(_ key: String) -> Property? {
    var o: JSObject? = self
    while let obj = o {
      if let p = obj.ownProperty(key) { return p }
      o = obj.prototype
    }
    return nil
  }

  /// `lookup(key)` for data properties held by plain objects and arrays,
  /// using a site's cache (see `PropertyStorage.position(of:hint:)`). Nil
  /// means "ask `lookup`": the key is missing, an accessor, or the chain
  /// holds an exotic object (functions, host objects, Map, ...).
  /// The walk holds the objects unretained: it runs no script code.
  @inline(__always)
  final func cachedDataLookup(_ key: String, _ cache: PropertySiteCache) -> Value? {
    if let v = cachedOwnDataLookup(key, cache) { return v }
    var u = Unmanaged.passUnretained(self)
    while true {
      let t = u._withUnsafeGuaranteedRef { type(of: $0) }
      guard t == JSObject.self || (t == JSArray.self && cache.arrayCanHold) else { return nil }
      let hit = u._withUnsafeGuaranteedRef { o -> Value?? in
        guard let i = o.storage.position(of: key, hint: &cache.hint) else { return nil }
        return .some(o.storage.dataValue(at: i))
      }
      if let h = hit { return h }
      let parent = u._withUnsafeGuaranteedRef { o in o.prototype.map { Unmanaged.passUnretained($0) } }
      guard let p = parent else { return nil }
      u = p
    }
  }

  /// What `cachedDataLookup` would find, as the identity of the object it
  /// holds: nil when that is not an object data property (or the chain is
  /// exotic). Copies no value (method call sites compare it with the
  /// function they remember).
  @inline(__always)
  final func cachedDataIdentity(_ key: String, _ cache: PropertySiteCache) -> ObjectIdentifier? {
    let t0 = type(of: self)
    if t0 == JSObject.self || (t0 == JSArray.self && cache.arrayCanHold),
      let id = storage.objectIdentityWithHint(cache.hint, key)
    {
      return id
    }
    var u = Unmanaged.passUnretained(self)
    while true {
      let t = u._withUnsafeGuaranteedRef { type(of: $0) }
      guard t == JSObject.self || (t == JSArray.self && cache.arrayCanHold) else { return nil }
      let hit = u._withUnsafeGuaranteedRef { o -> ObjectIdentifier?? in
        guard let i = o.storage.position(of: key, hint: &cache.hint) else { return nil }
        return .some(o.storage.objectIdentity(at: i))
      }
      if let h = hit { return h }
      let parent = u._withUnsafeGuaranteedRef { o in o.prototype.map { Unmanaged.passUnretained($0) } }
      guard let p = parent else { return nil }
      u = p
    }
  }

  /// The first step of `cachedDataLookup`: an own data property of a plain
  /// object at the position the site remembers (no hashing, no retains).
  @inline(__always)
  final func cachedOwnDataLookup(_ key: String, _ cache: PropertySiteCache) -> Value? {
    let t = type(of: self)
    guard t == JSObject.self || (t == JSArray.self && cache.arrayCanHold) else { return nil }
    return storage.withHint(cache.hint, key)
  }

  public final func hasProperty(_ key: String) -> Bool {
    lookup(key) != nil
  }

  /// Reads a data property without running getters (for natives that build or
  /// inspect plain objects). Use `Interpreter.get` for full JS semantics.
  public final func getDataValue(_ key: String) -> Value {
    if let p = lookup(key), case .value(let v) = p.slot { return v }
    return .undefined
  }

  /// Sets an own data property directly (no setters, no frozen check); for
  /// natives building fresh objects.
  public final func put(_ key: String, _ value: Value) {
    storage.setValue(key, value)
  }
}

/// One property-access site's memory: where its key was found last time.
final class PropertySiteCache {
  @exclusivity(unchecked) var hint = 0
  /// False when the key is `length` or an array index, which arrays answer
  /// outside their property storage.
  let arrayCanHold: Bool

  init(key: String) {
    arrayCanHold = key != "length" && arrayIndex(key) == nil
  }
}

/// An Array: dense elements plus ordinary properties.
public final class JSArray: JSObject {
  @exclusivity(unchecked) public var elements: [Value]

  public init(prototype: JSObject?, elements: [Value] = []) {
    self.elements = elements
    super.init(prototype: prototype)
  }

  public override var className: String { "Array" }

  public override func ownProperty(_ key: String) -> Property? {
    if let i = arrayIndex(key) {
      let n = Int(i)
      return n < elements.count ? Property(elements[n]) : nil
    }
    if key == "length" {
      return Property(.number(Double(elements.count)), enumerable: false, writable: true, configurable: false)
    }
    return storage.find(key)
  }

  public override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if isFrozen { return false }
    if let i = arrayIndex(key), case .value(let v) = property.slot {
      let n = Int(i)
      if n < elements.count {
        elements[n] = v
      } else {
        if n > elements.count + 10_000_000 { return false }
        while elements.count < n { elements.append(.undefined) }
        elements.append(v)
      }
      return true
    }
    if key == "length", case .value(let v) = property.slot {
      guard case .number(let d) = v, d >= 0, d == d.rounded(), d < 4_294_967_296 else { return false }
      let n = Int(d)
      if n < elements.count {
        elements.removeSubrange(n...)
      } else {
        if n > elements.count + 10_000_000 { return false }
        elements.append(contentsOf: repeatElement(.undefined, count: n - elements.count))
      }
      return true
    }
    return super.defineOwn(key, property)
  }

  public override func deleteOwn(_ key: String) -> Bool {
    if let i = arrayIndex(key) {
      if isFrozen { return false }
      if Int(i) < elements.count { elements[Int(i)] = .undefined }
      return true
    }
    return super.deleteOwn(key)
  }

  public override func ownKeys() -> [String] {
    elements.indices.map { String($0) } + ["length"] + storage.orderedKeys
  }
}

/// Anything callable. Script closures and native functions subclass it.
open class JSFunction: JSObject {
  /// The function's `name` (`""` for anonymous functions).
  public var name: String

  public init(prototype: JSObject?, name: String) {
    self.name = name
    super.init(prototype: prototype)
  }

  open override var className: String { "Function" }

  /// Calls the function with `this` and `arguments`.
  open func call(_ interpreter: Interpreter, this: Value, arguments: [Value]) throws -> Value {
    throw ScriptThrow.typeError("\(name.isEmpty ? "anonymous" : name) is not a function")
  }

  /// `call` with exactly three arguments (array callbacks get value, index
  /// and array); script functions take them without an arguments array.
  open func call(_ interpreter: Interpreter, this: Value, _ a0: Value, _ a1: Value, _ a2: Value) throws -> Value {
    try call(interpreter, this: this, arguments: [a0, a1, a2])
  }

  /// `new F(...)`. `newTarget` is the constructor `new` was applied to (a
  /// subclass when reached through `super(...)`).
  open func construct(_ interpreter: Interpreter, arguments: [Value], newTarget: JSObject) throws -> Value {
    throw ScriptThrow.typeError("\(name.isEmpty ? "anonymous" : name) is not a constructor")
  }

  /// False for arrows, methods and most natives.
  open var isConstructor: Bool { false }

  /// True for `class` declarations and expressions (`console.log` shows `[class A]`).
  open var isClassConstructor: Bool { false }

  /// The function's source text for `Function.prototype.toString`; nil for natives.
  open var sourceText: String? { nil }
}
