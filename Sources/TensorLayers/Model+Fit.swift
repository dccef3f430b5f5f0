// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Training and evaluation (TF.js training.ts fit/fitLoop/testLoop/evaluate/
// trainOnBatch): validation rows from the end before shuffling, Fisher-Yates
// shuffles per epoch, one optimizer step per batch on mean loss plus
// regularization, logs weighted by batch size, callbacks in TF.js order.

/// The arguments of `fit` (TF.js `ModelFitArgs`), with TF.js's defaults.
public struct FitArgs {
  /// Epochs to train until (exclusive of `initialEpoch`'s earlier ones).
  public var epochs = 1
  /// Samples per gradient step.
  public var batchSize = 32
  /// TF.js verbosity (reported in `params`; drawing is the caller's).
  public var verbose = 1
  /// Fraction of the last rows held out for validation, before shuffling.
  public var validationSplit: Double?
  /// `[xVal, yVal]`: overrides `validationSplit`.
  public var validationData: (x: [Tensor], y: [Tensor])?
  /// Shuffle the training rows each epoch.
  public var shuffle = true
  /// The epoch to start from.
  public var initialEpoch = 0
  /// Weight per class index, for every output (or `classWeights` per output).
  public var classWeight: [Int: Double]?
  /// Class weights per output.
  public var classWeights: [[Int: Double]]?
  /// Callbacks, called in order.
  public var callbacks: [Callback] = []
  /// Checked before every batch; returning true stops training (the REPL's Ctrl-C).
  public var shouldInterrupt: (() -> Bool)?
  /// Progress events for drawing.
  public var progress: ((FitProgress) -> Void)?

  /// Defaults.
  public init() {}
}

extension LayersModel {
  // MARK: - One batch

  /// The loss and metric values of one forward pass; the loss tensor is returned for
  /// differentiation, the values are read right away.
  private func batchLoss(
    _ c: CompiledState, _ xs: [Tensor], _ ys: [Tensor], training: Bool,
    sampleWeights: [Tensor?], values: inout [Double]
  ) throws -> Tensor {
    let outs = try execute(xs, training: training)
    var total: Tensor?
    var perOutput: [Double] = []
    var metricValues: [Double] = []
    for i in 0..<outs.count {
      var l = try c.losses[i](ys[i], outs[i])
      if let w = sampleWeights[i] { l = try l.mul(w) }
      let lm = try l.mean()
      perOutput.append(Double(try lm.scalarValue()))
      total = try total.map { try $0.add(lm) } ?? lm
      try Engine.shared.noGrad {
        for m in c.metrics[i] {
          metricValues.append(Double(try m.fn(ys[i], outs[i]).mean().scalarValue()))
        }
      }
    }
    guard var loss = total else { throw valueError("The model has no outputs.") }
    if training {
      for r in try regularizationLosses() { loss = try loss.add(r) }
    }
    values = [Double(try loss.scalarValue())] + (outs.count > 1 ? perOutput : []) + metricValues
    return loss
  }

  /// Sample weights from class weights (argmax of one-hot targets, else the label).
  private func classSampleWeights(_ ys: [Tensor], _ args: FitArgs) throws -> [Tensor?] {
    try ys.enumerated().map { i, y in
      guard let cw = args.classWeights?[i] ?? args.classWeight else { return nil }
      let labels: [Float]
      if y.rank >= 2 && y.shape[y.rank - 1] > 1 {
        labels = try y.argMax(-1).dataSync()
      } else {
        labels = try y.dataSync().map { $0.rounded() }
      }
      let w = try labels.map { l -> Float in
        guard let label = exactInt(Double(l)), let v = cw[label] else {
          throw valueError(
            "classWeight must contain all classes in the training data. The "
              + "class \(jsNumberText(Double(l))) exists in the data but not in classWeight")
        }
        return Float(v)
      }
      return try Tensor.tensor(w, shape: [w.count])
    }
  }

  /// `trainOnBatch(x, y)`: one optimizer step; returns loss then metrics.
  @discardableResult
  public func trainOnBatch(_ xs: [Tensor], _ ys: [Tensor]) throws -> [Double] {
    let c = try requireCompiled()
    try checkTrainingData(xs, ys)
    return try trainStep(c, xs, ys, sampleWeights: ys.map { _ in nil })
  }

  private func trainStep(
    _ c: CompiledState, _ xs: [Tensor], _ ys: [Tensor],
    sampleWeights: [Tensor?]
  ) throws -> [Double] {
    var values: [Double] = []
    let vars = c.collectedTrainableWeights.filter(\.trainable).map(\.variable)
    if vars.isEmpty {
      _ = try Engine.shared.tidy {
        try batchLoss(c, xs, ys, training: true, sampleWeights: sampleWeights, values: &values)
      }
      return values
    }
    try c.optimizer.minimize(
      {
        try batchLoss(c, xs, ys, training: true, sampleWeights: sampleWeights, values: &values)
      }, varList: vars)
    return values
  }

  // MARK: - Checks

  /// Checks inputs and targets against the model (shapes, sample counts).
  func checkTrainingData(_ xs: [Tensor], _ ys: [Tensor]) throws {
    try checkData(
      xs, names: inputNames, shapes: inputs.map(\.shape), prefix: "input",
      checkBatch: false)
    let targetShapes = outputs.map(\.shape)
    try checkData(
      ys, names: outputNames, shapes: targetShapes, prefix: "target",
      checkBatch: false)
    let xn = Set(xs.map { $0.shape.first ?? 0 })
    let yn = Set(ys.map { $0.shape.first ?? 0 })
    if xn.count > 1 {
      throw valueError(
        "All input Tensors (x) should have the same number of samples. Got array "
          + "shapes: \(xs.map { shapeJSON($0.shape) }.joined(separator: ","))")
    }
    if yn.count > 1 {
      throw valueError(
        "All target Tensors (y) should have the same number of samples. Got array "
          + "shapes: \(ys.map { shapeJSON($0.shape) }.joined(separator: ","))")
    }
    if let a = xn.first, let b = yn.first, a != b {
      throw valueError(
        "Input Tensors should have the same number of samples as target Tensors. "
          + "Found \(a) input sample(s) and \(b) target sample(s).")
    }
  }

  // MARK: - Evaluation

  /// Loss and metric means over `xs` in batches (TF.js `testLoop`).
  private func testLoop(_ c: CompiledState, _ xs: [Tensor], _ ys: [Tensor], batchSize: Int)
    throws -> [Double]
  {
    let n = xs.first?.shape.first ?? 0
    var sums: [Double] = []
    var start = 0
    while start < n {
      let size = Swift.min(batchSize, n - start)
      var values: [Double] = []
      try Engine.shared.tidy {
        let bx = try xs.map { try sliceRows($0, start, size) }
        let by = try ys.map { try sliceRows($0, start, size) }
        _ = try batchLoss(
          c, bx, by, training: false, sampleWeights: by.map { _ in nil },
          values: &values)
      }
      if sums.isEmpty { sums = Array(repeating: 0, count: values.count) }
      for i in 0..<values.count { sums[i] += values[i] * Double(size) }
      start += size
    }
    return sums.map { $0 / Double(Swift.max(n, 1)) }
  }

  /// `evaluate(x, y, {batchSize})`: scalar tensors, loss then metrics.
  public func evaluate(_ xs: [Tensor], _ ys: [Tensor], batchSize: Int = 32) throws -> [Tensor] {
    let c = try requireCompiled()
    if batchSize <= 0 {
      throw valueError("batchSize is required to be a positive integer, but got \(batchSize)")
    }
    try checkTrainingData(xs, ys)
    return try testLoop(c, xs, ys, batchSize: batchSize).map { Tensor.scalar(Float($0)) }
  }

  // MARK: - fit

  /// `fit(x, y, args)`: trains and returns the History.
  public func fit(_ xs: [Tensor], _ ys: [Tensor], _ args: FitArgs = FitArgs()) throws -> History {
    let c = try requireCompiled()
    if isTraining {
      throw valueError("Cannot start training because another fit() call is ongoing.")
    }
    if args.batchSize <= 0 {
      throw valueError("batchSize is required to be a positive integer, but got \(args.batchSize)")
    }
    try checkTrainingData(xs, ys)
    isTraining = true
    stopTraining = false
    defer { isTraining = false }
    var trainX = xs
    var trainY = ys
    var valX: [Tensor] = []
    var valY: [Tensor] = []
    var owned: [Tensor] = []
    defer { for t in owned { t.dispose() } }
    let n = xs.first?.shape.first ?? 0
    if let vd = args.validationData {
      try checkTrainingData(vd.x, vd.y)
      (valX, valY) = (vd.x, vd.y)
    } else if let split = args.validationSplit, split > 0, split < 1 {
      let at = Int((Double(n) * (1 - split)).rounded(.down))
      trainX = try xs.map { try sliceRows($0, 0, at) }
      trainY = try ys.map { try sliceRows($0, 0, at) }
      valX = try xs.map { try sliceRows($0, at, n - at) }
      valY = try ys.map { try sliceRows($0, at, n - at) }
      owned = trainX + trainY + valX + valY
    }
    let doValidation = !valX.isEmpty
    let numTrain = trainX.first?.shape.first ?? 0
    let batches = (numTrain + args.batchSize - 1) / args.batchSize

    var params = Logs()
    params["epochs"] = Double(args.epochs)
    params["initialEpoch"] = Double(args.initialEpoch)
    params["samples"] = Double(numTrain)
    params["batchSize"] = Double(args.batchSize)
    params["verbose"] = Double(args.verbose)
    params["doValidation"] = doValidation ? 1 : 0
    for cb in args.callbacks {
      cb.model = self
      cb.params = params
    }
    var history = History()
    history.params = params
    try args.callbacks.forEach { try $0.onTrainBegin(Logs()) }
    var indices = Array(0..<numTrain)
    epochs: for epoch in args.initialEpoch..<Swift.max(args.initialEpoch, args.epochs) {
      try args.callbacks.forEach { try $0.onEpochBegin(epoch, Logs()) }
      args.progress?(.epochBegin(epoch: epoch, epochs: args.epochs, batches: batches))
      let started = Date()
      if args.shuffle { Tensor.shuffle(&indices) }
      var sums: [Double] = []
      var seen = 0
      var epochLogs = Logs()
      for b in 0..<batches {
        if args.shouldInterrupt?() == true {
          history.interrupted = true
          stopTraining = true
          break
        }
        let start = b * args.batchSize
        let size = Swift.min(args.batchSize, numTrain - start)
        var batchLogs = Logs()
        batchLogs["batch"] = Double(b)
        batchLogs["size"] = Double(size)
        try args.callbacks.forEach { try $0.onBatchBegin(b, batchLogs) }
        let values = try Engine.shared.tidy { () throws -> [Double] in
          let idx = try Tensor.tensor(
            indices[start..<(start + size)].map(Float.init),
            shape: [size], dtype: .int32)
          let bx = try trainX.map { try $0.gather(idx) }
          let by = try trainY.map { try $0.gather(idx) }
          let sw = try classSampleWeights(by, args)
          return try trainStep(c, bx, by, sampleWeights: sw)
        }
        for (name, v) in zip(c.metricsNames, values) { batchLogs[name] = v }
        if sums.isEmpty { sums = Array(repeating: 0, count: values.count) }
        for i in 0..<values.count { sums[i] += values[i] * Double(size) }
        seen += size
        if b == batches - 1 && doValidation {
          let v = try testLoop(c, valX, valY, batchSize: args.batchSize)
          for (name, value) in zip(c.metricsNames, v) { epochLogs["val_" + name] = value }
        }
        try args.callbacks.forEach { try $0.onBatchEnd(b, batchLogs) }
        args.progress?(.batchEnd(epoch: epoch, batch: b, batches: batches, logs: batchLogs))
        if stopTraining { break }
      }
      if seen == 0 && history.interrupted { break epochs }
      if seen > 0 {
        for (name, s) in zip(c.metricsNames, sums) { epochLogs[name] = s / Double(seen) }
      }
      try args.callbacks.forEach { try $0.onEpochEnd(epoch, epochLogs) }
      args.progress?(
        .epochEnd(
          epoch: epoch, epochs: args.epochs, logs: epochLogs,
          milliseconds: Date().timeIntervalSince(started) * 1000,
          samples: seen))
      history.record(epoch, epochLogs)
      if stopTraining { break epochs }
    }
    try args.callbacks.forEach { try $0.onTrainEnd(Logs()) }
    return history
  }
}

/// Rows `[start, start + count)` of a tensor.
func sliceRows(_ t: Tensor, _ start: Int, _ count: Int) throws -> Tensor {
  try t.slice([start] + Array(repeating: 0, count: t.rank - 1), [count] + t.shape.dropFirst())
}
