// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// `model.compile({optimizer, loss, metrics})` (TF.js training.ts compile).

/// A loss given to compile: a TF.js name or a function.
public enum LossArg {
  case name(String)
  case function(name: String, LossFunction)
}

/// A metric given to compile: a TF.js name or a function.
public enum MetricArg {
  case name(String)
  case function(name: String, MetricFunction)
}

/// What compile sets up (TF.js `model.optimizer`, `lossFunctions`, `metricsNames`).
public struct CompiledState {
  /// The optimizer.
  public let optimizer: Optimizer
  /// The loss name per output, nil for functions.
  public let lossNames: [String?]
  let losses: [LossFunction]
  /// Metrics per output: log name (prefixed for several outputs) and function.
  let metrics: [[(name: String, fn: MetricFunction)]]
  /// `loss`, per-output losses (several outputs), then the metric names.
  public let metricsNames: [String]
  /// The trainable weights when compiled (TF.js `collectedTrainableWeights`): training
  /// updates those of them that are still trainable.
  public let collectedTrainableWeights: [LayerVariable]
  /// The loss names as given to compile (one entry, or one per output; nil for functions):
  /// what a saved `trainingConfig.loss` holds.
  public internal(set) var lossIdentifiers: [String?] = []
  /// The metrics' names as given to compile, by output name when given by output.
  public internal(set) var metricIdentifiers: MetricIdentifiers = .all([])

  /// Metric names as compile received them (TF.js `this.metrics`).
  public enum MetricIdentifiers {
    case all([String])
    case byOutput([(output: String, metrics: [String])])
  }
}

extension LayersModel {
  /// An optimizer from a TF.js name (`adam`, `sgd`, `rmsprop`, `adagrad`, `adadelta`,
  /// `adamax`) with TF.js's defaults (the engine's `Optimizer.named`).
  public static func optimizer(named name: String) throws -> Optimizer {
    do {
      return try Optimizer.named(name)
    } catch let e as TensorError {
      throw valueError(e.message)
    }
  }

  /// `compile`: `loss` has one entry (used for every output) or one per output;
  /// `metrics` apply to every output, `metricsByOutput` to named outputs.
  public func compile(
    optimizer: Optimizer, loss: [LossArg], metrics: [MetricArg] = [],
    metricsByOutput: [String: [MetricArg]]? = nil
  ) throws {
    if loss.isEmpty { throw valueError("loss is required by compile()") }
    if loss.count != 1 && loss.count != outputs.count {
      throw valueError(
        "When passing an Array as loss, it should have one entry per model "
          + "output. The model has \(outputs.count) output(s), but you passed loss=\(loss.count) "
          + "entries.")
    }
    let names = outputNames
    var lossNames: [String?] = []
    var losses: [LossFunction] = []
    for i in 0..<outputs.count {
      switch loss.count == 1 ? loss[0] : loss[i] {
      case .name(let n):
        losses.append(try LayerLosses.named(n))
        lossNames.append(n)
      case .function(_, let f):
        losses.append(f)
        lossNames.append(nil)
      }
    }
    let multi = outputs.count > 1
    var perOutput: [[(name: String, fn: MetricFunction)]] = []
    for i in 0..<outputs.count {
      if let byOut = metricsByOutput, let unknown = byOut.keys.first(where: { !names.contains($0) })
      {
        throw valueError(
          "Unknown entry in metrics dictionary: \"\(unknown)\". Only expected the "
            + "following keys: \(names.joined(separator: ","))")
      }
      let args = metricsByOutput?[names[i]] ?? metrics
      perOutput.append(
        try args.map { arg in
          let (logName, fn): (String, MetricFunction)
          switch arg {
          case .name(let n):
            (logName, fn) = try LayerMetrics.resolve(
              n, lossName: lossNames[i],
              outputShape: outputs[i].shape)
          case .function(let n, let f): (logName, fn) = (n, f)
          }
          return (multi ? "\(names[i])_\(logName)" : logName, fn)
        })
    }
    var metricNames = ["loss"]
    if multi { metricNames += names.map { "\($0)_loss" } }
    metricNames += perOutput.flatMap { $0.map(\.name) }
    func metricName(_ m: MetricArg) -> String {
      switch m {
      case .name(let n): return n
      case .function(let n, _): return n
      }
    }
    var state = CompiledState(
      optimizer: optimizer, lossNames: lossNames, losses: losses,
      metrics: perOutput, metricsNames: metricNames,
      collectedTrainableWeights: trainableWeights)
    state.lossIdentifiers = loss.map { arg in
      if case .name(let n) = arg { return n }
      return nil
    }
    if let byOut = metricsByOutput {
      state.metricIdentifiers = .byOutput(
        names.compactMap { n in byOut[n].map { (n, $0.map(metricName)) } })
    } else {
      state.metricIdentifiers = .all(metrics.map(metricName))
    }
    compiled = state
  }

  /// `compile` with losses given by output name (every output needs one).
  public func compile(
    optimizer: Optimizer, lossByOutput: [String: LossArg], metrics: [MetricArg] = [],
    metricsByOutput: [String: [MetricArg]]? = nil
  ) throws {
    let names = outputNames
    if let unknown = lossByOutput.keys.sorted().first(where: { !names.contains($0) }) {
      throw valueError(
        "Unknown entry in loss dictionary: \"\(unknown)\". Only expected the "
          + "following keys: \(names.joined(separator: ","))")
    }
    let losses = try names.map { n -> LossArg in
      guard let l = lossByOutput[n] else {
        throw valueError(
          "Output \"\(n)\" is missing from loss dictionary. We assume this was "
            + "done on purpose, but tl cannot train without a loss for every output.")
      }
      return l
    }
    try compile(
      optimizer: optimizer, loss: losses, metrics: metrics,
      metricsByOutput: metricsByOutput)
  }

  /// `compile` with an optimizer name.
  public func compile(optimizer name: String, loss: [LossArg], metrics: [MetricArg] = []) throws {
    try compile(optimizer: try LayersModel.optimizer(named: name), loss: loss, metrics: metrics)
  }

  /// The compiled state, or TF.js's error for an uncompiled model.
  func requireCompiled() throws -> CompiledState {
    guard let compiled else {
      throw LayersError(
        .runtimeError,
        "You must compile a model before training/testing. Use "
          + "LayersModel.compile(modelCompileArgs).")
    }
    return compiled
  }
}
