// `tf.SymbolicTensor` in scripts: the placeholder `tf.input()` and
// `layer.apply(symbolic)` give. Its fields are read from the TensorLayers
// symbolic tensor: `shape` has `null` for unknown dimensions (the batch),
// `name` is scoped (`dense_Dense1/dense_Dense1`), `sourceLayer` is the layer
// object that produced it.

import ScriptCore
import TensorEngine
import TensorLayers

/// A `tf.SymbolicTensor` in a script.
final class SymbolicTensorObject: JSObject {
  let symbolic: SymbolicTensor
  /// Needed to wrap `shape` arrays and `sourceLayer`; the context outlives every object.
  unowned let context: TFContext

  init(prototype: JSObject?, symbolic: SymbolicTensor, context: TFContext) {
    self.symbolic = symbolic
    self.context = context
    super.init(prototype: prototype)
  }

  override var className: String { "SymbolicTensor" }

  private static let keys = [
    "id", "name", "originalName", "dtype", "shape", "rank", "nodeIndex", "tensorIndex",
    "sourceLayer",
  ]

  override func ownProperty(_ key: String) -> Property? {
    let s = symbolic
    let value: Value
    switch key {
    case "id": value = .number(Double(s.id))
    case "name", "originalName": value = .string(s.name)
    case "dtype": value = .string(s.dtype.rawValue)
    case "shape": value = context.nullableShape(s.shape)
    case "rank": value = .number(Double(s.rank))
    case "nodeIndex": value = .number(Double(s.nodeIndex))
    case "tensorIndex": value = .number(Double(s.tensorIndex))
    case "sourceLayer": value = context.wrapLayer(s.sourceLayer)
    case "inputs": value = .object(context.realm.newArray(s.inputs.map(context.wrapSymbolic)))
    default: return storage.find(key)
    }
    return Property(value, enumerable: key != "sourceLayer" && key != "inputs", writable: false)
  }

  override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if SymbolicTensorObject.keys.contains(key) || key == "inputs" { return false }
    return super.defineOwn(key, property)
  }

  override func ownKeys() -> [String] { SymbolicTensorObject.keys + storage.orderedKeys }

  /// `SymbolicTensor { name: 'dense_Dense1/dense_Dense1', shape: [ null, 10 ], dtype: 'float32' }`.
  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let shown = interpreter.realm.newObject()
    shown.put("name", .string(symbolic.name))
    shown.put("shape", context.nullableShape(symbolic.shape))
    shown.put("dtype", .string(symbolic.dtype.rawValue))
    return "SymbolicTensor " + interpreter.inspect(.object(shown), colors: colors)
  }
}
