// The standard library every script sees: console, Math, JSON, Number,
// String, Array, Object, Function, Map, Set, Date, performance and process.
// Each namespace lives in its own file and ends in one alphabetised table;
// this file installs them all and holds the helpers they share.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Installs the standard library into an interpreter's realm.
public enum Builtins {
  /// Fills the realm's prototypes and the global object. Called once by
  /// `Interpreter.init`.
  public static func install(into interpreter: Interpreter) {
    let realm = interpreter.realm
    installObject(realm)
    installFunction(realm)
    installIterators(realm)
    installArray(realm)
    installString(realm)
    installNumber(realm)
    installBoolean(realm)
    installGlobals(realm)
    installMath(realm)
    installJSON(realm)
    installMapAndSet(realm)
    installWeakCollections(realm)
    installRegExp(interpreter)
    installDate(realm)
    installConsole(realm)
    installProcess(realm)
    installUtilModule(interpreter)
    NodeModules.install(into: interpreter)
  }

  /// Sets `process.argv` (the host passes `["tl", scriptPath, ...args]`).
  public static func setArguments(_ arguments: [String], in interpreter: Interpreter) {
    let realm = interpreter.realm
    guard let process = realm.globalObject.getDataValue("process").asObject else { return }
    process.put("argv", .object(realm.newArray(arguments.map { .string($0) })))
  }

  /// Makes `Math.random` deterministic from `seed` (tests, reproducible demos).
  public static func seedRandom(_ seed: UInt64, in interpreter: Interpreter) {
    guard let math = interpreter.realm.globalObject.getDataValue("Math").asObject as? MathObject
    else { return }
    math.random.seed(seed)
  }
}

/// A namespace object with a `Symbol.toStringTag` (`Math`, `JSON`): inspect
/// shows `Object [Math] {}` and `Object.prototype.toString` `[object Math]`.
class TaggedNamespace: JSObject {
  let tag: String

  init(prototype: JSObject?, tag: String) {
    self.tag = tag
    super.init(prototype: prototype)
  }
}

/// What `process.exit(code)` throws; the host catches it, flushes output and exits.
public struct ProcessExit: Error {
  /// The exit status the script asked for.
  public let code: Int32

  public init(code: Int32) { self.code = code }
}

// MARK: - Helpers shared by the builtins

extension Realm {
  /// Defines a global binding (non-enumerable, as the built-ins are).
  func defineGlobal(_ name: String, _ value: Value) {
    globalObject.defineOwn(name, Property(value, enumerable: false))
  }

  /// A constructor function wired to its prototype object (`F.prototype`,
  /// `F.prototype.constructor`) and installed as a global.
  @discardableResult
  func defineConstructor(
    _ name: String, arity: Int, prototype proto: JSObject,
    call: @escaping NativeBody,
    construct: ((Interpreter, Arguments, JSObject) throws -> Value)?
  ) -> NativeFunction {
    let f = NativeFunction(
      prototype: functionPrototype, name: name, arity: arity, construct: construct, body: call)
    f.defineOwn(
      "prototype", Property(.object(proto), enumerable: false, writable: false, configurable: false))
    proto.defineOwn("constructor", Property(.object(f), enumerable: false))
    defineGlobal(name, .object(f))
    return f
  }

  /// The prototype a constructor called through `new` (possibly via a
  /// subclass's `super(...)`) gives its new object.
  func prototype(for newTarget: JSObject, default fallback: JSObject) -> JSObject {
    if let p = newTarget.getDataValue("prototype").asObject { return p }
    return fallback
  }

  /// Installs a table whose constants are non-enumerable, as the built-in
  /// namespaces' are (`Math.PI`, `Number.EPSILON`).
  func installHidden(_ entries: [NativeEntry], into object: JSObject, prefix: String) {
    var others: [NativeEntry] = []
    for entry in entries {
      if case .constant(let name, let value) = entry {
        object.defineOwn(name, Property(value, enumerable: false, writable: false, configurable: false))
      } else {
        others.append(entry)
      }
    }
    install(others, into: object, prefix: prefix)
  }

  /// A fresh `{value, done}` iterator result.
  func iteratorResult(_ value: Value, done: Bool) -> Value {
    let o = newObject()
    o.put("value", value)
    o.put("done", .bool(done))
    return .object(o)
  }
}

extension Interpreter {
  /// Calls a function value directly (no `Value` re-wrapping for natives' callbacks).
  @inline(__always)
  func invoke(_ f: JSFunction, this: Value, _ arguments: [Value]) throws -> Value {
    try f.call(self, this: this, arguments: arguments)
  }

  /// ToIntegerOrInfinity.
  func toInteger(_ v: Value) throws -> Double {
    let d = try toNumber(v)
    if d.isNaN { return 0 }
    if d.isInfinite { return d }
    return d < 0 ? -(-d).rounded(.down) : d.rounded(.down)
  }

  /// A relative index (`slice(-2)`) clamped to `0...length`.
  func relativeIndex(_ v: Value, length: Int, default fallback: Int) throws -> Int {
    if v.isUndefined { return fallback }
    let d = try toInteger(v)
    if d < 0 { return max(0, length + Int(max(d, -Double(length) - 1))) }
    return Int(min(d, Double(length)))
  }

  /// ToObject for property enumeration: throws on `undefined`/`null`.
  func toObject(_ v: Value, _ what: String) throws -> JSObject {
    switch v {
    case .object(let o): return o
    case .undefined, .null:
      throw ScriptThrow.typeError("Cannot convert undefined or null to object")
    case .string(let s):
      // A string read as an object exposes its characters as indexed properties.
      let o = JSObject(prototype: realm.stringPrototype)
      for (i, u) in s.utf16.enumerated() {
        o.defineOwn(String(i), Property(.string(String(decoding: [u], as: UTF16.self)), writable: false))
      }
      return o
    default:
      _ = what
      return JSObject(prototype: try propertyHolder(v, reading: "valueOf"))
    }
  }

  /// The enumerable own string keys of an object, in JS order.
  func enumerableOwnKeys(_ o: JSObject) -> [String] {
    o.ownKeys().filter { o.ownProperty($0)?.enumerable == true }
  }
}

/// Seconds since an arbitrary fixed point, monotonic (for timers and `performance.now`).
func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Milliseconds since the Unix epoch (for `Date.now`).
func wallClockMilliseconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  return (Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec / 1_000_000)).rounded(.down)
}
