// Typed arrays as TF.js hands them out: `dataSync()` gives a Float32Array,
// Int32Array or Uint8Array. They are indexable, have `length`, iterate, work
// with `Array.from` and spread, and print as Node prints them:
// `Float32Array(3) [ 1, 2, 3 ]`. The global constructors (`new
// Float32Array([1, 2])`, `Float32Array.from`) exist so scripts can pass typed
// arrays to `tf.tensor` as TF.js code often does.

import ScriptCore
import TensorEngine

/// A fixed-length array of one element type (Float32Array, Int32Array, Uint8Array).
final class TypedArrayObject: JSObject {
  /// The element types TF.js uses.
  enum Kind: String, CaseIterable {
    case float32 = "Float32Array"
    case int32 = "Int32Array"
    case uint8 = "Uint8Array"
    case uint32 = "Uint32Array"

    /// The array kind `dataSync()` returns for a dtype.
    init(_ dtype: DType) {
      switch dtype {
      case .float32: self = .float32
      case .int32: self = .int32
      case .bool: self = .uint8
      }
    }

    /// The dtype TF.js infers for a tensor made from this array.
    var dtype: DType { self == .float32 ? .float32 : .int32 }

    /// Converts a number as storing it in this array does.
    func store(_ d: Double) -> Double {
      switch self {
      case .float32: return Double(Float(d))
      case .int32:
        guard d.isFinite else { return 0 }
        let m = d.rounded(.towardZero).truncatingRemainder(dividingBy: 4_294_967_296)
        let u = m < 0 ? m + 4_294_967_296 : m
        return u >= 2_147_483_648 ? u - 4_294_967_296 : u
      case .uint8, .uint32:
        guard d.isFinite else { return 0 }
        let modulus: Double = self == .uint8 ? 256 : 4_294_967_296
        let m = d.rounded(.towardZero).truncatingRemainder(dividingBy: modulus)
        return m < 0 ? m + modulus : m
      }
    }
  }

  let kind: Kind
  /// The elements, already converted to the array's type.
  var values: [Double]

  init(prototype: JSObject?, kind: Kind, values: [Double]) {
    self.kind = kind
    self.values = values
    super.init(prototype: prototype)
  }

  override var className: String { kind.rawValue }

  override func ownProperty(_ key: String) -> Property? {
    if let i = arrayIndex(key) {
      let n = Int(i)
      return n < values.count ? Property(.number(values[n]), configurable: false) : nil
    }
    return storage.find(key)
  }

  override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if let i = arrayIndex(key) {
      // Out-of-range writes are ignored, as on a typed array.
      if Int(i) < values.count, case .value(.number(let d)) = property.slot {
        values[Int(i)] = kind.store(d)
      }
      return true
    }
    return super.defineOwn(key, property)
  }

  override func ownKeys() -> [String] {
    values.indices.map { String($0) } + storage.orderedKeys
  }

  override func makeIterator(_ interpreter: Interpreter) -> (() throws -> Value?)? {
    var i = 0
    return { [self] in
      guard i < values.count else { return nil }
      defer { i += 1 }
      return .number(values[i])
    }
  }

  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let array = interpreter.realm.newArray(values.map { .number($0) })
    let body = interpreter.inspect(.object(array), colors: colors)
    return "\(kind.rawValue)(\(values.count)) \(body)"
  }
}

// MARK: - Constructors and prototype

extension TFContext {
  /// A new typed array of `kind` holding `values` (converted).
  func newTypedArray(_ kind: TypedArrayObject.Kind, _ values: [Double]) -> TypedArrayObject {
    TypedArrayObject(
      prototype: typedArrayPrototypes[kind], kind: kind, values: values.map(kind.store))
  }

  /// The typed array `dataSync()` returns for a tensor's values.
  func typedArray(for dtype: DType, _ values: [Float]) -> TypedArrayObject {
    let kind = TypedArrayObject.Kind(dtype)
    return TypedArrayObject(
      prototype: typedArrayPrototypes[kind], kind: kind, values: values.map { Double($0) })
  }

  /// Defines `Float32Array`, `Int32Array` and `Uint8Array` unless the realm already has them.
  func installTypedArrays() {
    let realm = interpreter.realm
    let shared = realm.newObject()
    realm.install(typedArrayMethods, into: shared)
    for kind in TypedArrayObject.Kind.allCases {
      let proto = JSObject(prototype: shared)
      typedArrayPrototypes[kind] = proto
      if realm.globalObject.lookup(kind.rawValue) != nil { continue }
      let make: (Interpreter, Value) throws -> Value = { [self] interp, source in
        switch source {
        case .undefined, .null: return .object(newTypedArray(kind, []))
        case .number(let n):
          guard n >= 0, n == n.rounded(), n <= 1e9 else {
            throw ScriptThrow.rangeError("Invalid typed array length: \(formatNumber(n))")
          }
          return .object(newTypedArray(kind, [Double](repeating: 0, count: Int(n))))
        default:
          let items = try interp.collect(source)
          return .object(newTypedArray(kind, try items.map { try interp.toNumber($0) }))
        }
      }
      let ctor = NativeFunction(
        prototype: realm.functionPrototype, name: kind.rawValue, arity: 3,
        construct: { interp, args, _ in try make(interp, args[0]) },
        body: { _ in
          throw ScriptThrow.typeError("Constructor \(kind.rawValue) requires 'new'")
        })
      ctor.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false))
      proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))
      ctor.defineOwn("BYTES_PER_ELEMENT", Property(
        .number(kind == .uint8 ? 1 : 4), enumerable: false, writable: false))
      realm.install([
        .function("from", arity: 1) { call in try make(call.interpreter, call.arguments[0]) },
        .function("of", arity: 0) { [self] call in
          .object(newTypedArray(kind, try call.arguments.values.map {
            try call.interpreter.toNumber($0)
          }))
        },
      ], into: ctor, prefix: kind.rawValue + ".")
      interpreter.defineGlobal(kind.rawValue, .object(ctor))
    }
  }

  private var typedArrayMethods: [NativeEntry] {
    func this(_ call: NativeCall) throws -> TypedArrayObject {
      guard case .object(let o) = call.this, let t = o as? TypedArrayObject else {
        throw ScriptThrow.typeError("this is not a typed array.")
      }
      return t
    }
    func callback(_ call: NativeCall) throws -> JSFunction {
      guard case .object(let o) = call.arguments[0], let f = o as? JSFunction else {
        throw ScriptThrow.typeError(
          "\(Arguments.describeKind(call.arguments[0])) is not a function")
      }
      return f
    }
    func each(_ call: NativeCall, _ body: (Int, Value, Value) throws -> Bool) throws {
      let t = try this(call)
      let f = try callback(call)
      for i in t.values.indices {
        let v = Value.number(t.values[i])
        let r = try f.call(call.interpreter, this: call.arguments[1],
                           arguments: [v, .number(Double(i)), call.this])
        if try !body(i, v, r) { return }
      }
    }
    return [
      .getter("length") { _, this in
        guard case .object(let o) = this, let t = o as? TypedArrayObject else { return .undefined }
        return .number(Double(t.values.count))
      },
      .function("at", arity: 1) { call in
        let t = try this(call)
        var d = try call.interpreter.toNumber(call.arguments[0])
        d = d.isNaN ? 0 : d.rounded(.towardZero)
        if d < 0 { d += Double(t.values.count) }
        return d >= 0 && d < Double(t.values.count) ? .number(t.values[Int(d)]) : .undefined
      },
      .function("every", arity: 1) { call in
        var all = true
        try each(call) { _, _, r in all = r.isTruthy; return all }
        return .bool(all)
      },
      .function("fill", arity: 1) { call in
        let t = try this(call)
        let v = t.kind.store(try call.interpreter.toNumber(call.arguments[0]))
        for i in t.values.indices { t.values[i] = v }
        return call.this
      },
      .function("findIndex", arity: 1) { call in
        var found = -1
        try each(call) { i, _, r in
          if r.isTruthy { found = i; return false }
          return true
        }
        return .number(Double(found))
      },
      .function("forEach", arity: 1) { call in
        try each(call) { _, _, _ in true }
        return .undefined
      },
      .function("includes", arity: 1) { call in
        let t = try this(call)
        return .bool(t.values.contains { sameValueZero(.number($0), call.arguments[0]) })
      },
      .function("indexOf", arity: 1) { call in
        let t = try this(call)
        guard case .number(let d) = call.arguments[0] else { return .number(-1) }
        return .number(Double(t.values.firstIndex(of: d) ?? -1))
      },
      .function("join", arity: 1) { call in
        let t = try this(call)
        let sep = call.arguments[0].isUndefined ? "," : try call.interpreter.toString(call.arguments[0])
        return .string(t.values.map(formatNumber).joined(separator: sep))
      },
      .function("map", arity: 1) { [self] call in
        let t = try this(call)
        var out: [Double] = []
        out.reserveCapacity(t.values.count)
        try each(call) { _, _, r in
          out.append(try call.interpreter.toNumber(r))
          return true
        }
        return .object(newTypedArray(t.kind, out))
      },
      .function("reduce", arity: 1) { call in
        let t = try this(call)
        let f = try callback(call)
        var i = 0
        var acc: Value
        if call.arguments.count > 1 {
          acc = call.arguments[1]
        } else {
          guard let first = t.values.first else {
            throw ScriptThrow.typeError("Reduce of empty array with no initial value")
          }
          acc = .number(first)
          i = 1
        }
        while i < t.values.count {
          acc = try f.call(call.interpreter, this: .undefined,
                           arguments: [acc, .number(t.values[i]), .number(Double(i)), call.this])
          i += 1
        }
        return acc
      },
      .function("slice", arity: 2) { [self] call in
        let t = try this(call)
        let n = t.values.count
        func index(_ v: Value, _ fallback: Int) throws -> Int {
          if v.isUndefined { return fallback }
          let d = try call.interpreter.toNumber(v)
          if d.isNaN { return 0 }
          let k = d < 0 ? max(0, Double(n) + d) : min(d, Double(n))
          return Int(k.rounded(.towardZero))
        }
        let start = try index(call.arguments[0], 0)
        let end = try index(call.arguments[1], n)
        return .object(newTypedArray(t.kind, start < end ? Array(t.values[start..<end]) : []))
      },
      .function("some", arity: 1) { call in
        var any = false
        try each(call) { _, _, r in any = r.isTruthy; return !any }
        return .bool(any)
      },
      .function("filter", arity: 1) { [self] call in
        let t = try this(call)
        var out: [Double] = []
        try each(call) { _, v, r in
          if r.isTruthy, case .number(let d) = v { out.append(d) }
          return true
        }
        return .object(newTypedArray(t.kind, out))
      },
      .function("find", arity: 1) { call in
        var found = Value.undefined
        try each(call) { _, v, r in
          if r.isTruthy { found = v; return false }
          return true
        }
        return found
      },
      .function("reverse", arity: 0) { call in
        let t = try this(call)
        t.values.reverse()
        return call.this
      },
      .function("set", arity: 2) { call in
        let t = try this(call)
        let source = try call.interpreter.collect(call.arguments[0])
        var at = call.arguments[1].isUndefined ? 0 : try call.interpreter.toNumber(call.arguments[1])
        at = at.isNaN ? 0 : at.rounded(.towardZero)
        guard at >= 0, at + Double(source.count) <= Double(t.values.count) else {
          throw ScriptThrow.rangeError("offset is out of bounds")
        }
        let offset = Int(at)
        for (i, v) in source.enumerated() {
          t.values[offset + i] = t.kind.store(try call.interpreter.toNumber(v))
        }
        return .undefined
      },
      .function("sort", arity: 1) { call in
        let t = try this(call)
        if case .object(let o) = call.arguments[0], let f = o as? JSFunction {
          var failure: Error?
          t.values.sort { a, b in
            guard failure == nil else { return false }
            do {
              let r = try f.call(call.interpreter, this: .undefined, arguments: [.number(a), .number(b)])
              return try call.interpreter.toNumber(r) < 0
            } catch {
              failure = error
              return false
            }
          }
          if let failure { throw failure }
        } else {
          // Numeric order; NaN last, as typed arrays sort.
          t.values.sort { a, b in a.isNaN ? false : (b.isNaN ? true : a < b) }
        }
        return call.this
      },
      .function("toString", arity: 0) { call in
        .string(try this(call).values.map(formatNumber).joined(separator: ","))
      },
    ]
  }
}
