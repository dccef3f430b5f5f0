// The embedding API's native side: functions written in Swift, their checked
// argument accessors, and the tables that install a namespace in one call.
//
// A native never formats its own type-check message: the accessors do, in
// TF.js's and V8's words, naming the function and the argument, so every
// binding reports bad input the same way.

/// What a native function receives.
public struct NativeCall {
  public let interpreter: Interpreter
  public let this: Value
  public let arguments: Arguments
}

public typealias NativeBody = (NativeCall) throws -> Value

/// A function implemented in Swift.
public final class NativeFunction: JSFunction {
  public let arity: Int
  public let body: NativeBody
  /// When set, `new F(...)` calls this with `this` = the new target.
  public let constructBody: ((Interpreter, Arguments, JSObject) throws -> Value)?

  public init(
    prototype: JSObject?, name: String, arity: Int,
    construct: ((Interpreter, Arguments, JSObject) throws -> Value)? = nil,
    body: @escaping NativeBody
  ) {
    self.arity = arity
    self.body = body
    self.constructBody = construct
    super.init(prototype: prototype, name: name)
  }

  public override func ownProperty(_ key: String) -> Property? {
    if let p = storage.find(key) { return p }
    switch key {
    case "name": return Property(.string(name), enumerable: false, writable: false)
    case "length": return Property(.number(Double(arity)), enumerable: false, writable: false)
    default: return nil
    }
  }

  public override func call(_ interpreter: Interpreter, this: Value, arguments: [Value]) throws -> Value {
    try body(NativeCall(interpreter: interpreter, this: this, arguments: Arguments(arguments, function: name)))
  }

  public override func construct(_ interpreter: Interpreter, arguments: [Value], newTarget: JSObject) throws -> Value {
    guard let c = constructBody else { return try super.construct(interpreter, arguments: arguments, newTarget: newTarget) }
    return try c(interpreter, Arguments(arguments, function: name), newTarget)
  }

  public override var isConstructor: Bool { constructBody != nil }
}

/// The arguments of a native call with checked accessors. Indices past the
/// end read as `undefined`, as in JS.
public struct Arguments {
  public let values: [Value]
  /// The function's script-visible name, used in error messages (`tf.add`, `dense`).
  public let function: String

  public init(_ values: [Value], function: String) {
    self.values = values
    self.function = function
  }

  public var count: Int { values.count }

  public subscript(_ i: Int) -> Value {
    i < values.count ? values[i] : .undefined
  }

  /// A description of a value's kind for error messages (`'string'`, `'undefined'`, `'Array'`).
  public static func describeKind(_ v: Value) -> String {
    switch v {
    case .object(let o): return o is JSFunction ? "function" : o.className
    default: return v.typeName == "object" ? "null" : v.typeName
    }
  }

  public func typeError(_ i: Int, name: String, expected: String) -> ScriptThrow {
    .typeError("Argument '\(name)' passed to '\(function)' must be \(expected), but got '\(Arguments.describeKind(self[i]))'")
  }

  public func number(_ i: Int, name: String) throws -> Double {
    if case .number(let n) = self[i] { return n }
    throw typeError(i, name: name, expected: "a number")
  }

  public func optionalNumber(_ i: Int, name: String) throws -> Double? {
    if self[i].isNullish { return nil }
    return try number(i, name: name)
  }

  /// A whole number (rejects 1.5, NaN and infinities).
  public func integer(_ i: Int, name: String) throws -> Int {
    let d = try number(i, name: name)
    guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else {
      throw ScriptThrow.rangeError("Argument '\(name)' passed to '\(function)' must be an integer, but got \(d)")
    }
    return Int(d)
  }

  public func string(_ i: Int, name: String) throws -> String {
    if case .string(let s) = self[i] { return s }
    throw typeError(i, name: name, expected: "a string")
  }

  public func optionalString(_ i: Int, name: String) throws -> String? {
    if self[i].isNullish { return nil }
    return try string(i, name: name)
  }

  public func bool(_ i: Int, name: String) throws -> Bool {
    if case .bool(let b) = self[i] { return b }
    throw typeError(i, name: name, expected: "a boolean")
  }

  public func object(_ i: Int, name: String) throws -> JSObject {
    if case .object(let o) = self[i] { return o }
    throw typeError(i, name: name, expected: "an object")
  }

  /// An options object (`{epochs: 5}`); nil when the argument is missing or undefined.
  public func options(_ i: Int, name: String = "args") throws -> JSObject? {
    if self[i].isNullish { return nil }
    return try object(i, name: name)
  }

  public func function(_ i: Int, name: String) throws -> JSFunction {
    if case .object(let o) = self[i], let f = o as? JSFunction { return f }
    throw typeError(i, name: name, expected: "a function")
  }

  public func array(_ i: Int, name: String) throws -> JSArray {
    if case .object(let o) = self[i], let a = o as? JSArray { return a }
    throw typeError(i, name: name, expected: "an Array")
  }
}

/// One entry of a namespace table: a function, a constant or a getter.
public enum NativeEntry {
  case function(String, arity: Int, NativeBody)
  case constant(String, Value)
  case getter(String, (Interpreter, Value) throws -> Value)
}
