// Memory of layers-model execution: each intermediate is freed after its last reader
// (the live bytes of a predict stay within one layer's input plus output), while values
// read by several layers, passed through unchanged, nested, or returned as outputs stay
// correct, and tf.memory() counts after predict are unchanged.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

/// A layer that doubles its input and records a weak reference to each input buffer it saw,
/// so a test can tell whether earlier activations were deallocated.
final class StorageProbe: Layer {
  override class var className: String { "StorageProbe" }

  /// The input buffers seen, oldest first (nil once deallocated).
  var seen: [() -> TensorStorage?] = []
  /// For each call, how many of the buffers seen before it were still allocated.
  var aliveAtCall: [Int] = []

  override func call(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
    aliveAtCall.append(seen.filter { $0() != nil }.count)
    seen.append { [weak storage = inputs[0].storage] in storage }
    return [try inputs[0].mul(Tensor.scalar(2))]
  }
}

final class ExecutionMemoryTests: XCTestCase {
  /// A Dense layer without bias (one matMul per call, no temporaries).
  func dense(_ units: Int) throws -> Dense {
    try Dense(args(("units", .int(units)), ("useBias", .bool(false))))
  }

  func testPredictHoldsOneLayerPairOfLiveBytes() throws {
    let widths = [512, 64, 512, 64, 512, 8]
    let x = try input(shape: [32])
    var y = x
    for w in widths { y = try dense(w).apply(y) }
    let model = try LayersModel(inputs: [x], outputs: [y])
    let batch = 16
    let data = try Tensor.randomUniform([batch, 32], seed: 1)
    // Live bytes above the input: at most one layer's input and twice its output (Dense's
    // matMul result and the linear activation's clone, which shares the buffer but counts
    // per tensor, as in TF.js); the model's input is the caller's. Keeping every activation
    // to the end would need far more.
    var largestPair = 0
    var previous = 0
    for w in widths {
      largestPair = max(largestPair, previous + 2 * batch * w * 4)
      previous = batch * w * 4
    }
    let everything = widths.map { batch * $0 * 4 }.reduce(0, +)
    XCTAssertGreaterThan(everything, largestPair)

    let before = Engine.shared.memory
    Engine.shared.resetPeakBytes()
    let out = try model.predict(data)
    XCTAssertLessThanOrEqual(Engine.shared.peakBytes - before.numBytes, largestPair)
    XCTAssertEqual(Engine.shared.memory.numTensors, before.numTensors + 1)

    // The values are those of the layers applied one by one.
    var expected = data
    for layer in model.layers.dropFirst() { expected = try layer.apply(expected) }
    XCTAssertEqual(try out.dataSync(), try expected.dataSync())
  }

  func testBatchedPredictFreesEachBatchInputCopy() throws {
    let x = try input(shape: [64])
    let model = try LayersModel(inputs: [x], outputs: [try dense(4).apply(x)])
    let data = try Tensor.randomUniform([96, 64], seed: 2)
    let before = Engine.shared.memory
    Engine.shared.resetPeakBytes()
    let out = try model.predict(data, batchSize: 32)
    XCTAssertEqual(out.shape, [96, 4])
    // One batch slice and its output at a time, then the outputs and their concatenation.
    let slice = 32 * 64 * 4
    XCTAssertLessThanOrEqual(
      Engine.shared.peakBytes - before.numBytes, slice + 2 * 96 * 4 * 4)
    XCTAssertEqual(Engine.shared.memory.numTensors, before.numTensors + 1)
  }

  func testActivationBuffersAreDeallocatedAfterTheirLastReader() throws {
    let x = try input(shape: [8])
    let probe = try StorageProbe(ConfigObject())
    let first = try dense(8)
    var y = try first.apply(x)
    // The same probe layer called three times in a row: when its third call runs, the
    // buffers its first call read are gone.
    for _ in 0..<3 { y = try probe.apply(y) }
    let model = try LayersModel(inputs: [x], outputs: [try dense(2).apply(y)])
    let data = try Tensor.randomUniform([4, 8], seed: 3)
    let out = try model.predict(data)
    XCTAssertEqual(out.shape, [4, 2])
    // Each call's input is freed once that call has run, so no later call finds an earlier
    // one alive (keeping every activation to the end would give [0, 1, 2]).
    XCTAssertEqual(probe.aliveAtCall, [0, 0, 0])
    XCTAssertTrue(probe.seen.allSatisfy { $0() == nil })
  }

  func testValueReadByTwoLayersAndPassedThroughStaysCorrect() throws {
    let x = try input(shape: [3])
    let d1 = try Dense(args(("units", .int(4)), ("activation", .string("relu"))))
    let d2 = try dense(5)
    let d3 = try dense(5)
    let dropout = try Dropout(args(("rate", .number(0.5))))
    let h = try d1.apply(x)
    // d3 reads h before d2 reads the dropout's output, which at inference is h itself:
    // h's last direct reader must not free the object the dropout passed on.
    let b = try d3.apply(h)
    let a = try d2.apply(try dropout.apply(h))
    let sum = try Add(ConfigObject()).apply([a, b])[0]
    let model = try LayersModel(inputs: [x], outputs: [sum, h])
    let data = try Tensor.randomUniform([6, 3], minval: -1, maxval: 1, seed: 4)
    let before = Engine.shared.memory.numTensors
    let outs = try model.predict([data])
    XCTAssertEqual(Engine.shared.memory.numTensors, before + 2)
    let hv = try d1.apply(data)
    let expected = try d2.apply(hv).add(try d3.apply(hv))
    XCTAssertEqual(try outs[0].dataSync(), try expected.dataSync())
    // An intermediate that is also an output survives its readers.
    XCTAssertEqual(try outs[1].dataSync(), try hv.dataSync())
  }

  func testNestedModelAndSharedInputs() throws {
    let innerIn = try input(shape: [4])
    let innerDense = try dense(4)
    let inner = try LayersModel(
      inputs: [innerIn], outputs: [try innerDense.apply(innerIn)], name: "inner")
    let x = try input(shape: [4])
    let first = try dense(4)
    let h = try first.apply(x)
    // The nested model reads h twice (two calls); h also feeds an Add with their results.
    let p = try inner.apply(h)
    let q = try inner.apply(p)
    let out = try Add(ConfigObject()).apply([p, q, h])[0]
    let model = try LayersModel(inputs: [x], outputs: [out])
    let data = try Tensor.randomUniform([3, 4], minval: -1, maxval: 1, seed: 5)
    let before = Engine.shared.memory.numTensors
    let got = try model.predict(data)
    XCTAssertEqual(Engine.shared.memory.numTensors, before + 1)
    let hv = try first.apply(data)
    let pv = try innerDense.apply(hv)
    let qv = try innerDense.apply(pv)
    XCTAssertEqual(try got.dataSync(), try pv.add(qv).add(hv).dataSync())
    // The caller's input is never freed, even when the model passes it straight through.
    let passThrough = try Dropout(args(("rate", .number(0.1)))).apply(x)
    let identity = try LayersModel(inputs: [x], outputs: [passThrough])
    let same = try identity.predict(data)
    XCTAssertFalse(data.isDisposed)
    XCTAssertEqual(try same.dataSync(), try data.dataSync())
    // In batches the slices are the run's own, and here also its outputs: they survive.
    let batched = try identity.predict(data, batchSize: 2)
    XCTAssertEqual(try batched.dataSync(), try data.dataSync())
  }

  func testRecordedExecutionStillGivesGradients() throws {
    let x = try input(shape: [3])
    let d1 = try Dense(args(("units", .int(4)), ("activation", .string("relu"))))
    let d2 = try dense(2)
    let model = try LayersModel(inputs: [x], outputs: [try d2.apply(try d1.apply(x))])
    try model.compile(
      optimizer: SGDOptimizer(learningRate: 0.1), loss: [.name("meanSquaredError")])
    let xs = try Tensor.randomUniform([8, 3], seed: 6)
    let ys = try Tensor.randomUniform([8, 2], seed: 7)
    var fitArgs = FitArgs()
    fitArgs.epochs = 3
    fitArgs.verbose = 0
    let history = try model.fit([xs], [ys], fitArgs)
    let losses = history.history["loss"] ?? []
    XCTAssertEqual(losses.count, 3)
    XCTAssertLessThan(losses[2], losses[0])
  }
}
