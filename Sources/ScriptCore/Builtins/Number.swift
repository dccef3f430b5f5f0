// Number, Boolean, their prototypes, and the global functions and constants
// (parseInt, parseFloat, isNaN, isFinite, NaN, Infinity, undefined, globalThis).

/// A boxed primitive (`new Number(5)`, `new String('a')`, `new Boolean(false)`).
public final class JSPrimitiveObject: JSObject {
  /// The wrapped primitive.
  public let primitive: Value

  public init(prototype: JSObject?, primitive: Value) {
    self.primitive = primitive
    super.init(prototype: prototype)
  }

  public override var className: String {
    switch primitive {
    case .number: return "Number"
    case .string: return "String"
    default: return "Boolean"
    }
  }

  public override func ownProperty(_ key: String) -> Property? {
    if case .string(let s) = primitive {
      if key == "length" {
        return Property(.number(Double(s.utf16.count)), enumerable: false, writable: false, configurable: false)
      }
      if let i = arrayIndex(key) {
        let u = Array(s.utf16)
        if Int(i) < u.count {
          return Property(.string(String(decoding: [u[Int(i)]], as: UTF16.self)), writable: false, configurable: false)
        }
      }
    }
    return super.ownProperty(key)
  }
}

extension Builtins {
  static func installNumber(_ realm: Realm) {
    let ctor = realm.defineConstructor(
      "Number", arity: 1, prototype: realm.numberPrototype,
      call: { call in
        .number(call.arguments.count == 0 ? 0 : try call.interpreter.toNumber(call.arguments[0]))
      },
      construct: { interp, args, newTarget in
        let n = args.count == 0 ? 0 : try interp.toNumber(args[0])
        return .object(JSPrimitiveObject(
          prototype: interp.realm.prototype(for: newTarget, default: interp.realm.numberPrototype),
          primitive: .number(n)))
      })
    realm.installHidden(numberStatics, into: ctor, prefix: "Number.")
    realm.install(numberMethods, into: realm.numberPrototype, prefix: "Number.prototype.")
  }

  static func installBoolean(_ realm: Realm) {
    realm.defineConstructor(
      "Boolean", arity: 1, prototype: realm.booleanPrototype,
      call: { call in .bool(call.arguments[0].isTruthy) },
      construct: { interp, args, newTarget in
        .object(JSPrimitiveObject(
          prototype: interp.realm.prototype(for: newTarget, default: interp.realm.booleanPrototype),
          primitive: .bool(args[0].isTruthy)))
      })
    realm.install(booleanMethods, into: realm.booleanPrototype)
  }

  static func installGlobals(_ realm: Realm) {
    realm.install(globalFunctions, into: realm.globalObject)
    // Number.parseFloat and Number.parseInt are the very same functions.
    if let number = realm.globalObject.getDataValue("Number").asObject {
      for name in ["parseFloat", "parseInt"] {
        number.defineOwn(name, Property(realm.globalObject.getDataValue(name), enumerable: false))
      }
    }
    for (name, value) in [("NaN", Value.number(.nan)), ("Infinity", .number(.infinity)), ("undefined", .undefined)] {
      realm.globalObject.defineOwn(name, Property(value, enumerable: false, writable: false, configurable: false))
    }
    realm.defineGlobal("globalThis", .object(realm.globalObject))
  }

  /// The number `this` holds (a primitive or a `Number` object).
  static func thisNumber(_ call: NativeCall, _ method: String) throws -> Double {
    switch call.this {
    case .number(let n): return n
    case .object(let o):
      if let w = o as? JSPrimitiveObject, case .number(let n) = w.primitive { return n }
    default: break
    }
    throw ScriptThrow.typeError("Number.prototype.\(method) requires that 'this' be a Number")
  }

  static func thisBoolean(_ call: NativeCall, _ method: String) throws -> Bool {
    switch call.this {
    case .bool(let b): return b
    case .object(let o):
      if let w = o as? JSPrimitiveObject, case .bool(let b) = w.primitive { return b }
    default: break
    }
    throw ScriptThrow.typeError("Boolean.prototype.\(method) requires that 'this' be a Boolean")
  }

  /// Number.isInteger's test.
  static func isIntegral(_ v: Value) -> Bool {
    guard case .number(let n) = v, n.isFinite else { return false }
    return n == n.rounded(.towardZero)
  }

  static let numberStatics: [NativeEntry] = [
    .constant("EPSILON", .number(Double.ulpOfOne)),
    .constant("MAX_SAFE_INTEGER", .number(9_007_199_254_740_991)),
    .constant("MAX_VALUE", .number(Double.greatestFiniteMagnitude)),
    .constant("MIN_SAFE_INTEGER", .number(-9_007_199_254_740_991)),
    .constant("MIN_VALUE", .number(Double.leastNonzeroMagnitude)),
    .constant("NEGATIVE_INFINITY", .number(-.infinity)),
    .constant("NaN", .number(.nan)),
    .constant("POSITIVE_INFINITY", .number(.infinity)),
    .function("isFinite", arity: 1) { call in
      guard case .number(let n) = call.arguments[0] else { return false }
      return .bool(n.isFinite)
    },
    .function("isInteger", arity: 1) { call in .bool(isIntegral(call.arguments[0])) },
    .function("isNaN", arity: 1) { call in
      guard case .number(let n) = call.arguments[0] else { return false }
      return .bool(n.isNaN)
    },
    .function("isSafeInteger", arity: 1) { call in
      guard isIntegral(call.arguments[0]), case .number(let n) = call.arguments[0] else { return false }
      return .bool(abs(n) <= 9_007_199_254_740_991)
    },
  ]

  static func parseIntBody(_ call: NativeCall) throws -> Value {
    let s = try call.interpreter.toString(call.arguments[0])
    // The radix goes through ToInt32, as in V8 (`parseInt('11', 2 ** 32 + 2)` is 3).
    let radix = call.arguments[1].isUndefined ? 0 : Int(try call.interpreter.toInt32(call.arguments[1]))
    return .number(parseIntJS(s, radix: radix))
  }

  static let numberMethods: [NativeEntry] = [
    .function("toExponential", arity: 1) { call in
      let x = try thisNumber(call, "toExponential")
      if call.arguments[0].isUndefined { return .string(formatExponential(x, fractionDigits: nil)) }
      let f = try call.interpreter.toInteger(call.arguments[0])
      if !x.isFinite { return .string(formatNumber(x)) }
      guard f >= 0, f <= 100 else {
        throw ScriptThrow.rangeError("toExponential() argument must be between 0 and 100")
      }
      return .string(formatExponential(x, fractionDigits: Int(f)))
    },
    .function("toFixed", arity: 1) { call in
      let x = try thisNumber(call, "toFixed")
      let f = try call.interpreter.toInteger(call.arguments[0])
      guard f >= 0, f <= 100 else {
        throw ScriptThrow.rangeError("toFixed() digits argument must be between 0 and 100")
      }
      return .string(formatFixed(x, digits: Int(f)))
    },
    .function("toLocaleString", arity: 0) { call in
      let x = try thisNumber(call, "toLocaleString")
      var minDigits = 0
      var maxDigits = 3
      var grouping = true
      if let opts = call.arguments[1].asObject {
        let interp = call.interpreter
        func digits(_ key: String) throws -> Int? {
          let v = try interp.get(.object(opts), key)
          if v.isUndefined { return nil }
          let d = try interp.toNumber(v)
          guard d >= 0, d <= 100, d == d.rounded() else {
            throw ScriptThrow.rangeError("\(key) value is out of range.")
          }
          return Int(d)
        }
        let lo = try digits("minimumFractionDigits")
        let hi = try digits("maximumFractionDigits")
        minDigits = lo ?? 0
        maxDigits = hi ?? max(minDigits, 3)
        if let lo = lo, let hi = hi, lo > hi { throw ScriptThrow.rangeError("maximumFractionDigits value is out of range.") }
        if lo != nil && hi == nil { maxDigits = max(lo ?? 0, 3) }
        let g = try interp.get(.object(opts), "useGrouping")
        if case .bool(false) = g { grouping = false }
      }
      return .string(formatLocale(x, minDigits: minDigits, maxDigits: maxDigits, grouping: grouping))
    },
    .function("toPrecision", arity: 1) { call in
      let x = try thisNumber(call, "toPrecision")
      if call.arguments[0].isUndefined { return .string(formatNumber(x)) }
      let p = try call.interpreter.toInteger(call.arguments[0])
      if !x.isFinite { return .string(formatNumber(x)) }
      guard p >= 1, p <= 100 else {
        throw ScriptThrow.rangeError("toPrecision() argument must be between 1 and 100")
      }
      return .string(formatPrecision(x, precision: Int(p)))
    },
    .function("toString", arity: 1) { call in
      let x = try thisNumber(call, "toString")
      if call.arguments[0].isUndefined { return .string(formatNumber(x)) }
      let r = try call.interpreter.toInteger(call.arguments[0])
      guard r >= 2, r <= 36 else { throw ScriptThrow.rangeError("toString() radix must be between 2 and 36") }
      return .string(formatRadix(x, radix: Int(r)))
    },
    .function("valueOf", arity: 0) { call in .number(try thisNumber(call, "valueOf")) },
  ]

  /// `toLocaleString()` in en-US: grouped thousands, between `minDigits` and
  /// `maxDigits` decimals (0 and 3 by default), half-way cases rounded up.
  static func formatLocale(_ x: Double, minDigits: Int = 0, maxDigits: Int = 3, grouping: Bool = true) -> String {
    if !x.isFinite { return x.isNaN ? "NaN" : (x < 0 ? "-∞" : "∞") }
    var s = formatFixed(abs(x), digits: maxDigits)
    if let dot = s.firstIndex(of: ".") {
      var decimals = s.distance(from: dot, to: s.endIndex) - 1
      while decimals > minDigits && s.hasSuffix("0") {
        s.removeLast()
        decimals -= 1
      }
      if s.hasSuffix(".") { s.removeLast() }
    }
    let parts = s.split(separator: ".", maxSplits: 1)
    var intPart = Array(parts[0])
    var grouped = ""
    while grouping && intPart.count > 3 {
      grouped = "," + String(intPart.suffix(3)) + grouped
      intPart.removeLast(3)
    }
    grouped = String(intPart) + grouped
    if parts.count > 1 { grouped += "." + parts[1] }
    return (x < 0 && grouped != "0" ? "-" : "") + grouped
  }

  static let booleanMethods: [NativeEntry] = [
    .function("toString", arity: 0) { call in .string(try thisBoolean(call, "toString") ? "true" : "false") },
    .function("valueOf", arity: 0) { call in .bool(try thisBoolean(call, "valueOf")) },
  ]

  static let globalFunctions: [NativeEntry] = [
    .function("isFinite", arity: 1) { call in .bool(try call.interpreter.toNumber(call.arguments[0]).isFinite) },
    .function("isNaN", arity: 1) { call in .bool(try call.interpreter.toNumber(call.arguments[0]).isNaN) },
    .function("parseFloat", arity: 1) { call in
      .number(parseFloatJS(try call.interpreter.toString(call.arguments[0])))
    },
    .function("parseInt", arity: 2) { call in try parseIntBody(call) },
  ]
}
