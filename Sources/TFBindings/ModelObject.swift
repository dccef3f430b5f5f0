// `tf.LayersModel` and `tf.Sequential` in scripts: the model host object and
// the methods that inspect and run a model (`layers`, `inputs`, `outputs`,
// `getLayer`, `summary`, `add`, `compile`, `predict`, `evaluate`, `toJSON`).
// Training (`fit`, `trainOnBatch`) is in TF+Models.swift, `save` in TF+IO.swift.

import ScriptCore
import TensorEngine
import TensorLayers

/// A `tf.LayersModel` (or `tf.Sequential`) in a script.
final class ModelObject: LayerObject {
  let model: LayersModel

  init(prototype: JSObject?, model: LayersModel) {
    self.model = model
    super.init(prototype: prototype, layer: model)
  }

  override func ownProperty(_ key: String) -> Property? {
    if key == "stopTraining" { return Property(.bool(model.stopTraining), enumerable: false) }
    return super.ownProperty(key)
  }

  override func defineOwn(_ key: String, _ property: Property) -> Bool {
    if key == "stopTraining" {
      guard case .value(let v) = property.slot else { return false }
      model.stopTraining = v.isTruthy
      return true
    }
    return super.defineOwn(key, property)
  }
}

extension TFContext {
  /// The model a method was called on.
  func thisModel(_ this: Value, _ method: String) throws -> LayersModel {
    guard case .object(let o) = this, let m = o as? ModelObject else {
      throw ScriptThrow.typeError(
        "LayersModel.prototype.\(method) called on a value that is not a LayersModel")
    }
    return m.model
  }

  // MARK: - Data arguments

  /// `x` of predict/fit/evaluate: a Tensor, an array of Tensors, or `{inputName: Tensor}`.
  func modelData(
    _ interp: Interpreter, _ v: Value, names: [String], _ argName: String, _ function: String
  ) throws -> [Tensor] {
    switch v {
    case .object(let t as TensorObject): return [t.tensor]
    case .object(let list as JSArray):
      return try list.elements.enumerated().map { i, e in
        guard case .object(let t as TensorObject) = e else {
          throw argumentError(
            "Argument '\(argName)[\(i)]' passed to '\(function)' must be a Tensor, but got "
              + "'\(Arguments.describeKind(e))'")
        }
        return t.tensor
      }
    case .object(let o) where !(o is JSFunction):
      return try names.map { name in
        let e = try interp.get(v, name)
        guard case .object(let t as TensorObject) = e else {
          throw argumentError(
            "No data provided for \"\(name)\". Need data for each key in: "
              + "\(names.joined(separator: ","))")
        }
        return t.tensor
      }
    default:
      throw argumentError(
        "Argument '\(argName)' passed to '\(function)' must be a Tensor or an array of "
          + "Tensors, but got '\(Arguments.describeKind(v))'")
    }
  }

  /// One tensor, or an array for several.
  func wrapOutputs(_ ts: [Tensor]) -> Value { ts.count == 1 ? wrap(ts[0]) : wrapList(ts) }

  // MARK: - Interruptible batching

  /// `predict` in chunks of `batchSize` rows, stopping at Ctrl-C between chunks (the
  /// model is untouched by inference, so it stays usable).
  func predictInterruptibly(
    _ model: LayersModel, _ xs: [Tensor], batchSize: Int, _ interp: Interpreter
  ) throws -> [Tensor] {
    try model.predict(xs, batchSize: batchSize, beforeBatch: interp.throwIfInterrupted)
  }

  /// Rows `[start, start + count)`.
  func rows(_ t: Tensor, _ start: Int, _ count: Int) throws -> Tensor {
    try t.slice([start] + Array(repeating: 0, count: t.rank - 1), [count] + t.shape.dropFirst())
  }

  /// `evaluate` in chunks of `batchSize` rows (sample-weighted means, as TF.js's testLoop),
  /// stopping at Ctrl-C between chunks.
  func evaluateInterruptibly(
    _ model: LayersModel, _ xs: [Tensor], _ ys: [Tensor], batchSize: Int, _ interp: Interpreter
  ) throws -> [Tensor] {
    let n = xs.first?.shape.first ?? 0
    guard batchSize > 0, n > batchSize, (xs + ys).allSatisfy({ $0.shape.first == n })
    else { return try model.evaluate(xs, ys, batchSize: batchSize) }
    var sums: [Double] = []
    var start = 0
    while start < n {
      try interp.throwIfInterrupted()
      let size = min(batchSize, n - start)
      let values = try Engine.shared.tidy { () throws -> [Double] in
        let bx = try xs.map { try rows($0, start, size) }
        let by = try ys.map { try rows($0, start, size) }
        return try model.evaluate(bx, by, batchSize: batchSize).map {
          Double(try $0.scalarValue())
        }
      }
      if sums.isEmpty { sums = Array(repeating: 0, count: values.count) }
      for i in 0..<values.count { sums[i] += values[i] * Double(size) }
      start += size
    }
    return sums.map { Tensor.scalar(Float($0 / Double(n))) }
  }

  // MARK: - Model methods

  /// The methods and getters of every model.
  var modelMethods: [NativeEntry] {
    [
      .getter("layers") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "layers").layers.map(wrapLayer)))
      },
      .getter("inputs") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "inputs").inputs.map(wrapSymbolic)))
      },
      .getter("outputs") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "outputs").outputs.map(wrapSymbolic)))
      },
      .getter("inputNames") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "inputNames").inputNames.map { .string($0) }))
      },
      .getter("outputNames") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "outputNames").outputNames.map { .string($0) }))
      },
      .getter("inputLayers") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "inputLayers").inputLayers.map(wrapLayer)))
      },
      .getter("outputLayers") { [self] _, this in
        .object(realm.newArray(try thisModel(this, "outputLayers").outputLayers.map(wrapLayer)))
      },
      .getter("isTraining") { [self] _, this in .bool(try thisModel(this, "isTraining").isTraining)
      },
      .getter("metricsNames") { [self] _, this in
        let names = try thisModel(this, "metricsNames").compiled?.metricsNames ?? []
        return .object(realm.newArray(names.map { .string($0) }))
      },
      .getter("optimizer") { [self] _, this in
        guard let o = try thisModel(this, "optimizer").compiled?.optimizer else {
          return .undefined
        }
        return .object(OptimizerObject(prototype: optimizerPrototype, optimizer: o))
      },
      .function("getLayer", arity: 2) { [self] call in
        let model = try thisModel(call.this, "getLayer")
        let a = call.arguments
        if case .number = a[0] {  // getLayer(index), as newer TF.js versions take it
          let index = try a.integer(0, name: "index")
          return wrapLayer(try engineCall { try model.getLayer(index: index) })
        }
        if let name = try a.optionalString(0, name: "name") {
          return wrapLayer(try engineCall { try model.getLayer(name: name) })
        }
        guard !a[1].isNullish else {
          throw argumentError("Provide either a layer name or layer index")
        }
        let index = try a.integer(1, name: "index")
        return wrapLayer(try engineCall { try model.getLayer(index: index) })
      },
      .function("summary", arity: 3) { [self] call in
        let model = try thisModel(call.this, "summary")
        let a = call.arguments
        let width = a[0].isNullish ? nil : try a.integer(0, name: "lineLength")
        if let width, width < 1 || width > 10_000 {
          throw argumentError("summary: lineLength must be between 1 and 10000, but got \(width)")
        }
        var positions: [Double]?
        if case .object(let list as JSArray) = a[1] {
          positions = try list.elements.map { v in
            guard case .number(let d) = v, d.isFinite, d >= 0, d <= 10_000 else {
              throw argumentError(
                "Argument 'positions' passed to 'summary' must be numbers from 0 to 10000")
            }
            return d
          }
        }
        let lines = try engineCall { try model.summary(lineLength: width, positions: positions) }
        if case .object(let f) = a[2], f is JSFunction {
          for line in lines {
            _ = try call.interpreter.call(a[2], this: .undefined, [.string(line)])
          }
        } else {
          call.interpreter.output.write(lines.map { $0 + "\n" }.joined(), to: .stdout)
        }
        return .undefined
      },
      .function("compile", arity: 1) { [self] call in
        let model = try thisModel(call.this, "compile")
        try compileModel(model, call.interpreter, call.arguments[0])
        return .undefined
      },
      .function("predict", arity: 2) { [self] call in
        let model = try thisModel(call.this, "predict")
        let interp = call.interpreter
        let xs = try modelData(interp, call.arguments[0], names: model.inputNames, "x", "predict")
        let o = try Options(
          interp, call.arguments[1], keys: ["batchSize", "verbose"],
          function: "predict")
        try o.rejectUnknown()
        let batchSize = try o.int("batchSize", default: 32)
        return wrapOutputs(
          try engineCall {
            try predictInterruptibly(model, xs, batchSize: batchSize, interp)
          })
      },
      .function("predictOnBatch", arity: 1) { [self] call in
        let model = try thisModel(call.this, "predictOnBatch")
        let xs = try modelData(
          call.interpreter, call.arguments[0], names: model.inputNames, "x", "predictOnBatch")
        return wrapOutputs(try engineCall { try model.predictOnBatch(xs) })
      },
      .function("evaluate", arity: 3) { [self] call in
        let model = try thisModel(call.this, "evaluate")
        let interp = call.interpreter
        let a = call.arguments
        let xs = try modelData(interp, a[0], names: model.inputNames, "x", "evaluate")
        let ys = try modelData(interp, a[1], names: model.outputNames, "y", "evaluate")
        let o = try Options(
          interp, a[2], keys: ["batchSize", "verbose", "sampleWeight", "steps"],
          function: "evaluate")
        try o.rejectUnknown()
        if !o["sampleWeight"].isNullish || !o["steps"].isNullish {
          throw argumentError("evaluate: sampleWeight and steps are not supported by tl")
        }
        let batchSize = try o.int("batchSize", default: 32)
        let out = try engineCall {
          try evaluateInterruptibly(model, xs, ys, batchSize: batchSize, interp)
        }
        return wrapOutputs(out)
      },
      .function("toJSON", arity: 2) { [self] call in
        let model = try thisModel(call.this, "toJSON")
        let json = model.toJSON()
        return call.arguments.flag(1, default: true) ? .string(json.jsText) : scriptValue(json)
      },
      .function("getWeights", arity: 1) { [self] call in
        let model = try thisModel(call.this, "getWeights")
        return wrapList(
          try engineCall { try model.getWeights(trainableOnly: call.arguments.flag(0)) })
      },
    ] + trainingMethods + saveMethods
  }

  /// `Sequential`'s own methods: `add` and `pop`.
  var sequentialMethods: [NativeEntry] {
    [
      .function("add", arity: 1) { call in
        guard case .object(let o) = call.this, let m = o as? ModelObject,
          let seq = m.model as? Sequential
        else { throw ScriptThrow.typeError("Sequential.prototype.add called on a non-Sequential") }
        guard case .object(let l as LayerObject) = call.arguments[0] else {
          throw argumentError(
            "Argument 'layer' passed to 'add' must be a Layer or a LayersModel, but got "
              + "'\(Arguments.describeKind(call.arguments[0]))'")
        }
        try engineCall { try seq.add(l.layer) }
        return .undefined
      },
      .function("pop", arity: 0) { call in
        guard case .object(let o) = call.this, let m = o as? ModelObject,
          let seq = m.model as? Sequential
        else { throw ScriptThrow.typeError("Sequential.prototype.pop called on a non-Sequential") }
        try engineCall { try seq.pop() }
        return .undefined
      },
    ]
  }
}
