// Conversions between script values and tensors, in one place: every binding
// reads its tensor arguments through `Arguments.tensor(_:_:)` and friends, so
// bad input is reported once, in TF.js's words
// (`Argument 'x' passed to 'add' must be a Tensor or TensorLike, but got 'Object'`),
// and every engine error (TensorError) becomes a JS `Error` with the same text.

import ScriptCore
import TensorEngine
import TensorLayers

// MARK: - Errors

/// Runs engine or layers code, turning a `TensorError` or `LayersError` into a script
/// `Error` with the same message. (TF.js's ValueError and friends keep the name
/// `Error`: they subclass Error without renaming it.) Other errors pass through:
/// script throws, interrupts and `process.exit` must keep unwinding.
@inline(__always)
func engineCall<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let e as TensorError {
    throw ScriptThrow.plain(e.message)
  } catch let e as LayersError {
    throw ScriptThrow.plain(e.message)
  }
}

/// A table entry whose body's engine errors become script errors.
func op(_ name: String, _ arity: Int, _ body: @escaping NativeBody) -> NativeEntry {
  .function(name, arity: arity) { call in try engineCall { try body(call) } }
}

/// The plain `Error` TF.js throws for a bad argument.
func argumentError(_ message: String) -> ScriptThrow { .plain(message) }

// MARK: - TensorLike → Tensor

/// What `x.constructor.name` says for a value TF.js cannot convert.
private func constructorName(_ v: Value) -> String {
  switch v {
  case .undefined, .null: return "null"
  case .object(let o):
    if o is JSFunction { return "Function" }
    if case .object(let ctor) = o.getDataValue("constructor"), let f = ctor as? JSFunction {
      return f.name
    }
    return o.className
  default: return v.typeName
  }
}

/// The dtype TF.js infers for a TensorLike (`inferDtype`).
func inferredDtype(_ v: Value) -> DType? {
  switch v {
  case .bool: return .bool
  case .number: return .float32
  case .object(let o):
    if let t = o as? TypedArrayObject { return t.kind.dtype }
    if let a = o as? JSArray, let first = a.elements.first { return inferredDtype(first) }
    return .float32
  default: return nil
  }
}

extension Value {
  /// True for a string, or an array whose first leaf is a string (a string TensorLike).
  var isStringLike: Bool {
    switch self {
    case .string: return true
    case .object(let o):
      if let a = o as? JSArray, let first = a.elements.first { return first.isStringLike }
      return false
    default: return false
    }
  }
}

/// The nested values of an array TensorLike (numbers, booleans, arrays, typed arrays).
func nestedValues(_ v: Value, _ name: String, _ function: String) throws -> NestedValues {
  switch v {
  case .number(let d): return .number(d)
  case .bool(let b): return .bool(b)
  case .object(let o):
    if let a = o as? JSArray {
      return .array(try a.elements.map { try nestedValues($0, name, function) })
    }
    if let t = o as? TypedArrayObject { return .array(t.values.map { .number($0) }) }
    if o is TensorObject {
      throw argumentError(
        "Argument '\(name)' passed to '\(function)' must be a Tensor or TensorLike, but got "
          + "an array containing a Tensor; use tf.stack to join tensors")
    }
    throw argumentError(
      "Argument '\(name)' passed to '\(function)' must be a Tensor or TensorLike, but got "
        + "an array containing '\(constructorName(v))'")
  case .string:
    throw argumentError("string tensors are not supported (argument '\(name)' of '\(function)')")
  case .undefined, .null:
    // TF.js stores undefined/null elements as NaN (toTypedArray of a float32 array).
    return .number(.nan)
  }
}

/// The flat values and shape of a regular (non-ragged) nested array whose leaves are all
/// numbers or all booleans, read in one pass; nil when the array needs the general path
/// (`nestedValues`), which also produces TF.js's messages for ragged input.
func flattenRegularArray(_ array: JSArray) -> (values: [Float], shape: [Int], isBool: Bool)? {
  var shape: [Int] = []
  var probe: JSArray? = array
  while let a = probe {
    shape.append(a.elements.count)
    probe = a.elements.first?.asObject as? JSArray
  }
  guard let firstLeaf = leafOf(array, depth: shape.count) else { return nil }
  let isBool: Bool
  switch firstLeaf {
  case .number: isBool = false
  case .bool: isBool = true
  default: return nil
  }
  var values: [Float] = []
  values.reserveCapacity(shape.reduce(1, *))
  func fill(_ a: JSArray, _ d: Int) -> Bool {
    guard a.elements.count == shape[d] else { return false }
    if d == shape.count - 1 {
      for e in a.elements {
        switch e {
        case .number(let n) where !isBool: values.append(Float(n))
        case .bool(let b) where isBool: values.append(b ? 1 : 0)
        default: return false
        }
      }
      return true
    }
    for e in a.elements {
      guard case .object(let o) = e, let sub = o as? JSArray, fill(sub, d + 1) else { return false }
    }
    return true
  }
  return fill(array, 0) ? (values, shape, isBool) : nil
}

/// The first leaf `depth` levels down, or nil for an empty array.
private func leafOf(_ array: JSArray, depth: Int) -> Value? {
  var v: Value = .object(array)
  for _ in 0..<depth {
    guard case .object(let o) = v, let a = o as? JSArray, let first = a.elements.first else {
      return nil
    }
    v = first
  }
  return v
}

/// Converts a TensorLike to a tensor as TF.js's `convertToTensor(x, argName, functionName,
/// parseAsDtype)` does: tensors pass through (but must have `dtype` when it is given);
/// numbers, booleans, (nested) arrays and typed arrays become new tensors, of `dtype`
/// when given.
func convertToTensor(_ v: Value, _ name: String, _ function: String, dtype: DType? = nil)
  throws -> Tensor
{
  if case .object(let o) = v, let t = o as? TensorObject {
    if let dtype, t.tensor.dtype != dtype {
      throw argumentError(
        "Argument '\(name)' passed to '\(function)' must be \(dtype) tensor, but got "
          + "\(t.tensor.dtype) tensor")
    }
    return t.tensor
  }
  if v.isStringLike {
    throw argumentError(
      "Argument '\(name)' passed to '\(function)' must be numeric tensor, but got string tensor")
  }
  guard let inferred = inferredDtype(v) else {
    throw argumentError(
      "Argument '\(name)' passed to '\(function)' must be a Tensor or TensorLike, but got "
        + "'\(constructorName(v))'")
  }
  let target = dtype ?? inferred
  return try engineCall {
    switch v {
    case .number(let d): return Tensor.scalar(Float(d), dtype: target)
    case .bool(let b): return Tensor.scalar(b ? 1 : 0, dtype: target)
    case .object(let o):
      if let t = o as? TypedArrayObject {
        return try Tensor.tensor(t.values.map { Float($0) }, shape: [t.values.count], dtype: target)
      }
      if let a = o as? JSArray {
        if let flat = flattenRegularArray(a) {
          return try Tensor.tensor(flat.values, shape: flat.shape, dtype: dtype ?? (flat.isBool ? .bool : .float32))
        }
        return try Tensor.tensor(nested: try nestedValues(v, name, function), dtype: target)
      }
    default: break
    }
    throw argumentError(
      "Argument '\(name)' passed to '\(function)' must be a Tensor or TensorLike, but got "
        + "'\(constructorName(v))'")
  }
}

// MARK: - Checked argument accessors

extension Arguments {
  /// Argument `i` as a tensor (TensorLike converted), named `name` in errors.
  func tensor(_ i: Int, _ name: String, dtype: DType? = nil) throws -> Tensor {
    try convertToTensor(self[i], name, function, dtype: dtype)
  }

  /// Argument `i` as a tensor, or nil when missing/null.
  func optionalTensor(_ i: Int, _ name: String) throws -> Tensor? {
    self[i].isNullish ? nil : try tensor(i, name)
  }

  /// Argument `i` as a list of tensors (`tf.concat`, `tf.stack`).
  func tensorList(_ i: Int, _ name: String) throws -> [Tensor] {
    guard case .object(let o) = self[i], let a = o as? JSArray else {
      throw argumentError(
        "Argument \(name) passed to \(function) must be a `Tensor[]` or `TensorLike[]`")
    }
    return try a.elements.enumerated().map { j, v in
      try convertToTensor(v, "\(name)[\(j)]", function)
    }
  }

  /// A whole number argument, or `fallback` when missing.
  func int(_ i: Int, _ name: String, default fallback: Int) throws -> Int {
    self[i].isNullish ? fallback : try integer(i, name: name)
  }

  /// A number argument, or `fallback` when missing.
  func double(_ i: Int, _ name: String, default fallback: Double) throws -> Double {
    self[i].isNullish ? fallback : try number(i, name: name)
  }

  /// A boolean flag (`keepDims`), JS-truthy, `fallback` when missing.
  func flag(_ i: Int, default fallback: Bool = false) -> Bool {
    self[i].isNullish ? fallback : self[i].isTruthy
  }

  /// An axis list: a number, an array of numbers, or nil for null/undefined.
  func axes(_ i: Int, _ name: String = "axis") throws -> [Int]? {
    switch self[i] {
    case .undefined, .null: return nil
    case .number: return [try integer(i, name: name)]
    default: return try intList(i, name)
    }
  }

  /// An array of whole numbers (`shape`, `perm`, `begin`).
  func intList(_ i: Int, _ name: String) throws -> [Int] {
    guard case .object(let o) = self[i] else {
      throw typeError(i, name: name, expected: "an array of numbers")
    }
    let items: [Value]
    if let a = o as? JSArray {
      items = a.elements
    } else if let t = o as? TypedArrayObject {
      items = t.values.map { .number($0) }
    } else {
      throw typeError(i, name: name, expected: "an array of numbers")
    }
    return try items.map { item in
      guard case .number(let d) = item, d.isFinite, d == d.rounded(), Swift.abs(d) < 9e15 else {
        throw argumentError(
          "Argument '\(name)' passed to '\(function)' must be an array of integers, but got "
            + "[\(items.map(describeElement).joined(separator: ","))]")
      }
      return Int(d)
    }
  }

  /// A shape argument (array of non-negative integers, -1 allowed where the op infers it).
  func shape(_ i: Int, _ name: String = "shape") throws -> [Int] {
    if case .number = self[i] { return [try integer(i, name: name)] }
    return try intList(i, name)
  }

  /// An optional shape argument.
  func optionalShape(_ i: Int, _ name: String = "shape") throws -> [Int]? {
    self[i].isNullish ? nil : try shape(i, name)
  }

  /// A dtype name (`'float32'`, `'int32'`, `'bool'`), nil when missing.
  func dtype(_ i: Int) throws -> DType? {
    switch self[i] {
    case .undefined, .null: return nil
    case .string(let s):
      if s == "string" || s == "complex64" {
        throw argumentError("dtype '\(s)' is not supported by tl (float32, int32 and bool are)")
      }
      return try engineCall { try DType(name: s) }
    default: throw typeError(i, name: "dtype", expected: "a string")
    }
  }

  /// An optional seed (a number, as TF.js takes it).
  func seed(_ i: Int) throws -> Double? {
    self[i].isNullish ? nil : try number(i, name: "seed")
  }
}

private func describeElement(_ v: Value) -> String {
  switch v {
  case .number(let d): return formatNumber(d)
  case .string(let s): return s
  case .bool(let b): return b ? "true" : "false"
  case .undefined: return ""
  case .null: return ""
  case .object: return "[object Object]"
  }
}

// MARK: - Options objects

extension Interpreter {
  /// A number field of an options object, or nil when missing.
  func numberOption(_ o: JSObject?, _ key: String, _ function: String) throws -> Double? {
    guard let o else { return nil }
    let v = try get(.object(o), key)
    if v.isNullish { return nil }
    guard case .number(let d) = v else {
      throw ScriptThrow.typeError(
        "Option '\(key)' passed to '\(function)' must be a number, but got "
          + "'\(Arguments.describeKind(v))'")
    }
    return d
  }

  /// A field of an options object (undefined when the object is missing).
  func option(_ o: JSObject?, _ key: String) throws -> Value {
    guard let o else { return .undefined }
    return try get(.object(o), key)
  }
}

// MARK: - Tensor → script values

/// A JS number for one element (bool and int32 values are exact).
@inline(__always)
func jsValue(_ v: Float) -> Value { .number(Double(v)) }

/// The nested arrays of `arraySync()`: numbers (bool as 0/1, as TF.js), a number for a scalar.
func nestedArray(_ values: [Float], shape: [Int], realm: Realm) -> Value {
  if shape.isEmpty { return values.first.map(jsValue) ?? .undefined }
  func build(_ offset: Int, _ dim: Int) -> Value {
    let n = shape[dim]
    if dim == shape.count - 1 {
      return .object(realm.newArray((0..<n).map { jsValue(values[offset + $0]) }))
    }
    let stride = shape[(dim + 1)...].reduce(1, *)
    return .object(realm.newArray((0..<n).map { build(offset + $0 * stride, dim + 1) }))
  }
  return build(0, 0)
}

/// A JS array of shape dimensions.
func shapeValue(_ shape: [Int], realm: Realm) -> Value {
  .object(realm.newArray(shape.map { .number(Double($0)) }))
}
