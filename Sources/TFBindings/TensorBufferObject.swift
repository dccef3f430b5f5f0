// `tf.buffer(shape, dtype?, values?)` and `tensor.bufferSync()`: a mutable
// TensorBuffer with `set(value, ...locs)`, `get(...locs)` and `toTensor()`.

import ScriptCore
import TensorEngine

/// A `tf.TensorBuffer` in a script.
final class TensorBufferObject: JSObject {
  let buffer: TensorBuffer

  init(prototype: JSObject?, buffer: TensorBuffer) {
    self.buffer = buffer
    super.init(prototype: prototype)
  }

  override var className: String { "TensorBuffer" }

  /// `TensorBuffer { dtype: 'float32', shape: [ 2 ], size: 2, values: Float32Array(2) [...] }`.
  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let realm = interpreter.realm
    let shown = realm.newObject()
    shown.put("dtype", .string(buffer.dtype.rawValue))
    shown.put("shape", shapeValue(buffer.shape, realm: realm))
    shown.put("size", .number(Double(buffer.values.count)))
    let kind = TypedArrayObject.Kind(buffer.dtype)
    shown.put("values", .object(TypedArrayObject(
      prototype: nil, kind: kind, values: buffer.values.map { Double($0) })))
    return "TensorBuffer " + interpreter.inspect(.object(shown), colors: colors)
  }
}

extension TFContext {
  /// A buffer object holding a copy of `t`'s values.
  func bufferObject(_ t: Tensor) throws -> Value {
    let b = try TensorBuffer(shape: t.shape, dtype: t.dtype, values: try t.dataSync())
    return .object(TensorBufferObject(prototype: bufferPrototype, buffer: b))
  }

  /// `tf.buffer(shape, dtype?, values?)`.
  var bufferOp: OpDef {
    OpDef("buffer", 3, chain: .none) { [self] interp, a in
      let shape = try a.shape(0)
      let dtype = try a.dtype(1) ?? .float32
      var values: [Float]?
      if !a[2].isNullish {
        values = try interp.collect(a[2]).map { Float(try interp.toNumber($0)) }
      }
      let b = try TensorBuffer(shape: shape, dtype: dtype, values: values)
      return .object(TensorBufferObject(prototype: bufferPrototype, buffer: b))
    }
  }

  var bufferMethods: [NativeEntry] {
    func this(_ call: NativeCall) throws -> TensorBuffer {
      guard case .object(let o) = call.this, let b = o as? TensorBufferObject else {
        throw ScriptThrow.typeError("this is not a TensorBuffer")
      }
      return b.buffer
    }
    func locations(_ values: ArraySlice<Value>, _ function: String, _ b: TensorBuffer) throws -> [Int] {
      try values.map { v in
        guard case .number(let d) = v, d.isFinite, d == d.rounded() else {
          throw argumentError("Argument 'locs' passed to '\(function)' must be integers")
        }
        // No location reaches 2^53; such a number would trap in Int().
        guard Swift.abs(d) < 9_007_199_254_740_992 else {
          let shown = values.map { v in v.asNumber.map(formatNumber) ?? "" }.joined(separator: ",")
          let shape = b.shape.map(String.init).joined(separator: ",")
          throw argumentError("Requested out of range element at \(shown).   Buffer shape=\(shape)")
        }
        return Int(d)
      }
    }
    return [
      .getter("shape") { interp, this in
        guard case .object(let o) = this, let b = o as? TensorBufferObject else { return .undefined }
        return shapeValue(b.buffer.shape, realm: interp.realm)
      },
      .getter("dtype") { _, this in
        guard case .object(let o) = this, let b = o as? TensorBufferObject else { return .undefined }
        return .string(b.buffer.dtype.rawValue)
      },
      .getter("size") { _, this in
        guard case .object(let o) = this, let b = o as? TensorBufferObject else { return .undefined }
        return .number(Double(b.buffer.values.count))
      },
      .getter("values") { [self] _, this in
        guard case .object(let o) = this, let b = o as? TensorBufferObject else { return .undefined }
        return .object(typedArray(for: b.buffer.dtype, b.buffer.values))
      },
      .function("get", arity: 0) { call in
        let b = try this(call)
        let locs = try locations(call.arguments.values[...], "get", b)
        return try engineCall { .number(Double(try b.get(locs))) }
      },
      .function("set", arity: 1) { call in
        let b = try this(call)
        let value = try call.interpreter.toNumber(call.arguments[0])
        let locs = try locations(call.arguments.values.dropFirst(), "set", b)
        try engineCall { try b.set(Float(value), locs) }
        return .undefined
      },
      .function("toTensor", arity: 0) { [self] call in wrap(try this(call).toTensor()) },
    ]
  }
}
