// The Layers API bindings where a golden script cannot look: fit's progress
// output (plain and live), Ctrl-C during fit and predict, saving to a temporary
// folder, and the table of layer args against what the layers themselves report.

import Foundation
import ScriptCore
import TensorLayers
import XCTest

@testable import TFBindings

/// Captured output that claims to be a terminal, for the live progress line.
final class TerminalCapture: OutputSink, TerminalAwareOutput {
  var stdout = ""
  var flushes = 0
  var stdoutIsTerminal: Bool { true }
  func write(_ text: String, to stream: ScriptCore.OutputStream) {
    if stream == .stdout { stdout += text }
  }
  func flush() { flushes += 1 }
}

final class LayerBindingTests: XCTestCase {
  private let smallFit = """
    const model = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [3]})]});
    model.compile({optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse']});
    await model.fit(tf.ones([10, 3]), tf.zeros([10, 2]), {epochs: 2, batchSize: 4,
                                                         validationSplit: 0.2});
    """

  private func run(_ source: String, _ interp: Interpreter) -> RunResult {
    interp.run(source: source, file: "test.tl")
  }

  func testFitPrintsOnePlainLinePerEpochIntoAPipe() throws {
    let (interp, out) = makeTFInterpreter()
    guard case .ok = run(smallFit, interp) else { return XCTFail("fit failed: \(out.stderr)") }
    let lines = out.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, out.stdout)
    let pattern =
      #"^Epoch [12] / 2 - \d+ms \d+us/step - loss=\S+ mse=\S+ val_loss=\S+ val_mse=\S+$"#
    for line in lines {
      XCTAssertNotNil(line.range(of: pattern, options: .regularExpression), line)
    }
    XCTAssertTrue(lines[0].hasPrefix("Epoch 1 / 2"))
  }

  func testFitDrawsALiveLineOnATerminal() throws {
    let out = TerminalCapture()
    let interp = Interpreter(output: out)
    TFBindings.install(into: interp)
    guard case .ok = run(smallFit, interp) else { return XCTFail("fit failed") }
    // Header, in-place redraws (carriage return + clear line), then the epoch summary.
    XCTAssertTrue(out.stdout.hasPrefix("Epoch 1 / 2\n\r\u{1B}[K["), out.stdout)
    XCTAssertTrue(out.stdout.contains("] 2/2 "), out.stdout)
    XCTAssertTrue(out.stdout.contains("eta="), out.stdout)
    XCTAssertNotNil(
      out.stdout.range(
        of:
          #"\r\x{1B}\[K\d+ms \d+us/step - loss=\S+ mse=\S+ val_loss=\S+ val_mse=\S+\nEpoch 2 / 2\n"#,
        options: .regularExpression), out.stdout)
    XCTAssertGreaterThan(out.flushes, 2)
  }

  func testVerboseZeroPrintsNothing() throws {
    let (interp, out) = makeTFInterpreter()
    let quiet = smallFit.replacingOccurrences(
      of: "batchSize: 4,", with: "batchSize: 4, verbose: 0,")
    guard case .ok = run(quiet, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(out.stdout, "")
  }

  func testLiveLineLayout() {
    var logs = Logs()
    logs["batch"] = 4
    logs["size"] = 8
    logs["loss"] = 0.6931
    logs["acc"] = 0.5
    let line = ProgbarLogger.liveLine(batch: 4, batches: 10, elapsed: 1.0, logs: logs)
    XCTAssertEqual(line, "[==============>               ] 5/10 1.0s eta=1.0s acc=0.500 loss=0.693")
    XCTAssertEqual(
      ProgbarLogger.epochSummary(milliseconds: 812.4, batches: 25, logs: logs),
      "812ms 32496us/step - acc=0.500 loss=0.693")
  }

  /// A native the script calls to press Ctrl-C.
  private func installInterruptButton(_ interp: Interpreter) {
    interp.defineGlobal(
      "pressCtrlC",
      .object(
        interp.realm.newFunction("pressCtrlC", arity: 0) {
          call in
          call.interpreter.requestInterrupt()
          return .undefined
        }))
  }

  func testCtrlCStopsFitBetweenBatchesAndTheModelStaysUsable() throws {
    let (interp, out) = makeTFInterpreter()
    installInterruptButton(interp)
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      globalThis.model = model;
      globalThis.batches = 0;
      await model.fit(tf.ones([40, 2]), tf.ones([40, 1]), {epochs: 5, batchSize: 4, verbose: 0,
        callbacks: {onBatchEnd: (b) => {
          globalThis.batches++;
          if (b === 2) {
            globalThis.kernel = Array.from(model.getWeights()[0].dataSync());
            pressCtrlC();
          }
        }}});
      console.log('not reached');
      """
    guard case .interrupted = run(source, interp) else { return XCTFail("not interrupted") }
    XCTAssertEqual(out.stdout, "")
    let after = """
      // No step after the one that pressed Ctrl-C: the weights are the ones it saw.
      const now = Array.from(model.getWeights()[0].dataSync());
      console.log(globalThis.batches, model.isTraining, now.every((v, i) => v === kernel[i]));
      const y = model.predict(tf.ones([1, 2])).dataSync()[0];
      console.log(Number.isFinite(y));
      const h = await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 1, verbose: 0});
      console.log(h.epoch.length);
      """
    guard case .ok = run(after, interp) else { return XCTFail("model unusable: \(out.stderr)") }
    XCTAssertEqual(out.stdout, "3 false true\ntrue\n1\n")
  }

  func testCtrlCFromTheSignalThreadStopsAFitThatRunsNoScriptCode() throws {
    // No script hooks and a named loss: only fit's own check between batches can stop it.
    let (interp, out) = makeTFInterpreter()
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      globalThis.model = model;
      await model.fit(tf.ones([2, 2]), tf.ones([2, 1]), {epochs: 5000, verbose: 0});
      console.log('not reached');
      """
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interp.requestInterrupt() }
    guard case .interrupted = run(source, interp) else { return XCTFail("not interrupted") }
    let after = "console.log(model.optimizer.iterations < 5000, model.isTraining)"
    guard case .ok = run(after, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(out.stdout, "true false\n")
  }

  /// Runs `call` right after Ctrl-C is pressed and reports what the script printed after it.
  /// Natives do not poll the flag, so only `call` itself can stop the script before it prints.
  private func printedAfterCtrlC(_ call: String) -> (RunResult, String) {
    let (interp, out) = makeTFInterpreter()
    installInterruptButton(interp)
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      const x = tf.ones([64, 2]), y = tf.ones([64, 1]);
      pressCtrlC();
      \(call);
      console.log('still running');
      """
    return (run(source, interp), out.stdout)
  }

  func testCtrlCStopsPredictAndEvaluateBetweenBatches() throws {
    // Control: without a batched call, the script goes on to print.
    XCTAssertEqual(printedAfterCtrlC("model.countParams()").1, "still running\n")
    for call in ["model.predict(x, {batchSize: 8})", "model.evaluate(x, y, {batchSize: 8})"] {
      let (result, printed) = printedAfterCtrlC(call)
      XCTAssertEqual(printed, "", call)
      guard case .interrupted = result else { return XCTFail("\(call) not interrupted") }
    }
  }

  func testEvaluateAfterAnInterruptWorks() throws {
    let (interp, out) = makeTFInterpreter()
    installInterruptButton(interp)
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      globalThis.model = model;
      pressCtrlC();
      model.evaluate(tf.ones([64, 2]), tf.ones([64, 1]), {batchSize: 8});
      """
    guard case .interrupted = run(source, interp) else {
      return XCTFail("not interrupted: \(out.stderr)")
    }
    let after =
      "console.log(model.evaluate(tf.ones([64, 2]), tf.ones([64, 1]), {batchSize: 8}).rank)"
    guard case .ok = run(after, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(out.stdout, "0\n")
  }

  func testSaveThenLoadGivesTheSamePredictions() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("tl-layerbind-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let (interp, out) = makeTFInterpreter()
    let source = """
      const model = tf.sequential({layers: [
        tf.layers.dense({units: 4, inputShape: [3], activation: 'relu'}),
        tf.layers.dense({units: 2})]});
      const result = await model.save('file://\(dir.path)/saved');
      console.log(Object.keys(result.modelArtifactsInfo).join(','));
      const back = await tf.loadLayersModel(tf.io.fileSystem('\(dir.path)/saved/model.json'));
      const x = tf.tensor2d([[1, 2, 3], [-1, 0, 2]]);
      console.log(back.predict(x).sub(model.predict(x)).abs().max().dataSync()[0]);
      console.log(back.layers.map(l => l.getClassName()).join(','));
      """
    guard case .ok = run(source, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(
      out.stdout,
      "dateSaved,modelTopologyType,modelTopologyBytes,weightSpecsBytes,weightDataBytes\n0\n"
        + "Dense,Dense\n")
  }

  func testRejectedAsyncCallbackRejectsFit() throws {
    let (interp, out) = makeTFInterpreter()
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      try {
        await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), {epochs: 3, verbose: 0,
          callbacks: {onEpochEnd: async (e) => { if (e === 1) throw new Error('stop at ' + e); }}});
      } catch (e) { console.log(e.message, model.isTraining); }
      """
    guard case .ok = run(source, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(out.stdout, "stop at 1 false\n")
  }

  func testFitLeavesNoStrayTensors() throws {
    let (interp, out) = makeTFInterpreter()
    let source = """
      const model = tf.sequential({layers: [tf.layers.dense({units: 3, inputShape: [2]})]});
      model.compile({optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mse']});
      const x = tf.ones([10, 2]), y = tf.ones([10, 3]);
      await model.fit(x, y, {epochs: 1, verbose: 0});
      const before = tf.memory().numTensors;
      await model.fit(x, y, {epochs: 2, verbose: 0, validationSplit: 0.3,
        callbacks: {onBatchEnd: () => {}}});
      model.evaluate(x, y, {batchSize: 3}).forEach(t => t.dispose());
      model.predict(x, {batchSize: 3}).dispose();
      console.log(tf.memory().numTensors - before);
      """
    guard case .ok = run(source, interp) else { return XCTFail(out.stderr) }
    XCTAssertEqual(out.stdout, "0\n")
  }

  /// Every key a layer's getConfig reports must be an arg its factory accepts, so the
  /// unknown-option check never rejects a real TF.js arg the layer implements.
  func testFactoryArgTablesCoverTheLayersConfigs() throws {
    let required: [String: [(String, ConfigValue)]] = [
      "dense": [("units", .int(2))],
      "conv1d": [("filters", .int(2)), ("kernelSize", .int(3))],
      "conv2d": [("filters", .int(2)), ("kernelSize", .int(3))],
      "conv2dTranspose": [("filters", .int(2)), ("kernelSize", .int(3))],
      "separableConv2d": [("filters", .int(2)), ("kernelSize", .int(3))],
      "depthwiseConv2d": [("kernelSize", .int(3))],
      "reshape": [("targetShape", .ints([2]))],
      "dropout": [("rate", .number(0.5))],
      "activation": [("activation", .string("relu"))],
      "embedding": [("inputDim", .int(3)), ("outputDim", .int(2))],
      "permute": [("dims", .ints([2, 1]))],
      "repeatVector": [("n", .int(2))],
      "inputLayer": [("inputShape", .ints([2]))],
      "rescaling": [("scale", .number(0.5))],
    ]
    let configOnly: Set<String> = ["batchInputShape", "dtype", "name", "trainable"]
    for factory in LayerFactory.names {
      let layer = try LayerFactory.make(factory, ConfigObject(required[factory] ?? []))
      let known = knownLayerArgs(factory: factory)
      for key in layer.getConfig().keys where !known.contains(key) && !configOnly.contains(key) {
        XCTFail("tf.layers.\(factory): getConfig key '\(key)' is not an accepted arg")
      }
      for (key, _) in required[factory] ?? [] {
        XCTAssertTrue(known.contains(key), "tf.layers.\(factory) must accept '\(key)'")
      }
    }
  }
}
