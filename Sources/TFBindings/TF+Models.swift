// Building and training models from scripts: `tf.sequential`, `tf.model`,
// `tf.models.modelFromJSON`, and the model methods `compile`, `fit`
// (→ Promise<History>, callbacks awaited in order) and `trainOnBatch`.
//
// fit runs as an async native (`Interpreter.runAsync`): like TF.js's, it
// yields once before training and awaits what every script callback returns,
// so `await model.fit(...)`, `.then(...)` and async callbacks behave as in
// Node. Ctrl-C stops it between batches; the model keeps its last weights.

import Foundation
import ScriptCore
import TensorEngine
import TensorLayers

/// A plain object that `console.log` shows with a class name (`History { ... }`).
final class NamedObject: JSObject {
  let name: String
  init(prototype: JSObject?, name: String) {
    self.name = name
    super.init(prototype: prototype)
  }
  override var className: String { name }
}

extension TFContext {
  // MARK: - tf.sequential, tf.model

  /// `tf.sequential`, `tf.model` (installed on `tf`).
  var modelEntries: [NativeEntry] {
    [
      .function("sequential", arity: 1) { [self] call in
        let o = try Options(
          call.interpreter, call.arguments[0], keys: ["layers", "name"],
          function: "sequential")
        try o.rejectUnknown()
        var layers: [Layer] = []
        if !o["layers"].isNullish {
          guard case .object(let list as JSArray) = o["layers"] else {
            throw argumentError("Option 'layers' passed to 'sequential' must be an array of layers")
          }
          layers = try list.elements.enumerated().map { i, v in
            guard case .object(let l as LayerObject) = v else {
              throw argumentError(
                "Option 'layers[\(i)]' passed to 'sequential' must be a Layer, but got "
                  + "'\(Arguments.describeKind(v))'")
            }
            return l.layer
          }
        }
        let name = try o.string("name")
        return wrapLayer(try engineCall { try Sequential(layers: layers, name: name) })
      },
      .function("model", arity: 1) { [self] call in
        let o = try Options(
          call.interpreter, call.arguments[0], keys: ["inputs", "outputs", "name"],
          function: "model")
        try o.rejectUnknown()
        let inputs = try symbolicList(o["inputs"], "inputs")
        let outputs = try symbolicList(o["outputs"], "outputs")
        let name = try o.string("name")
        return wrapLayer(
          try engineCall {
            try LayersModel(inputs: inputs, outputs: outputs, name: name)
          })
      },
    ]
  }

  /// `tf.models.modelFromJSON(json)`: a model from a topology (object or JSON text).
  var modelsNamespaceEntries: [NativeEntry] {
    [
      .function("modelFromJSON", arity: 1) { [self] call in
        let interp = call.interpreter
        return .object(
          settled(interp) {
            var v = call.arguments[0]
            if case .string(let text) = v {
              let parsed = try ConfigValue.parseJSON(Data(text.utf8))
              return wrapLayer(
                try LayerRegistry.modelFromTopology(
                  parsed.object?["modelTopology"] ?? parsed))
            }
            if case .object(let o) = v, o.hasProperty("modelTopology") {
              v = try interp.get(v, "modelTopology")
            }
            guard let topology = try configValue(interp, v, "modelTopology", "modelFromJSON") else {
              throw argumentError("modelFromJSON needs a model topology")
            }
            return wrapLayer(try LayerRegistry.modelFromTopology(topology))
          })
      }
    ]
  }

  /// A SymbolicTensor or an array of them.
  private func symbolicList(_ v: Value, _ name: String) throws -> [SymbolicTensor] {
    let items: [Value]
    if case .object(let list as JSArray) = v { items = list.elements } else { items = [v] }
    return try items.map { item in
      guard case .object(let s as SymbolicTensorObject) = item else {
        throw argumentError(
          "Option '\(name)' passed to 'model' must be a SymbolicTensor or an array of "
            + "SymbolicTensors, but got '\(Arguments.describeKind(item))'")
      }
      return s.symbolic
    }
  }

  // MARK: - compile

  /// A script function `(yTrue, yPred) => tensor` as a loss or metric.
  private func pairFunction(_ f: Value, _ interp: Interpreter, _ what: String)
    -> (Tensor, Tensor) throws -> Tensor
  {
    { [self] y, p in
      let r = try interp.call(f, this: .undefined, [wrap(y), wrap(p)])
      guard case .object(let t as TensorObject) = r else {
        throw argumentError("A custom \(what) function must return a Tensor")
      }
      return t.tensor
    }
  }

  private func functionName(_ v: Value) -> String {
    (v.asObject as? JSFunction)?.name ?? ""
  }

  private func lossArg(_ v: Value, _ interp: Interpreter) throws -> LossArg {
    switch v {
    case .string(let s): return .name(s)
    case .object(let f) where f is JSFunction:
      return .function(name: functionName(v), pairFunction(v, interp, "loss"))
    default:
      throw argumentError(
        "compile: loss must be a loss name (e.g. 'categoricalCrossentropy'), a function, or an "
          + "array or object of them, but got '\(Arguments.describeKind(v))'")
    }
  }

  private func metricArgs(_ v: Value, _ interp: Interpreter) throws -> [MetricArg] {
    let items: [Value]
    if case .object(let list as JSArray) = v { items = list.elements } else { items = [v] }
    return try items.map { item in
      switch item {
      case .string(let s): return .name(s)
      case .object(let f) where f is JSFunction:
        return .function(name: functionName(item), pairFunction(item, interp, "metric"))
      default:
        throw argumentError(
          "compile: metrics must be metric names (e.g. 'accuracy') or functions, but got "
            + "'\(Arguments.describeKind(item))'")
      }
    }
  }

  /// `model.compile({optimizer, loss, metrics})`.
  func compileModel(_ model: LayersModel, _ interp: Interpreter, _ v: Value) throws {
    let o = try Options(interp, v, keys: ["optimizer", "loss", "metrics"], function: "compile")
    try o.rejectUnknown()
    let optimizer: Optimizer
    switch o["optimizer"] {
    case .string(let s): optimizer = try engineCall { try LayersModel.optimizer(named: s) }
    case .object(let x as OptimizerObject): optimizer = x.optimizer
    default:
      throw argumentError(
        "compile: optimizer must be a name (e.g. 'adam') or a tf.train optimizer, but got "
          + "'\(Arguments.describeKind(o["optimizer"]))'")
    }
    var metrics: [MetricArg] = []
    var metricsByOutput: [String: [MetricArg]]?
    switch o["metrics"] {
    case .undefined, .null: break
    case .object(let m) where !(m is JSArray) && !(m is JSFunction):
      var byOutput: [String: [MetricArg]] = [:]
      for key in m.ownKeys() where m.ownProperty(key)?.enumerable == true {
        byOutput[key] = try metricArgs(try interp.get(o["metrics"], key), interp)
      }
      metricsByOutput = byOutput
    default: metrics = try metricArgs(o["metrics"], interp)
    }
    switch o["loss"] {
    case .undefined, .null: throw argumentError("compile: loss is required")
    case .object(let list as JSArray):
      let losses = try list.elements.map { try lossArg($0, interp) }
      try engineCall {
        try model.compile(
          optimizer: optimizer, loss: losses, metrics: metrics,
          metricsByOutput: metricsByOutput)
      }
    case .object(let m) where !(m is JSFunction):
      var byOutput: [String: LossArg] = [:]
      for key in m.ownKeys() where m.ownProperty(key)?.enumerable == true {
        byOutput[key] = try lossArg(try interp.get(o["loss"], key), interp)
      }
      try engineCall {
        try model.compile(
          optimizer: optimizer, lossByOutput: byOutput, metrics: metrics,
          metricsByOutput: metricsByOutput)
      }
    default:
      let loss = try lossArg(o["loss"], interp)
      try engineCall {
        try model.compile(
          optimizer: optimizer, loss: [loss], metrics: metrics,
          metricsByOutput: metricsByOutput)
      }
    }
  }

  // MARK: - fit, trainOnBatch

  /// The fit options TF.js has (`sampleWeight`, `stepsPerEpoch`, `validationSteps` are
  /// rejected when set: tl does not implement them).
  static let fitKeys = [
    "epochs", "batchSize", "verbose", "callbacks", "validationSplit", "validationData", "shuffle",
    "classWeight", "sampleWeight", "initialEpoch", "stepsPerEpoch", "validationSteps",
    "yieldEvery",
  ]

  /// Reads fit's options into `FitArgs` (callbacks and progress are set by the caller).
  func fitArgs(_ interp: Interpreter, _ model: LayersModel, _ o: Options) throws -> FitArgs {
    var args = FitArgs()
    args.epochs = try o.int("epochs", default: 1)
    args.batchSize = try o.int("batchSize", default: 32)
    args.verbose = try o.int("verbose", default: 1)
    args.initialEpoch = try o.int("initialEpoch", default: 0)
    args.shuffle = o.flag("shuffle", default: true)
    args.validationSplit = try o.optionalNumber("validationSplit")
    for key in ["sampleWeight", "stepsPerEpoch", "validationSteps"] where !o[key].isNullish {
      throw argumentError("fit: option '\(key)' is not supported by tl")
    }
    if !o["validationData"].isNullish {
      guard case .object(let list as JSArray) = o["validationData"] else {
        throw argumentError("fit: validationData must be an array [xVal, yVal]")
      }
      if list.elements.count == 3 {
        throw LayersError(
          .notImplemented, "validationData including sample weights is not supported yet."
        )
        .scriptError
      }
      guard list.elements.count == 2 else {
        throw argumentError("fit: validationData must be an array [xVal, yVal]")
      }
      let vx = try modelData(
        interp, list.elements[0], names: model.inputNames, "validationData[0]",
        "fit")
      let vy = try modelData(
        interp, list.elements[1], names: model.outputNames, "validationData[1]",
        "fit")
      args.validationData = (vx, vy)
    }
    if case .object(let cw) = o["classWeight"], !(cw is JSArray) {
      var weights: [Int: Double] = [:]
      for key in cw.ownKeys() where cw.ownProperty(key)?.enumerable == true {
        guard let k = Int(key), case .number(let w) = try interp.get(o["classWeight"], key) else {
          throw argumentError("fit: classWeight must map class indices to numbers")
        }
        weights[k] = w
      }
      args.classWeight = weights
    } else if !o["classWeight"].isNullish {
      throw argumentError("fit: classWeight must be an object {classIndex: weight}")
    }
    return args
  }

  /// `fit`, `trainOnBatch` (model methods).
  var trainingMethods: [NativeEntry] {
    [
      .function("fit", arity: 3) { [self] call in
        let model = try thisModel(call.this, "fit")
        let interp = call.interpreter
        let a = call.arguments
        let xs = try modelData(interp, a[0], names: model.inputNames, "x", "fit")
        let ys = try modelData(interp, a[1], names: model.outputNames, "y", "fit")
        let o = try Options(interp, a[2], keys: TFContext.fitKeys, function: "fit")
        try o.rejectUnknown()
        var args = try fitArgs(interp, model, o)
        args.callbacks = try fitCallbacks(interp, o["callbacks"], model: call.this)
        if let logger = ProgbarLogger(output: interp.output, verbose: args.verbose) {
          args.callbacks.insert(logger, at: 0)
        }
        let modelValue = call.this
        return .object(
          try interp.runAsync { [self] in
            _ = modelValue  // keeps the model object alive while training
            // TF.js's fit awaits before its first epoch: code after fit() runs first.
            _ = try interp.awaitResult(.undefined)
            args.shouldInterrupt = { interp.isInterruptRequested }
            let history = try engineCall { try model.fit(xs, ys, args) }
            if history.interrupted { try interp.throwIfInterrupted() }
            return historyValue(history, model)
          })
      },
      .function("trainOnBatch", arity: 2) { [self] call in
        let model = try thisModel(call.this, "trainOnBatch")
        let interp = call.interpreter
        let xs = try modelData(
          interp, call.arguments[0], names: model.inputNames, "x",
          "trainOnBatch")
        let ys = try modelData(
          interp, call.arguments[1], names: model.outputNames, "y",
          "trainOnBatch")
        return .object(
          settled(interp) {
            let values = try model.trainOnBatch(xs, ys)
            if values.count == 1 { return .number(values[0]) }
            return .object(realm.newArray(values.map { .number($0) }))
          })
      },
    ]
  }

  /// fit's `params` (`{epochs, initialEpoch, samples, batchSize, verbose, doValidation,
  /// metrics}`), as History and `tf.Callback` instances show them.
  func paramsValue(_ p: Logs, _ model: LayersModel?) -> Value {
    var params: [(String, Value)] = p.pairs.map { p in
      p.key == "doValidation" ? (p.key, .bool(p.value != 0)) : (p.key, .number(p.value))
    }
    var metrics = model?.compiled?.metricsNames ?? []
    if p["doValidation"] == 1 { metrics += metrics.map { "val_" + $0 } }
    params.append(("metrics", .object(realm.newArray(metrics.map { .string($0) }))))
    return object(params)
  }

  /// The `History` fit resolves with: `{epoch, history, params}`.
  func historyValue(_ h: History, _ model: LayersModel) -> Value {
    let o = NamedObject(prototype: realm.objectPrototype, name: "History")
    o.put("validationData", .null)
    o.put("params", paramsValue(h.params, model))
    o.put("epoch", .object(realm.newArray(h.epoch.map { .number(Double($0)) })))
    o.put(
      "history",
      object(
        h.keys.map { key in
          (key, .object(realm.newArray((h.history[key] ?? []).map { .number($0) })))
        }))
    return .object(o)
  }
}

extension LayersError {
  /// The script error this error becomes.
  var scriptError: ScriptThrow { .plain(message) }
}
