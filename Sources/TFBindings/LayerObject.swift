// Layers in scripts: the `Layer` host object (`tf.layers.dense(...)` gives
// one), its prototype (`apply`, `getWeights`, `setWeights`, `getConfig`,
// `countParams`, the `output`/`input`/`outputShape` getters) and the
// conversions between script values and TensorLayers' config values.
//
// One script object per engine layer: `model.layers[0] === model.getLayer('x')`
// holds as in TF.js, through a cache of weak references (a layer nobody holds
// in a script can get a fresh wrapper, which nobody can tell apart).

import ScriptCore
import TensorEngine
import TensorLayers

/// A weak reference, for the wrapper caches.
final class WeakRef<T: AnyObject> {
  weak var value: T?
  init(_ value: T) { self.value = value }
}

/// The Layers API's per-interpreter state: prototypes and wrapper caches.
final class LayersState {
  /// `tf.layers.Layer.prototype`: the methods every layer (and model) has.
  let layerPrototype: JSObject
  /// `tf.LayersModel.prototype` (inherits the layer methods).
  let modelPrototype: JSObject
  /// `tf.Sequential.prototype` (inherits the model methods).
  let sequentialPrototype: JSObject
  /// `tf.SymbolicTensor.prototype`.
  let symbolicPrototype: JSObject
  /// The prototype of `tf.callbacks.*` objects.
  let callbackPrototype: JSObject
  /// The prototype of `tf.initializers.*` and `tf.regularizers.*` objects.
  let initializerPrototype: JSObject
  let regularizerPrototype: JSObject
  /// `tf.GraphModel.prototype`.
  let graphModelPrototype: JSObject
  /// `tf.Callback.prototype`, which script callback classes extend.
  let scriptCallbackPrototype: JSObject
  var layerWrappers: [ObjectIdentifier: WeakRef<LayerObject>] = [:]
  var symbolicWrappers: [ObjectIdentifier: WeakRef<SymbolicTensorObject>] = [:]

  init(realm: Realm) {
    layerPrototype = realm.newObject()
    modelPrototype = JSObject(prototype: layerPrototype)
    sequentialPrototype = JSObject(prototype: modelPrototype)
    symbolicPrototype = realm.newObject()
    callbackPrototype = realm.newObject()
    initializerPrototype = realm.newObject()
    regularizerPrototype = realm.newObject()
    graphModelPrototype = realm.newObject()
    scriptCallbackPrototype = realm.newObject()
  }

  /// Drops cache entries whose wrappers are gone (called as the caches grow).
  func prune() {
    if layerWrappers.count > 256 { layerWrappers = layerWrappers.filter { $0.value.value != nil } }
    if symbolicWrappers.count > 256 {
      symbolicWrappers = symbolicWrappers.filter { $0.value.value != nil }
    }
  }
}

/// A `tf.layers.Layer` (or, as `ModelObject`, a `tf.LayersModel`) in a script.
class LayerObject: JSObject {
  let layer: Layer

  init(prototype: JSObject?, layer: Layer) {
    self.layer = layer
    super.init(prototype: prototype)
  }

  override var className: String { layer.className }

  override func ownProperty(_ key: String) -> Property? {
    switch key {
    case "name": return Property(.string(layer.name), enumerable: true, writable: false)
    case "trainable": return Property(.bool(layer.trainable), enumerable: true)
    default: return storage.find(key)
    }
  }

  override func defineOwn(_ key: String, _ property: Property) -> Bool {
    switch key {
    case "trainable":
      guard case .value(let v) = property.slot else { return false }
      layer.trainable = v.isTruthy
      return true
    case "name": return false
    default: return super.defineOwn(key, property)
    }
  }

  override func ownKeys() -> [String] { ["name", "trainable"] + storage.orderedKeys }

  /// `Dense { name: 'dense_Dense1', trainable: true }`: the layer's class, not the prototype's.
  override func inspect(_ interpreter: Interpreter, depth: Int, colors: Bool) -> String? {
    let shown = interpreter.realm.newObject()
    shown.put("name", .string(layer.name))
    shown.put("trainable", .bool(layer.trainable))
    return layer.className + " " + interpreter.inspect(.object(shown), colors: colors)
  }
}

/// A `tf.Initializer` made by `tf.initializers.*`.
final class InitializerObject: JSObject {
  let initializer: Initializer
  init(prototype: JSObject?, initializer: Initializer) {
    self.initializer = initializer
    super.init(prototype: prototype)
  }
  override var className: String { initializer.className }
}

/// A `tf.Regularizer` made by `tf.regularizers.*`.
final class RegularizerObject: JSObject {
  let regularizer: Regularizer
  init(prototype: JSObject?, regularizer: Regularizer) {
    self.regularizer = regularizer
    super.init(prototype: prototype)
  }
  override var className: String { "L1L2" }
}

// MARK: - Wrapping

extension TFContext {
  /// The script object of a layer (a model gets the model methods).
  func wrapLayer(_ layer: Layer) -> Value {
    let state = layersState
    let key = ObjectIdentifier(layer)
    if let existing = state.layerWrappers[key]?.value, existing.layer === layer {
      return .object(existing)
    }
    let object: LayerObject
    if let m = layer as? LayersModel {
      let proto = m is Sequential ? state.sequentialPrototype : state.modelPrototype
      object = ModelObject(prototype: proto, model: m)
    } else {
      object = LayerObject(prototype: state.layerPrototype, layer: layer)
    }
    state.prune()
    state.layerWrappers[key] = WeakRef(object)
    return .object(object)
  }

  /// The script object of a symbolic tensor.
  func wrapSymbolic(_ s: SymbolicTensor) -> Value {
    let state = layersState
    let key = ObjectIdentifier(s)
    if let existing = state.symbolicWrappers[key]?.value, existing.symbolic === s {
      return .object(existing)
    }
    let object = SymbolicTensorObject(
      prototype: state.symbolicPrototype, symbolic: s, context: self)
    state.prune()
    state.symbolicWrappers[key] = WeakRef(object)
    return .object(object)
  }

  /// One symbolic tensor as itself, several as an array (TF.js's `apply`/`output`).
  func wrapSymbolics(_ list: [SymbolicTensor]) -> Value {
    list.count == 1 ? wrapSymbolic(list[0]) : .object(realm.newArray(list.map(wrapSymbolic)))
  }

  /// A shape with `null` for unknown dimensions.
  func nullableShape(_ shape: [Int?]) -> Value {
    .object(realm.newArray(shape.map { $0.map { .number(Double($0)) } ?? .null }))
  }

  // MARK: - Config values

  /// A script value as a layer-config value; nil for `undefined` (an absent key).
  func configValue(
    _ interp: Interpreter, _ v: Value, _ key: String, _ function: String, depth: Int = 0
  )
    throws -> ConfigValue?
  {
    if depth > 64 {
      throw argumentError("Option '\(key)' passed to '\(function)' is nested too deeply")
    }
    switch v {
    case .undefined: return nil
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .object(let o):
      if let t = o as? TensorObject { return .opaque(t.tensor) }
      if let i = o as? InitializerObject { return .opaque(i.initializer) }
      if let r = o as? RegularizerObject { return .opaque(r.regularizer) }
      if let a = o as? JSArray {
        return .array(
          try a.elements.map {
            try configValue(interp, $0, key, function, depth: depth + 1) ?? .null
          })
      }
      if let t = o as? TypedArrayObject { return .array(t.values.map { .number($0) }) }
      if o is JSFunction {
        throw argumentError(
          "Option '\(key)' passed to '\(function)' must not be a function (tl layers take "
            + "names and tf.initializers/tf.regularizers objects)")
      }
      if o is LayerObject || o is SymbolicTensorObject || o is PromiseObject {
        throw argumentError(
          "Option '\(key)' passed to '\(function)' cannot be a \(o.className)")
      }
      var c = ConfigObject()
      for k in o.ownKeys() where o.ownProperty(k)?.enumerable == true {
        if let cv = try configValue(interp, try interp.get(v, k), k, function, depth: depth + 1) {
          c[k] = cv
        }
      }
      return .object(c)
    }
  }

  /// A config value as a script value (getConfig, toJSON(null, false)).
  func scriptValue(_ c: ConfigValue) -> Value {
    switch c {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .array(let items): return .object(realm.newArray(items.map(scriptValue)))
    case .object(let o): return object(o.pairs.map { ($0.0, scriptValue($0.1)) })
    case .opaque(let x):
      if let t = x as? Tensor { return wrap(t) }
      if let i = x as? Initializer { return scriptValue(i.serialized) }
      if let r = x as? Regularizer { return scriptValue(r.serialized) }
      return .null
    }
  }

  /// Reads a layer args object: every enumerable key must be in `known` (else an error
  /// naming it, with the closest known key), values converted to config values.
  func layerArgs(
    _ interp: Interpreter, _ v: Value, known: Set<String>, function: String
  ) throws -> ConfigObject {
    switch v {
    case .undefined, .null: return ConfigObject()
    case .object(let o)
    where !(o is JSFunction) && !(o is JSArray) && !(o is LayerObject)
      && !(o is TensorObject) && !(o is SymbolicTensorObject):
      var c = ConfigObject()
      for k in o.ownKeys() where o.ownProperty(k)?.enumerable == true {
        guard known.contains(k) else {
          var message = "Unknown option '\(k)' passed to '\(function)'"
          if let near = closest(to: k, in: known.sorted()) {
            message += " (did you mean '\(near)'?)"
          }
          throw argumentError(message)
        }
        if let cv = try configValue(interp, try interp.get(v, k), k, function) { c[k] = cv }
      }
      return c
    default:
      throw argumentError(
        "Argument 'args' passed to '\(function)' must be an object, but got "
          + "'\(Arguments.describeKind(v))'")
    }
  }

  // MARK: - Receivers

  /// The layer a method was called on.
  func thisLayer(_ this: Value, _ method: String) throws -> Layer {
    guard case .object(let o) = this, let l = o as? LayerObject else {
      throw ScriptThrow.typeError("Layer.prototype.\(method) called on a value that is not a Layer")
    }
    return l.layer
  }

  // MARK: - Layer methods

  /// The methods and getters every layer has.
  var layerMethods: [NativeEntry] {
    [
      .function("apply", arity: 2) { [self] call in
        let layer = try thisLayer(call.this, "apply")
        return try applyLayer(layer, call.interpreter, call.arguments)
      },
      .function("getWeights", arity: 1) { [self] call in
        let layer = try thisLayer(call.this, "getWeights")
        return wrapList(
          try engineCall { try layer.getWeights(trainableOnly: call.arguments.flag(0)) })
      },
      .function("setWeights", arity: 1) { [self] call in
        let layer = try thisLayer(call.this, "setWeights")
        let weights = try call.arguments.tensorList(0, "weights")
        try engineCall { try layer.setWeights(weights) }
        return .undefined
      },
      .function("getConfig", arity: 0) { [self] call in
        scriptValue(.object(try thisLayer(call.this, "getConfig").getConfig()))
      },
      .function("countParams", arity: 0) { [self] call in
        let layer = try thisLayer(call.this, "countParams")
        return .number(Double(try engineCall { try layer.countParams() }))
      },
      .function("getClassName", arity: 0) { [self] call in
        .string(try thisLayer(call.this, "getClassName").className)
      },
      .function("dispose", arity: 0) { [self] call in
        let layer = try thisLayer(call.this, "dispose")
        let n = layer.weights.count
        layer.dispose()
        return object([("refCountAfterDispose", 0), ("numDisposedVariables", .number(Double(n)))])
      },
      .getter("output") { [self] _, this in
        wrapSymbolics(try engineCall { try thisLayer(this, "output").output })
      },
      .getter("input") { [self] _, this in
        wrapSymbolics(try engineCall { try thisLayer(this, "input").input })
      },
      .getter("outputShape") { [self] _, this in
        let shapes = try engineCall { try thisLayer(this, "outputShape").outputShape }
        if shapes.count == 1 { return nullableShape(shapes[0]) }
        return .object(realm.newArray(shapes.map(nullableShape)))
      },
      .getter("batchInputShape") { [self] _, this in
        try thisLayer(this, "batchInputShape").batchInputShape.map(nullableShape) ?? .undefined
      },
      .getter("weights") { [self] _, this in
        wrapList(try thisLayer(this, "weights").weights.map(\.variable))
      },
      .getter("trainableWeights") { [self] _, this in
        wrapList(try thisLayer(this, "trainableWeights").trainableWeights.map(\.variable))
      },
      .getter("nonTrainableWeights") { [self] _, this in
        wrapList(try thisLayer(this, "nonTrainableWeights").nonTrainableWeights.map(\.variable))
      },
      .getter("built") { [self] _, this in .bool(try thisLayer(this, "built").built) },
      .getter("dtype") { [self] _, this in .string(try thisLayer(this, "dtype").dtype.rawValue) },
      .getter("inboundNodes") { [self] _, this in
        .object(
          realm.newArray(
            try thisLayer(this, "inboundNodes").inboundNodes.map { node in
              object([
                ("inputTensors", .object(realm.newArray(node.inputTensors.map(wrapSymbolic)))),
                ("outputTensors", .object(realm.newArray(node.outputTensors.map(wrapSymbolic)))),
              ])
            }))
      },
    ]
  }

  /// `layer.apply(inputs, kwargs?)`: symbolic tensors give symbolic tensors (recording a
  /// node), tensors are computed eagerly; one input or an array of them.
  func applyLayer(_ layer: Layer, _ interp: Interpreter, _ a: Arguments) throws -> Value {
    let function = "apply"
    let items: [Value]
    switch a[0] {
    case .object(let o as JSArray): items = o.elements
    case .object: items = [a[0]]
    default:
      throw argumentError(
        "Argument 'inputs' passed to 'apply' must be a SymbolicTensor, a Tensor or an array of "
          + "them, but got '\(Arguments.describeKind(a[0]))'")
    }
    let symbolics = items.compactMap { ($0.asObject as? SymbolicTensorObject)?.symbolic }
    let tensors = items.compactMap { ($0.asObject as? TensorObject)?.tensor }
    if !items.isEmpty && symbolics.count == items.count {
      let outs = try engineCall { try layer.apply(symbolics) }
      return wrapSymbolics(outs)
    }
    if !items.isEmpty && tensors.count == items.count {
      let options = try Options(interp, a[1], keys: ["training", "mask"], function: function)
      try options.rejectUnknown()
      let training = options.flag("training")
      let outs = try engineCall { try layer.apply(tensors, training: training) }
      if outs.count == 1 { return wrap(outs[0]) }
      return wrapList(outs)
    }
    if !symbolics.isEmpty && !tensors.isEmpty {
      throw argumentError(
        "Arguments to apply() must be all SymbolicTensors or all Tensors")
    }
    throw argumentError(
      "Argument 'inputs' passed to 'apply' must be a SymbolicTensor, a Tensor or an array of "
        + "them (use tf.tensor() to make a tensor from numbers)")
  }
}
