// The Tensor host object: an engine tensor seen from a script. Its properties
// (`shape`, `dtype`, `rank`, `size`, `id`, `isDisposed`) are computed from the
// tensor; its methods live on one shared prototype (TF.js's chainable ops plus
// the data accessors below). `console.log(t)` and the REPL echo show TF.js's
// `toString()`: `Tensor\n    [1, 2, 3]`.

import ScriptCore
import TensorEngine

/// A `tf.Tensor` (or `tf.Variable`) in a script.
final class TensorObject: JSObject {
  /// The engine tensor (a `Variable` for `tf.variable`).
  let tensor: Tensor
  /// The realm's `Array.prototype`, for the fresh `shape` arrays.
  private let arrayPrototype: JSObject

  init(prototype: JSObject?, tensor: Tensor, arrayPrototype: JSObject) {
    self.tensor = tensor
    self.arrayPrototype = arrayPrototype
    super.init(prototype: prototype)
  }

  override var className: String { tensor is Variable ? "Variable" : "Tensor" }

  private static let computedKeys = ["shape", "dtype", "size", "rank", "strides", "id",
                                     "isDisposed", "kept"]

  override func ownProperty(_ key: String) -> Property? {
    let t = tensor
    let value: Value
    switch key {
    case "shape": value = .object(JSArray(prototype: arrayPrototype, elements:
        t.shape.map { .number(Double($0)) }))
    case "dtype": value = .string(t.dtype.rawValue)
    case "size": value = .number(Double(t.size))
    case "rank": value = .number(Double(t.rank))
    case "strides":
      var strides: [Value] = []
      var acc = 1
      for d in t.shape.dropFirst().reversed() {
        acc *= d
        strides.insert(.number(Double(acc)), at: 0)
      }
      value = .object(JSArray(prototype: arrayPrototype, elements: strides))
    case "id": value = .number(Double(t.id))
    case "isDisposed": value = .bool(t.isDisposed)
    case "kept": value = .bool(t.isKept)
    case "name":
      guard let v = t as? Variable else { return storage.find(key) }
      value = .string(v.name)
    case "trainable":
      guard let v = t as? Variable else { return storage.find(key) }
      value = .bool(v.trainable)
    default: return storage.find(key)
    }
    let enumerable = key != "rank" && key != "isDisposed"
    return Property(value, enumerable: enumerable, writable: false, configurable: false)
  }

  override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if key == "trainable", let v = tensor as? Variable, case .value(let b) = property.slot {
      v.trainable = b.isTruthy
      return true
    }
    if TensorObject.computedKeys.contains(key) { return false }
    return super.defineOwn(key, property)
  }

  override func ownKeys() -> [String] {
    var keys = ["kept", "shape", "dtype", "size", "strides", "id", "rank", "isDisposed"]
    if tensor is Variable { keys += ["name", "trainable"] }
    return keys + storage.orderedKeys
  }

  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    tensor.toString()
  }
}

// MARK: - Tensor methods

extension TFContext {
  /// The data accessors and lifecycle methods of every tensor.
  var tensorMethods: [NativeEntry] {
    [
      method("array", 0) { [self] interp, t, _, _ in
        .object(settled(interp) { nestedArray(try t.dataSync(), shape: t.shape, realm: interp.realm) })
      },
      method("arraySync", 0) { interp, t, _, _ in
        nestedArray(try t.dataSync(), shape: t.shape, realm: interp.realm)
      },
      method("buffer", 0) { [self] interp, t, _, _ in
        .object(settled(interp) { try bufferObject(t) })
      },
      method("bufferSync", 0) { [self] _, t, _, _ in try bufferObject(t) },
      method("clone", 0) { [self] _, t, _, _ in wrap(try t.clone()) },
      method("data", 0) { [self] interp, t, _, _ in
        .object(settled(interp) { .object(typedArray(for: t.dtype, try t.dataSync())) })
      },
      method("dataSync", 0) { [self] _, t, _, _ in
        .object(typedArray(for: t.dtype, try t.dataSync()))
      },
      .function("dispose", arity: 0) { call in
        try receiverTensor(call.this, "dispose").dispose()
        return .undefined
      },
      method("print", 1) { interp, t, a, _ in
        try t.checkAlive()
        interp.output.write(t.toString(verbose: a.flag(0)) + "\n", to: .stdout)
        return .undefined
      },
      method("throwIfDisposed", 0) { _, t, _, _ in
        try t.checkAlive()
        return .undefined
      },
      .function("toString", arity: 1) { call in
        let t = try receiverTensor(call.this, "toString")
        try engineCall { try t.checkAlive() }
        return .string(t.toString(verbose: call.arguments.flag(0)))
      },
      method("variable", 3) { [self] _, t, a, _ in
        wrap(try Variable.make(
          t, trainable: a.flag(0, default: true), name: try a.optionalString(1, name: "name"),
          dtype: try a.dtype(2)))
      },
    ]
  }

  /// The methods only variables have.
  var variableMethods: [NativeEntry] {
    [
      method("assign", 1) { _, t, a, _ in
        guard let v = t as? Variable else { return .undefined }
        try v.assign(try a.tensor(0, "newValue"))
        return .undefined
      },
    ]
  }

  /// A promise already fulfilled with `value` (`tf.ready()`).
  func resolved(_ value: Value, _ interp: Interpreter) -> PromiseObject {
    let p = interp.newPromise()
    interp.resolvePromise(p, with: value)
    return p
  }

  /// A promise settled with what `body` returns or throws, as TF.js's async methods
  /// (`data()` on a disposed tensor rejects rather than throwing).
  func settled(_ interp: Interpreter, _ body: () throws -> Value) -> PromiseObject {
    let p = interp.newPromise()
    do {
      interp.resolvePromise(p, with: try engineCall(body))
    } catch {
      interp.rejectPromise(p, with: interp.thrownValue(error))
    }
    return p
  }
}
