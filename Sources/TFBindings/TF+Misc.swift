// The rest of the top-level namespace: the classes scripts test with
// `instanceof` (`tf.Tensor`, `tf.Variable`, `tf.TensorBuffer`,
// `tf.train.Optimizer`), `tf.print`, `tf.nextFrame`, `tf.time`, `tf.engine()`
// and `tf.metrics` (TensorLayers' metrics).

import Foundation
import ScriptCore
import TensorEngine
import TensorLayers

extension TFContext {
  // MARK: - Classes

  /// A constructor for `instanceof` checks whose prototype is `proto`; calling it
  /// explains which factory to use instead, as tensors are made by ops.
  func classConstructor(_ name: String, _ proto: JSObject, factory: String) -> Value {
    let ctor = NativeFunction(
      prototype: realm.functionPrototype, name: name, arity: 0,
      construct: { _, _, _ in
        throw ScriptThrow.typeError("Use \(factory) to create a \(name); 'new \(name)' is not supported")
      },
      body: { _ in
        throw ScriptThrow.typeError("Class constructor \(name) cannot be invoked without 'new'")
      })
    ctor.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false))
    proto.defineOwn("constructor", Property(.object(ctor), enumerable: false))
    return .object(ctor)
  }

  /// Defines `tf.Tensor`, `tf.Variable`, `tf.TensorBuffer` and `tf.train.Optimizer`.
  func installClasses(into ns: JSObject) {
    ns.put("Tensor", classConstructor("Tensor", tensorPrototype, factory: "tf.tensor()"))
    ns.put("Variable", classConstructor("Variable", variablePrototype, factory: "tf.variable()"))
    ns.put("TensorBuffer", classConstructor("TensorBuffer", bufferPrototype, factory: "tf.buffer()"))
    if let train = ns.getDataValue("train").asObject {
      train.put("Optimizer", classConstructor(
        "Optimizer", optimizerPrototype, factory: "tf.train.sgd() or another tf.train factory"))
    }
  }

  // MARK: - Small top-level functions

  var miscEntries: [NativeEntry] {
    [
      OpDef("print", 2, chain: .none) { interp, a in
        let t = try a.tensor(0, "x")
        try t.checkAlive()
        interp.output.write(t.toString(verbose: a.flag(1)) + "\n", to: .stdout)
        return .undefined
      }.namespaceEntry,
      .function("nextFrame", arity: 0) { [self] call in
        .object(resolved(.undefined, call.interpreter))
      },
      .function("time", arity: 1) { [self] call in
        let f = call.arguments[0]
        let start = Date()
        _ = try call.interpreter.call(f, this: .undefined, [])
        let ms = Date().timeIntervalSince(start) * 1000
        let timing = object([("kernelMs", .number(ms)), ("wallMs", .number(ms))])
        return .object(resolved(timing, call.interpreter))
      },
      .function("engine", arity: 0) { [self] _ in .object(engineObject) },
    ]
  }

  /// `tf.engine()`: scopes and memory, for code that manages them by hand.
  private var engineObject: JSObject {
    if let cached = engineObjectCache { return cached }
    let e = realm.newObject()
    realm.install([
      .function("startScope", arity: 1) { call in
        Engine.shared.startScope(try call.arguments.optionalString(0, name: "name") ?? "")
        return .undefined
      },
      .function("endScope", arity: 1) { call in
        Engine.shared.endScope(keeping: tensors(in: call.arguments[0]))
        return .undefined
      },
      .function("memory", arity: 0) { [self] call in
        try call.interpreter.call(tf.getDataValue("memory"), this: .object(tf), [])
      },
    ], into: e)
    engineObjectCache = e
    return e
  }

  // MARK: - tf.metrics

  /// `tf.metrics.*`: TensorLayers' metric functions (the ones `compile({metrics})` uses).
  var metricEntries: [NativeEntry] {
    let names = [
      "binaryAccuracy", "binaryCrossentropy", "categoricalAccuracy", "categoricalCrossentropy",
      "cosineProximity", "meanAbsoluteError", "MAE", "mae", "meanAbsolutePercentageError",
      "MAPE", "mape", "meanSquaredError", "MSE", "mse", "precision", "recall",
      "sparseCategoricalAccuracy",
    ]
    return names.compactMap { name -> NativeEntry? in
      guard let f = try? LayerMetrics.named(name) else { return nil }
      return OpDef(name, 2, chain: .none) { [self] _, a in
        let yTrue = try a.tensor(0, "yTrue")
        let yPred = try a.tensor(1, "yPred")
        return wrap(try Engine.shared.tidy { try f(yTrue, yPred) })
      }.namespaceEntry
    }
  }
}
