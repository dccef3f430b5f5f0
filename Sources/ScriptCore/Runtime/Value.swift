// Script values. Numbers are unboxed doubles; everything with identity is a
// `JSObject` (plain objects, arrays, functions, Map, Set, errors, promises and
// host objects such as tensors).

public enum Value {
  case undefined
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case object(JSObject)

  public static let `true` = Value.bool(true)
  public static let `false` = Value.bool(false)

  /// JS truthiness (ToBoolean).
  @inline(__always)
  public var isTruthy: Bool {
    switch self {
    case .undefined, .null: return false
    case .bool(let b): return b
    case .number(let n): return !(n == 0 || n.isNaN)
    case .string(let s): return !s.isEmpty
    case .object: return true
    }
  }

  public var isUndefined: Bool {
    if case .undefined = self { return true }
    return false
  }

  /// `undefined` or `null`.
  public var isNullish: Bool {
    switch self {
    case .undefined, .null: return true
    default: return false
    }
  }

  public var asObject: JSObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  public var asNumber: Double? {
    if case .number(let n) = self { return n }
    return nil
  }

  public var asString: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// What `typeof` says.
  public var typeName: String {
    switch self {
    case .undefined: return "undefined"
    case .null: return "object"
    case .bool: return "boolean"
    case .number: return "number"
    case .string: return "string"
    case .object(let o): return o is JSFunction ? "function" : "object"
    }
  }
}

extension Value: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

// MARK: - Errors thrown through Swift

/// The JS error constructors a native function can throw by name.
public enum ErrorKind: String, Sendable {
  case error = "Error"
  case typeError = "TypeError"
  case rangeError = "RangeError"
  case referenceError = "ReferenceError"
  case syntaxError = "SyntaxError"
  case evalError = "EvalError"
  case uriError = "URIError"
}

/// How a JS exception travels through Swift code. Natives throw `.error`
/// (the interpreter turns it into a real Error object with a stack when it
/// is caught or reported); `throw expr` in a script throws `.value`.
public enum ScriptThrow: Error {
  case value(Value)
  case error(ErrorKind, String)

  public static func typeError(_ message: String) -> ScriptThrow { .error(.typeError, message) }
  public static func rangeError(_ message: String) -> ScriptThrow { .error(.rangeError, message) }
  public static func plain(_ message: String) -> ScriptThrow { .error(.error, message) }
}
