// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Running a layers model on concrete tensors: `execute` walks the graph's nodes by depth
// (fused chains at inference, see Layers/InferenceFusion.swift) and frees each intermediate
// after its last reader; `predict` batches, checks and concatenates.

extension LayersModel {
  // MARK: - Execution

  /// Runs the graph on concrete inputs (one per model input), giving one tensor per output.
  public func execute(_ xs: [Tensor], training: Bool = false) throws -> [Tensor] {
    try run(training: training, ownsInputs: false) { xs }
  }

  /// Runs the graph on the inputs `makeInputs` gives; it is called inside the run's scope.
  /// With `ownsInputs` those inputs belong to the run (predict's batch slices) and are freed
  /// after their last reader like any intermediate; otherwise they are the caller's.
  ///
  /// Outside a gradient tape each intermediate is disposed right after its last reader has
  /// run (as GraphModel's executor does), so a chain holds about one layer's input and
  /// output at a time instead of every activation until the end. Under a tape the values
  /// stay until the scope ends (the tape keeps their buffers anyway).
  func run(training: Bool, ownsInputs: Bool, _ makeInputs: () throws -> [Tensor]) throws
    -> [Tensor]
  {
    // Inference runs fusable layer chains as single kernels (Layers/InferenceFusion.swift).
    var plan: InferencePlan?
    if !training && !Engine.shared.isRecording {
      if inferencePlan == nil { inferencePlan = makeInferencePlan() }
      plan = inferencePlan
    }
    let freeEarly = !Engine.shared.isRecording
    var readers = freeEarly ? readerCounts(plan) : [:]
    let outputIds = Set(outputs.map(\.id))
    return try Engine.shared.tidy {
      let xs = try makeInputs()
      if xs.count != inputs.count {
        throw valueError("Model \(name) expects \(inputs.count) input(s), but got \(xs.count).")
      }
      var values: [Int: Tensor] = [:]
      for (x, t) in zip(inputs, xs) { values[x.id] = t }
      /// Counts one read of each input; frees the values nothing will read any more.
      func consumed(_ node: Node) {
        for x in node.inputTensors {
          guard let left = readers[x.id] else { continue }
          readers[x.id] = left - 1
          guard left == 1, !outputIds.contains(x.id), let t = values.removeValue(forKey: x.id)
          else { continue }
          // A layer may pass a tensor through (identity): free it only when no other
          // symbolic tensor still holds the same object, and never the caller's inputs.
          if values.values.contains(where: { $0 === t }) { continue }
          if !ownsInputs && xs.contains(where: { $0 === t }) { continue }
          Engine.shared.disposeIfScoped(t)
        }
      }
      for d in nodesByDepth.keys.sorted(by: >) {
        for node in nodesByDepth[d]! {
          if plan?.absorbed.contains(node.id) == true { continue }
          if node.outputTensors.allSatisfy({ values[$0.id] != nil }) { continue }
          let ins = try node.inputTensors.map { x -> Tensor in
            guard let v = values[x.id] else {
              throw valueError("Graph disconnected: no value for tensor \(x.name).")
            }
            return v
          }
          if let chain = plan?.chains[node.id] {
            values[chain.output.id] = try runChain(chain, ins[0])
          } else {
            let outs = try node.outboundLayer.apply(ins, training: training)
            for (t, v) in zip(node.outputTensors, outs) { values[t.id] = v }
          }
          if freeEarly { consumed(node) }
        }
      }
      return try outputs.map { o -> Tensor in
        guard let v = values[o.id] else {
          throw valueError("Graph disconnected: no value for output \(o.name).")
        }
        return v
      }
    }
  }

  /// How many times the nodes `execute` runs read each symbolic tensor (by id): a fused
  /// chain reads its first node's input; the nodes it absorbed read nothing.
  private func readerCounts(_ plan: InferencePlan?) -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for nodes in nodesByDepth.values {
      for node in nodes where !node.inboundLayers.isEmpty {
        if plan?.absorbed.contains(node.id) == true { continue }
        for x in node.inputTensors { counts[x.id, default: 0] += 1 }
      }
    }
    return counts
  }

  /// Checks arrays against the model's input (or output) shapes, as TF.js `checkInputData`.
  func checkData(
    _ data: [Tensor], names: [String], shapes: [[Int?]], prefix: String,
    checkBatch: Bool = true
  ) throws {
    if data.count != names.count {
      throw valueError(
        "Error when checking model \(prefix): the array of Tensors that you are "
          + "passing to your model is not the size the model expected. Expected to see "
          + "\(names.count) Tensor(s), but instead got \(data.count) Tensors(s).")
    }
    for (i, t) in data.enumerated() {
      let want = shapes[i]
      if t.rank != want.count {
        throw valueError(
          "Error when checking \(prefix): expected \(names[i]) to have "
            + "\(want.count) dimension(s). but got array with shape \(shapeJSON(t.shape))")
      }
      for (j, d) in want.enumerated() where j > 0 || checkBatch {
        if let d, d != t.shape[j] {
          throw valueError(
            "Error when checking \(prefix): expected \(names[i]) to have shape "
              + "\(shapeJSON(want)) but got array with shape \(shapeJSON(t.shape)).")
        }
      }
    }
  }

  /// `predict(x, {batchSize})`: inference in batches, concatenated (one tensor per output).
  /// Rank-1 inputs are treated as `[n, 1]`. `beforeBatch` runs before each batch (the REPL's
  /// Ctrl-C check: throwing from it stops the prediction between batches).
  public func predict(
    _ xs: [Tensor], batchSize: Int = 32, beforeBatch: () throws -> Void = {}
  ) throws -> [Tensor] {
    if batchSize <= 0 {
      throw valueError("batchSize is required to be a positive integer, but got \(batchSize)")
    }
    return try Engine.shared.tidy {
      let ins = try xs.map { $0.rank == 1 ? try $0.expandDims(1) : $0 }
      try checkData(
        ins, names: inputNames, shapes: inputs.map(\.shape), prefix: "input",
        checkBatch: false)
      let n = ins.first?.shape.first ?? 0
      if ins.contains(where: { $0.shape.first != n }) {
        throw valueError(
          "All input Tensors (x) should have the same number of samples. Got "
            + "array shapes: \(ins.map { shapeJSON($0.shape) }.joined(separator: ","))")
      }
      if n <= batchSize {
        try beforeBatch()
        return try execute(ins)
      }
      var parts: [[Tensor]] = Array(repeating: [], count: outputs.count)
      var start = 0
      while start < n {
        try beforeBatch()
        let size = Swift.min(batchSize, n - start)
        // Each batch's input copy is made inside the run, which frees it after its last
        // reader (not when the whole prediction ends).
        let outs = try run(training: false, ownsInputs: true) {
          try ins.map { try sliceRows($0, start, size) }
        }
        for (i, o) in outs.enumerated() { parts[i].append(o) }
        start += size
      }
      return try parts.map { try Tensor.concat($0, axis: 0) }
    }
  }

  /// `predict` for a single-input, single-output model.
  public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
    let out = try predict([x], batchSize: batchSize)
    guard out.count == 1 else {
      throw valueError("The model has \(out.count) outputs; use predict([x]).")
    }
    return out[0]
  }

  /// `predictOnBatch(x)`: one forward pass in inference mode.
  public func predictOnBatch(_ xs: [Tensor]) throws -> [Tensor] {
    try checkData(
      xs, names: inputNames, shapes: inputs.map(\.shape), prefix: "input",
      checkBatch: false)
    return try execute(xs)
  }
}
