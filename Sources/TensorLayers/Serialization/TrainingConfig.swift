// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// model.json's training configuration (TF.js training.ts `getTrainingConfig` /
// `loadTrainingConfig`): `{loss, metrics, optimizer_config: {class_name, config}}`.
// Two places hold it:
//   - TF.js's own saves: top-level `trainingConfig`, names snake_case, optimizer
//     config keys as the optimizer's getConfig() (camelCase);
//   - the Keras converter: `modelTopology.training_config`, Keras's form (Keras
//     optimizer class names and keys, metrics as nested wrapper objects).
// TF.js compiles the loaded model from the first (and its errors are errors);
// it ignores the second, which tl reads too but only when it understands it.

/// Reading and writing a model's training configuration.
public enum TrainingConfig {
  // MARK: - Loading

  /// Compiles `model` from the training config in a model.json root, if it has one.
  /// A top-level `trainingConfig` that cannot be used is an error (as in TF.js); a
  /// converter's `modelTopology.training_config` that cannot be used leaves the model
  /// uncompiled (TF.js never reads it).
  public static func apply(_ root: ConfigObject, to model: LayersModel) throws {
    if let value = root["trainingConfig"], !value.isNull {
      guard let config = value.object else {
        throw valueError("trainingConfig must be a JSON object.")
      }
      try compile(model, from: config)
    } else if let config = root["modelTopology"]?.object?["training_config"]?.object {
      try? compile(model, from: config)
    }
  }

  /// TF.js `loadTrainingConfig`: compiles `model` with the config's optimizer, loss and
  /// metrics.
  public static func compile(_ model: LayersModel, from config: ConfigObject) throws {
    for key in ["weighted_metrics", "loss_weights", "sample_weight_mode"]
    where config[key].map({ !$0.isNull }) ?? false {
      throw valueError("Loading \(key) is not supported yet.")
    }
    guard let optimizerConfig = config["optimizer_config"] ?? config["optimizerConfig"] else {
      throw valueError("trainingConfig has no optimizer_config.")
    }
    let optimizer = try self.optimizer(from: optimizerConfig)
    do {
      try compile(model, config, optimizer)
    } catch {
      optimizer.dispose()  // its variables (Adam's beta powers, ...) are engine variables
      throw error
    }
  }

  private static func compile(
    _ model: LayersModel, _ config: ConfigObject, _ optimizer: Optimizer
  ) throws {
    let metrics = try metricIdentifiers(config["metrics"], outputs: model.outputNames)
    let all = metrics.all.map { MetricArg.name($0) }
    let byOutput = metrics.byOutput?.mapValues { $0.map { MetricArg.name($0) } }
    switch config["loss"] {
    case .string(let s)?:
      try model.compile(
        optimizer: optimizer, loss: [.name(lossName(.string(s)))], metrics: all,
        metricsByOutput: byOutput)
    case .array(let items)?:
      let losses = try items.map { LossArg.name(try lossName($0)) }
      try model.compile(
        optimizer: optimizer, loss: losses, metrics: all, metricsByOutput: byOutput)
    case .object(let o)? where !o.has("class_name"):
      var losses: [String: LossArg] = [:]
      for (k, v) in o.pairs { losses[k] = .name(try lossName(v)) }
      try model.compile(
        optimizer: optimizer, lossByOutput: losses, metrics: all, metricsByOutput: byOutput)
    case .object(let o)?:
      try model.compile(
        optimizer: optimizer, loss: [.name(lossName(.object(o)))], metrics: all,
        metricsByOutput: byOutput)
    default:
      throw valueError("trainingConfig has no loss.")
    }
  }

  /// A loss entry as a TF.js loss name: a string camel-cased, or a Keras loss object's
  /// `config.fn`/`config.name`; Keras's short aliases (`mse`, ...) become the full names.
  static func lossName(_ value: ConfigValue) throws -> String {
    let aliases = [
      "mse": "meanSquaredError", "mae": "meanAbsoluteError",
      "mape": "meanAbsolutePercentageError", "msle": "meanSquaredLogarithmicError",
      "kld": "kullbackLeiblerDivergence",
    ]
    var name: String?
    if let s = value.string {
      name = s
    } else if let c = value.object?["config"]?.object {
      name = c["fn"]?.string ?? c["name"]?.string
    }
    guard let name else {
      throw valueError("A trainingConfig loss must be a name, not \(value.jsText).")
    }
    return aliases[name.lowercased()] ?? toCamelCase(name)
  }

  /// A metric entry as a name: a string, or a Keras metric object (its `config.name`).
  static func metricName(_ value: ConfigValue) throws -> String {
    if let s = value.string { return toCamelCase(s) }
    if let c = value.object?["config"]?.object, let s = c["name"]?.string ?? c["fn"]?.string {
      return toCamelCase(s)
    }
    throw valueError("A trainingConfig metric must be a name, not \(value.jsText).")
  }

  /// Metrics for every output, or by output name (a dictionary, or Keras's list of lists).
  static func metricIdentifiers(_ value: ConfigValue?, outputs: [String]) throws
    -> (all: [String], byOutput: [String: [String]]?)
  {
    func names(_ v: ConfigValue) throws -> [String] {
      if let a = v.array { return try a.map(metricName) }
      return [try metricName(v)]
    }
    switch value {
    case nil, .null?: return ([], nil)
    case .array(let items)?:
      // Keras 2's compiled form: one list of metrics per output.
      if !items.isEmpty, items.allSatisfy({ $0.array != nil }) {
        guard items.count == outputs.count else {
          throw valueError(
            "trainingConfig.metrics has \(items.count) lists but the model has "
              + "\(outputs.count) output(s).")
        }
        if items.count == 1 { return (try names(items[0]), nil) }
        var by: [String: [String]] = [:]
        for (o, v) in zip(outputs, items) { by[o] = try names(v) }
        return ([], by)
      }
      return (try items.map(metricName), nil)
    case .object(let o)? where !o.has("class_name"):
      var by: [String: [String]] = [:]
      for (k, v) in o.pairs { by[k] = try names(v) }
      return ([], by)
    case let v?:
      return ([try metricName(v)], nil)
    }
  }

  /// An optimizer from `{class_name, config}` (TF.js's optimizer names and getConfig() keys,
  /// or Keras's: `RMSprop`, `beta_1`, `rho`, `nesterov`, ...).
  public static func optimizer(from value: ConfigValue) throws -> Optimizer {
    guard let o = value.object, var name = o["class_name"]?.string ?? o["className"]?.string
    else {
      throw valueError("optimizer_config must be an object with a class_name.")
    }
    if name.hasPrefix("Custom>") { name.removeFirst("Custom>".count) }
    // Keys camel-cased (learning_rate → learningRate, beta_1 → beta1).
    var c = ConfigObject()
    for (k, v) in o["config"]?.object?.pairs ?? [] { c[toCamelCase(k)] = v }
    func number(_ key: String, _ fallback: Double?) throws -> Double? {
      guard let v = c[key], !v.isNull else { return fallback }
      guard let d = v.number, d.isFinite else {
        throw valueError(
          "The \(name) optimizer's \(key) must be a number, not \(v.jsText)"
            + (v.object != nil ? " (learning-rate schedules are not supported)." : "."))
      }
      return d
    }
    func flag(_ key: String) -> Bool { ((try? c.bool(key)) ?? nil) ?? false }
    for key in ["clipnorm", "clipvalue", "globalClipnorm", "weightDecay"] {
      if let v = c[key], !v.isNull {
        throw valueError("The \(name) optimizer's \(key) is not supported (it is \(v.jsText)).")
      }
    }
    let lr = try number("learningRate", nil) ?? number("lr", nil)
    let epsilon = try number("epsilon", nil)
    switch name {
    case "SGD", "sgd":
      let momentum = try number("momentum", 0) ?? 0
      let nesterov = flag("useNesterov") || flag("nesterov")
      if momentum != 0 || nesterov {
        return MomentumOptimizer(
          learningRate: lr ?? 0.01, momentum: momentum, useNesterov: nesterov)
      }
      return SGDOptimizer(learningRate: lr ?? 0.01)
    case "Momentum":
      return MomentumOptimizer(
        learningRate: lr ?? 0.01, momentum: try number("momentum", 0) ?? 0,
        useNesterov: flag("useNesterov"))
    case "Adam", "adam":
      if flag("amsgrad") { throw valueError("The Adam optimizer's amsgrad is not supported.") }
      return try AdamOptimizer(
        learningRate: lr ?? 0.001, beta1: try number("beta1", 0.9) ?? 0.9,
        beta2: try number("beta2", 0.999) ?? 0.999, epsilon: epsilon)
    case "Adamax", "adamax":
      return try AdamaxOptimizer(
        learningRate: lr ?? 0.002, beta1: try number("beta1", 0.9) ?? 0.9,
        beta2: try number("beta2", 0.999) ?? 0.999, epsilon: epsilon,
        decay: try number("decay", 0) ?? 0)
    case "RMSProp", "RMSprop", "rmsprop":
      return RMSPropOptimizer(
        learningRate: lr ?? 0.001, decay: try number("decay", nil) ?? number("rho", 0.9) ?? 0.9,
        momentum: try number("momentum", 0) ?? 0, epsilon: epsilon, centered: flag("centered"))
    case "Adagrad", "adagrad":
      return AdagradOptimizer(
        learningRate: lr ?? 0.01,
        initialAccumulatorValue: try number("initialAccumulatorValue", 0.1) ?? 0.1)
    case "Adadelta", "adadelta":
      return AdadeltaOptimizer(
        learningRate: lr ?? 1, rho: try number("rho", 0.95) ?? 0.95, epsilon: epsilon)
    default:
      throw valueError(
        "Unknown optimizer class \(name) in optimizer_config (known: SGD, Momentum, Adam, "
          + "Adamax, RMSProp, Adagrad, Adadelta).")
    }
  }

  // MARK: - Saving

  /// TF.js `getTrainingConfig()`: `{loss, metrics, optimizer_config}` of a compiled model,
  /// names snake_cased; nil when the model is not compiled or a loss is a function (TF.js
  /// cannot serialize those either).
  public static func serialize(_ model: LayersModel) -> ConfigValue? {
    guard let state = model.compiled, !state.lossIdentifiers.isEmpty else { return nil }
    var losses: [ConfigValue] = []
    for id in state.lossIdentifiers {
      guard let id else { return nil }
      losses.append(.string(toSnakeCase(id)))
    }
    let loss: ConfigValue = losses.count == 1 ? losses[0] : .array(losses)
    let metrics: ConfigValue
    switch state.metricIdentifiers {
    case .all(let names): metrics = .array(names.map { .string(toSnakeCase($0)) })
    case .byOutput(let pairs):
      metrics = .object(
        ConfigObject(
          pairs.map { ($0.output, .array($0.metrics.map { .string(toSnakeCase($0)) })) }))
    }
    let optimizer = state.optimizer
    let config = ConfigObject(
      optimizer.configEntries.map { entry in
        switch entry.value {
        case .number(let d): return (entry.key, ConfigValue.number(d))
        case .bool(let b): return (entry.key, ConfigValue.bool(b))
        }
      })
    return .object(
      ConfigObject([
        ("loss", loss), ("metrics", metrics),
        (
          "optimizer_config",
          .object(
            ConfigObject([
              ("class_name", .string(optimizer.className)), ("config", .object(config)),
            ]))
        ),
      ]))
  }
}

// MARK: - User-defined metadata

extension TrainingConfig {
  /// Keeps model.json's `userDefinedMetadata` on the model (TF.js
  /// `setUserDefinedMetadata`: it must be a JSON object).
  public static func applyMetadata(_ root: ConfigObject, to model: LayersModel) throws {
    guard let value = root["userDefinedMetadata"], !value.isNull else { return }
    guard value.object != nil else {
      throw valueError(
        "User-defined metadata is expected to be a JSON object, but is not: \(value.jsText)")
    }
    model.userDefinedMetadata = value
  }
}
