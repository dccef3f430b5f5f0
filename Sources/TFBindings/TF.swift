// The `tf` object: TensorFlow.js's API for tl scripts. This is the only module
// that sees both the language (ScriptCore) and the tensor engine
// (TensorEngine). Every namespace is one table of `NativeEntry`s (TF+Ops,
// TF+Memory, TF+Train, TF+Random ...); `install(into:)` assembles them into
// one object, defines the global `tf` (as a browser script tag does) and
// registers the module names TF.js is imported by.
//
//   let interp = Interpreter(output: sink)
//   TFBindings.install(into: interp)
//   interp.run(source: "const tf = require('@tensorflow/tfjs-node'); tf.ones([2]).print()", ...)

import ScriptCore
import TensorEngine

/// Installs TensorFlow.js's `tf` namespace into an interpreter.
public enum TFBindings {
  /// The TF.js version tl mirrors (`tf.version['tfjs-core']`).
  public static let tfjsVersion = "4.22.0"
  /// tl's own version (`tf.version.tl`).
  public static let tlVersion = "0.1.0"

  /// The module names that give the `tf` object (`require`/`import`).
  public static let moduleNames = [
    "@tensorflow/tfjs-node", "@tensorflow/tfjs", "@tensorflow/tfjs-node-gpu",
    "@tensorflow/tfjs-core",
  ]

  /// Defines the global `tf` and registers the `@tensorflow/tfjs*` modules, all
  /// giving the same object. Also defines the typed-array constructors TF.js
  /// code uses (`Float32Array`, `Int32Array`, `Uint8Array`, `Uint32Array`) unless
  /// the realm already has them.
  public static func install(into interpreter: Interpreter) {
    // OpenBLAS set up once, early: pinned to one thread, its idle load-time workers stopped.
    prepareBLAS()
    let context = TFContext(interpreter: interpreter)
    let tf = context.makeNamespace()
    interpreter.defineGlobal("tf", .object(tf))
    for name in moduleNames {
      interpreter.registerModule(name) { _ in .object(tf) }
    }
    installStdlib(into: interpreter)
  }
}

/// Per-interpreter state of the bindings: the prototypes of the host objects
/// and the `tf` object. Natives capture it strongly: a function taken out of
/// `tf` (`const add = tf.add`) must keep working whatever happens to `tf`, so
/// the context lives as long as any of its functions (one small cycle per
/// interpreter, by design).
final class TFContext {
  unowned let interpreter: Interpreter
  /// `Tensor.prototype`: the chainable op methods and the data accessors.
  let tensorPrototype: JSObject
  /// `Variable.prototype`: `assign` on top of the tensor methods.
  let variablePrototype: JSObject
  /// `TensorBuffer.prototype`: `get`, `set`, `toTensor`.
  let bufferPrototype: JSObject
  /// The prototype of the `tf.train.*` optimizers.
  let optimizerPrototype: JSObject
  /// The prototype of each typed-array kind.
  var typedArrayPrototypes: [TypedArrayObject.Kind: JSObject] = [:]
  /// What `tf.getBackend()` reports: `'cpu'` until `setBackend('tensorflow')`.
  var backendName = "cpu"
  /// `tf.engine()`'s object, made on first use.
  var engineObjectCache: JSObject?
  /// The `tf` namespace object.
  private(set) var tf: JSObject
  /// The Layers API's prototypes and wrapper caches (LayerObject.swift).
  lazy var layersState = LayersState(realm: realm)

  init(interpreter: Interpreter) {
    self.interpreter = interpreter
    let realm = interpreter.realm
    tensorPrototype = realm.newObject()
    variablePrototype = JSObject(prototype: tensorPrototype)
    bufferPrototype = realm.newObject()
    optimizerPrototype = realm.newObject()
    tf = realm.newObject()
  }

  var realm: Realm { interpreter.realm }

  /// Wraps an engine tensor as a script value (a `Variable` gets the variable methods).
  func wrap(_ t: Tensor) -> Value {
    .object(TensorObject(
      prototype: t is Variable ? variablePrototype : tensorPrototype, tensor: t,
      arrayPrototype: realm.arrayPrototype))
  }

  /// Wraps a list of tensors as a JS array.
  func wrapList(_ ts: [Tensor]) -> Value {
    .object(realm.newArray(ts.map(wrap)))
  }

  /// A plain object `{key: value, ...}` in the given order.
  func object(_ pairs: [(String, Value)]) -> Value {
    let o = realm.newObject()
    for (k, v) in pairs { o.put(k, v) }
    return .object(o)
  }

  /// The tables installed directly on `tf`, one per file. A new family of
  /// top-level functions adds its table here.
  var topLevelTables: [[NativeEntry]] {
    [
      opEntries, memoryEntries, randomEntries, backendEntries, trainEntries, miscEntries,
      modelEntries, ioEntries,
    ]
  }

  /// The sub-namespaces (`tf.losses.meanSquaredError`, ...), one table each. A new
  /// namespace (`tf.layers`, `tf.initializers`) adds its `(name, table)` pair here.
  /// Argument errors name the bare function, as TF.js's do ('meanSquaredError').
  var namespaceTables: [(String, [NativeEntry])] {
    [
      ("losses", lossEntries), ("util", utilEntries), ("train", optimizerEntries),
      ("image", imageEntries), ("fused", fusedEntries), ("metrics", metricEntries),
      ("layers", layerFactoryEntries), ("initializers", initializerEntries),
      ("regularizers", regularizerEntries), ("callbacks", callbackEntries),
      ("models", modelsNamespaceEntries), ("io", ioNamespaceEntries),
    ]
  }

  /// Builds the `tf` object: the prototypes' method tables, the top-level tables,
  /// the sub-namespaces, the classes and the constants.
  func makeNamespace() -> JSObject {
    installTypedArrays()
    let realm = self.realm
    realm.install(tensorMethods, into: tensorPrototype)
    realm.install(chainedOps, into: tensorPrototype)
    realm.install(variableMethods, into: variablePrototype)
    realm.install(bufferMethods, into: bufferPrototype)
    realm.install(optimizerMethods, into: optimizerPrototype)
    let ns = tf
    installEnumerable(topLevelTables.flatMap { $0 }, into: ns)
    for (name, entries) in namespaceTables {
      let sub = realm.newObject()
      installEnumerable(entries, into: sub)
      ns.put(name, .object(sub))
    }
    installClasses(into: ns)
    installLayersAPI(into: ns)
    ns.put("Reduction", object([
      ("NONE", 0), ("MEAN", 1), ("SUM", 2), ("SUM_BY_NONZERO_WEIGHTS", 3),
    ]))
    ns.put("version", object([
      ("tfjs-core", .string(TFBindings.tfjsVersion)),
      ("tfjs-backend-cpu", .string(TFBindings.tfjsVersion)),
      ("tfjs-layers", .string(TFBindings.tfjsVersion)),
      ("tfjs", .string(TFBindings.tfjsVersion)),
      ("tl", .string(TFBindings.tlVersion)),
    ]))
    ns.put("version_core", .string(TFBindings.tfjsVersion))
    return ns
  }

  /// Installs a table with enumerable members, as an ES module namespace has them
  /// (`Object.keys(tf)`, completion and "did you mean" all see them).
  func installEnumerable(_ entries: [NativeEntry], into object: JSObject, prefix: String = "") {
    realm.install(entries, into: object, prefix: prefix)
    for key in object.ownKeys() {
      if var p = object.ownProperty(key), !p.enumerable {
        p.enumerable = true
        object.defineOwn(key, p)
      }
    }
  }
}
