// tl-bench-layers: release-mode speed of layers models as the chapter uses them, beside
// TensorFlow/Keras on the same machine in the same command.
//
//   swift run -c release tl-bench-layers
//     [--batch 32] [--runs 5] [--features 130] [--epochs 20] [--no-tf]
//     [--only predict|fit|none]
//     [--layers]  (CPU time per layer class of the MobileNet chain, applied layer by layer)
//     [--ops]     (only: element-wise op throughput on 1M floats)
//
// 1. Loads Tests/Fixtures/mobilenet_v1_0.25_224 with ModelLoader (load time), predicts a
//    batch of 224×224×3 images (images/s, best and median wall time, CPU time), and
//    predicts the chapter's features (the model cut at conv_pw_13_relu) for 130 images,
//    and prints the memory of both: peak RSS over the baseline (model loaded, input made;
//    VmHWM reset through /proc/self/clear_refs), the live tensor bytes' high-water mark,
//    page faults per predict, and the ratio to the largest activation pair.
// 2. Trains the chapter's head (Flatten [7,7,256] → Dense 64 relu → Dense 6 softmax) on
//    130 samples for 20 epochs with validationSplit 0.2 (Adam, categorical crossentropy,
//    accuracy).
// 3. Runs the same two things in TensorFlow/Keras (`$TL_TF_PYTHON`, else python3) and
//    prints the ratios.

import Foundation
import TensorEngine
import TensorLayers

// MARK: - Options

var batch = 32
var runs = 5
var featureCount = 130
var epochs = 20
var runTensorFlow = true
var only: String?
var perLayer = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--batch": batch = Int(arguments.next() ?? "") ?? batch
  case "--runs": runs = max(1, Int(arguments.next() ?? "") ?? runs)
  case "--features": featureCount = Int(arguments.next() ?? "") ?? featureCount
  case "--epochs": epochs = Int(arguments.next() ?? "") ?? epochs
  case "--no-tf": runTensorFlow = false
  case "--only": only = arguments.next()
  case "--layers": perLayer = true
  case "--ops": only = "ops"
  default:
    print(
      "usage: tl-bench-layers [--batch N] [--runs N] [--features N] [--epochs N] [--no-tf] "
        + "[--only predict|fit|none] [--layers] [--ops]")
    exit(64)
  }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
let modelJSON = packageRoot.appendingPathComponent(
  "Tests/Fixtures/mobilenet_v1_0.25_224/model/model.json")

// MARK: - Timing helpers

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used by the whole process (all threads): steadier than wall time when
/// other jobs share the cores.
func cpuTime() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Best wall time, median wall time and best CPU time of `runs` calls of `body`.
struct Timing {
  var best: Double
  var median: Double
  var cpu: Double
}

func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> Timing {
  var walls: [Double] = []
  var cpu = Double.infinity
  for _ in 0..<runs {
    let t = now()
    let c = cpuTime()
    try body()
    walls.append(now() - t)
    cpu = min(cpu, cpuTime() - c)
  }
  walls.sort()
  return Timing(best: walls[0], median: walls[walls.count / 2], cpu: cpu)
}

/// Runs `python -c script` and returns its standard output, or nil if it failed.
func python(_ script: String) -> String? {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [
    ProcessInfo.processInfo.environment["TL_TF_PYTHON"] ?? "python3", "-c", script,
  ]
  var environment = ProcessInfo.processInfo.environment
  environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
  process.environment = environment
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  do { try process.run() } catch { return nil }
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { return nil }
  return String(decoding: data, as: UTF8.self)
}

/// `key=value` numbers from the comparator's output lines.
func parseResults(_ text: String?) -> [String: Double] {
  var result: [String: Double] = [:]
  for line in (text ?? "").split(separator: "\n") {
    let parts = line.split(separator: "=", maxSplits: 1)
    if parts.count == 2, let v = Double(parts[1].trimmingCharacters(in: .whitespaces)) {
      result[String(parts[0])] = v
    }
  }
  return result
}

func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1e3) }

func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1048576) }

// MARK: - Memory helpers

/// One `kB` field of /proc/self/status (VmRSS, VmHWM), in bytes.
func procStatus(_ field: String) -> Int? {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return nil
  }
  for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
    let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
    return Int(digits).map { $0 * 1024 }
  }
  return nil
}

/// Minor page faults of the process so far (each a page the kernel had to hand out).
func minorFaults() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_minflt
}

/// Peak resident memory of a stretch of the run, against the resident memory at its start.
///
/// Linux resets the peak (VmHWM) when "5" is written to /proc/self/clear_refs, so the peak
/// is that of the stretch alone; without it, the process's lifetime `ru_maxrss` is used
/// (and the peak is then an upper bound).
struct MemoryProbe {
  let baseline: Int
  let resetWorked: Bool

  init() {
    let reset = FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
      && (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8))
        != nil
    resetWorked = reset
    baseline = procStatus("VmRSS") ?? 0
    Engine.shared.resetPeakBytes()
  }

  /// The peak resident bytes since `init`.
  var peak: Int {
    if resetWorked, let hwm = procStatus("VmHWM") { return hwm }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
  }
}

/// The largest input-plus-output bytes of one layer of `model` at `batch` (float32), with the
/// layer's name: the activations any layer-by-layer run must hold at once.
func largestActivationPair(_ model: LayersModel, batch: Int) -> (name: String, bytes: Int) {
  func bytes(_ shape: [Int?]) -> Int { shape.dropFirst().reduce(batch) { $0 * ($1 ?? 1) } * 4 }
  var best = (name: "", bytes: 0)
  for layer in model.layers where !(layer is InputLayer) {
    guard let node = layer.inboundNodes.first else { continue }
    let pair = node.inputTensors.map { bytes($0.shape) }.reduce(0, +)
      + node.outputTensors.map { bytes($0.shape) }.reduce(0, +)
    if pair > best.bytes { best = (layer.name, pair) }
  }
  return best
}

// MARK: - tl: MobileNet predict

struct PredictResult {
  var load: Double
  var timing: Timing
  var featureTiming: Timing
  /// Resident bytes after loading the model and making the input batch.
  var baseline: Int
  /// Peak resident bytes during the predicts (warm-up and timed runs).
  var peak: Int
  /// True when the peak is the predicts' own (VmHWM reset), not the process lifetime's.
  var peakIsOwn: Bool
  /// High-water mark of live tensor bytes during the predicts, above the baseline's.
  var tensorPeak: Int
  /// Minor page faults per timed predict.
  var faultsPerRun: Double
  var pair: (name: String, bytes: Int)
  var weightBytes: Int
  var featureMemory: (baseline: Int, peak: Int, tensorPeak: Int)
}

func benchmarkPredict() throws -> PredictResult {
  let loadStart = now()
  let model = try ModelLoader.loadLayersModel(path: modelJSON.path)
  let load = now() - loadStart
  let x = try Tensor.randomUniform([batch, 224, 224, 3], minval: -1, maxval: 1, seed: 1)
  let weightBytes = model.weights.map { $0.shape.reduce(4, *) }.reduce(0, +)
  let bytesBefore = Engine.shared.numBytes
  let probe = MemoryProbe()
  _ = try Engine.shared.tidy { try model.predict(x) }  // warm-up
  let warmFaults = minorFaults()
  let timing = try measure(runs) {
    try Engine.shared.tidy {
      let y = try model.predict(x)
      _ = try y.dataSync()
    }
  }
  let faultsPerRun = Double(minorFaults() - warmFaults) / Double(runs)
  let peak = probe.peak
  let tensorPeak = Engine.shared.peakBytes - bytesBefore
  // The chapter's feature extractor: the model cut at conv_pw_13_relu, ~130 images.
  let cut = try LayersModel(
    inputs: model.inputs, outputs: try model.getLayer(name: "conv_pw_13_relu").output)
  let images = try Tensor.randomUniform(
    [featureCount, 224, 224, 3], minval: -1, maxval: 1, seed: 2)
  let featureBytesBefore = Engine.shared.numBytes
  let featureProbe = MemoryProbe()
  let featureTiming = try measure(max(1, runs / 2)) {
    try Engine.shared.tidy { _ = try cut.predict(images).dataSync() }
  }
  let featureMemory = (
    featureProbe.baseline, featureProbe.peak, Engine.shared.peakBytes - featureBytesBefore
  )
  images.dispose()
  if perLayer { try profileLayers(model, x) }
  x.dispose()
  let pair = largestActivationPair(model, batch: batch)
  model.dispose()
  return PredictResult(
    load: load, timing: timing, featureTiming: featureTiming, baseline: probe.baseline,
    peak: peak, peakIsOwn: probe.resetWorked, tensorPeak: tensorPeak,
    faultsPerRun: faultsPerRun, pair: pair, weightBytes: weightBytes,
    featureMemory: featureMemory)
}

/// Applies a chain model's layers one at a time and prints the CPU time per layer class.
func profileLayers(_ model: LayersModel, _ x: Tensor) throws {
  var cpu: [String: Double] = [:]
  var count: [String: Int] = [:]
  for _ in 0..<runs {
    try Engine.shared.tidy {
      var y = x
      for layer in model.layers where !(layer is InputLayer) {
        let c = cpuTime()
        y = try layer.apply(y)
        cpu[layer.className, default: 0] += cpuTime() - c
        count[layer.className, default: 0] += 1
      }
    }
  }
  print("tl: CPU time per pass by layer class (batch \(batch), layer by layer):")
  for (name, t) in cpu.sorted(by: { $0.value > $1.value }) {
    print(
      "  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(ms(t / Double(runs))) "
        + "over \(count[name, default: 0] / runs) layers")
  }
}

// MARK: - tl: the chapter's head

func config(_ pairs: (String, ConfigValue)...) -> ConfigObject { ConfigObject(pairs) }

func benchmarkFit() throws -> (timing: Timing, finalLoss: Double) {
  let samples = 130
  let xs = try Tensor.randomUniform([samples, 7, 7, 256], seed: 3)
  let labels = try Tensor.tensor(
    (0..<samples).map { Float($0 % 6) }, shape: [samples], dtype: .int32)
  let ys = try Tensor.oneHot(labels, depth: 6).cast(.float32)
  var finalLoss = 0.0
  func makeHead() throws -> Sequential {
    let head = try Sequential()
    try head.add(try Flatten(config(("inputShape", .shape([7, 7, 256])))))
    try head.add(
      try Dense(
        config(
          ("units", .int(64)), ("activation", .string("relu")),
          ("kernelInitializer", .string("varianceScaling")), ("useBias", .bool(true)))))
    try head.add(
      try Dense(
        config(
          ("units", .int(6)), ("activation", .string("softmax")),
          ("kernelInitializer", .string("varianceScaling")), ("useBias", .bool(false)))))
    try head.compile(
      optimizer: try AdamOptimizer(learningRate: 0.0001),
      loss: [.name("categoricalCrossentropy")], metrics: [.name("accuracy")])
    return head
  }
  var args = FitArgs()
  args.epochs = epochs
  args.batchSize = 32
  args.validationSplit = 0.2
  args.verbose = 0
  // Each run trains a fresh head, as a script would.
  _ = try Engine.shared.tidy { try makeHead().fit([xs], [ys], args) }  // warm-up
  let timing = try measure(runs) {
    let head = try makeHead()
    let history = try head.fit([xs], [ys], args)
    finalLoss = history.history["loss"]?.last ?? .nan
    head.dispose()
  }
  return (timing, finalLoss)
}

// MARK: - TensorFlow

/// TensorFlow's MobileNet v1 0.25 (random weights: only speed is compared) on the same
/// batch shape, and Keras's fit of the same head.
func tensorFlowScript() -> String {
  """
  import time, numpy as np, tensorflow as tf
  def cpu(): return time.process_time()
  def measure(n, f):
      walls, cpus = [], []
      for _ in range(n):
          t, c = time.perf_counter(), cpu(); f()
          walls.append(time.perf_counter() - t); cpus.append(cpu() - c)
      walls.sort(); return walls[0], walls[len(walls)//2], min(cpus)
  runs = \(runs)
  if '\(only ?? "")' in ('', 'predict'):
      m = tf.keras.applications.MobileNet(input_shape=(224,224,3), alpha=0.25, weights=None)
      x = np.random.rand(\(batch),224,224,3).astype('float32')
      f = tf.function(lambda t: m(t, training=False))
      f(x)
      b, med, c = measure(runs, lambda: f(x).numpy())
      print('predict_best=%f' % b); print('predict_median=%f' % med); print('predict_cpu=%f' % c)
      b, med, c = measure(runs, lambda: m.predict(x, verbose=0))
      print('kpredict_best=%f' % b); print('kpredict_cpu=%f' % c)
  if '\(only ?? "")' in ('', 'fit'):
      n = 130
      xs = np.random.rand(n,7,7,256).astype('float32')
      ys = tf.keras.utils.to_categorical(np.arange(n) % 6, 6)
      def head():
          h = tf.keras.Sequential([
              tf.keras.Input((7,7,256)), tf.keras.layers.Flatten(),
              tf.keras.layers.Dense(64, activation='relu', kernel_initializer='variance_scaling'),
              tf.keras.layers.Dense(6, activation='softmax', use_bias=False,
                                    kernel_initializer='variance_scaling')])
          h.compile(optimizer=tf.keras.optimizers.Adam(0.0001),
                    loss='categorical_crossentropy', metrics=['accuracy'])
          return h
      def fit(): head().fit(xs, ys, epochs=\(epochs), batch_size=32, validation_split=0.2,
                            verbose=0)
      fit()
      b, med, c = measure(runs, fit)
      print('fit_best=%f' % b); print('fit_median=%f' % med); print('fit_cpu=%f' % c)
  """
}

// MARK: - Element-wise ops

/// Nanoseconds per element of a few element-wise ops on 1M floats (best of `runs`).
func benchmarkOps() throws {
  let n = 1 << 20
  let a = try Tensor.randomUniform([n / 64, 64], minval: -8, maxval: 8, seed: 1)
  let b = try Tensor.randomUniform([n / 64, 64], minval: -8, maxval: 8, seed: 2)
  let row = try Tensor.randomUniform([64], seed: 3)
  let s = Tensor.scalar(0.5)
  let cases: [(String, () throws -> Tensor)] = [
    ("add", { try a.add(b) }), ("sub", { try a.sub(b) }), ("mul", { try a.mul(b) }),
    ("div", { try a.div(b) }), ("maximum", { try a.maximum(b) }),
    ("add row [64]", { try a.add(row) }), ("mul scalar", { try a.mul(s) }),
    ("relu", { try a.relu() }), ("relu6", { try a.relu6() }),
    ("clip", { try a.clipByValue(-1, 1) }),
    ("neg", { try a.neg() }), ("square", { try a.square() }), ("exp", { try a.exp() }),
    ("sigmoid", { try a.sigmoid() }), ("abs", { try a.abs() }),
  ]
  for (name, op) in cases {
    let t = try measure(runs) { try Engine.shared.tidy { _ = try op() } }
    print(
      "  \(name.padding(toLength: 14, withPad: " ", startingAt: 0))"
        + String(
          format: "%6.2f ns/element (CPU %.2f)", t.best * 1e9 / Double(n),
          t.cpu * 1e9 / Double(n)))
  }
}

/// The memory lines: peak resident memory of the predicts over the baseline (the process
/// with the model loaded and the input made), against the largest activation pair.
func printMemory(_ p: PredictResult) {
  let growth = p.peak - p.baseline
  print(
    "tl: memory, predict batch \(batch): peak RSS \(mib(p.peak))"
      + (p.peakIsOwn ? "" : " (process lifetime: VmHWM could not be reset)")
      + ", baseline \(mib(p.baseline)) (model loaded, input made): +\(mib(growth)); "
      + "live tensors +\(mib(p.tensorPeak)) at most; "
      + String(format: "%.0f", p.faultsPerRun) + " page faults per predict")
  print(
    "tl: memory, largest activation pair \(p.pair.name) (input + output) "
      + "\(mib(p.pair.bytes)), weights \(mib(p.weightBytes)); "
      + String(
        format: "(peak - baseline) / pair = %.2f (goal <= 1.5)",
        Double(growth) / Double(max(1, p.pair.bytes))))
  let f = p.featureMemory
  if featureCount > 0 {
    print(
      "tl: memory, features for \(featureCount) images: peak RSS \(mib(f.peak)), baseline "
        + "\(mib(f.baseline)) (images made): +\(mib(f.peak - f.baseline)); "
        + "live tensors +\(mib(f.tensorPeak)) at most")
  }
}

// MARK: - Main

do {
  if only == "ops" {
    try benchmarkOps()
    exit(0)
  }
  var predict: PredictResult?
  var fit: (timing: Timing, finalLoss: Double)?
  if only == nil || only == "predict" {
    let p = try benchmarkPredict()
    predict = p
    print(
      "tl: loaded mobilenet_v1_0.25_224 in \(ms(p.load)); predict batch \(batch): best "
        + "\(ms(p.timing.best)) (\(String(format: "%.0f", Double(batch) / p.timing.best)) "
        + "images/s), median \(ms(p.timing.median)), CPU \(ms(p.timing.cpu)) "
        + "(\(String(format: "%.0f", Double(batch) / p.timing.cpu)) images per CPU-second)")
    print(
      "tl: features at conv_pw_13_relu for \(featureCount) images: best "
        + "\(ms(p.featureTiming.best)), CPU \(ms(p.featureTiming.cpu))")
    printMemory(p)
  }
  if only == nil || only == "fit" {
    let f = try benchmarkFit()
    fit = f
    print(
      "tl: head fit (130 samples, \(epochs) epochs, validationSplit 0.2): best "
        + "\(ms(f.timing.best)), median \(ms(f.timing.median)), CPU \(ms(f.timing.cpu)); "
        + String(format: "final loss %.4f", f.finalLoss))
  }
  guard runTensorFlow else { exit(0) }
  let tf = parseResults(python(tensorFlowScript()))
  if tf.isEmpty {
    print("TensorFlow not available (set TL_TF_PYTHON to a Python with tensorflow)")
    exit(0)
  }
  if let p = predict, let best = tf["predict_best"], let cpu = tf["predict_cpu"] {
    print(
      "TensorFlow: predict batch \(batch): best \(ms(best)) "
        + "(\(String(format: "%.0f", Double(batch) / best)) images/s), CPU \(ms(cpu)); "
        + "keras predict() best \(ms(tf["kpredict_best"] ?? .nan))")
    print(
      String(
        format: "ratio predict tl/TF: wall %.2f× TF's speed, CPU %.2f× TF's speed",
        best / p.timing.best, cpu / p.timing.cpu))
  }
  if let f = fit, let best = tf["fit_best"], let cpu = tf["fit_cpu"] {
    print(
      "Keras: head fit best \(ms(best)), median \(ms(tf["fit_median"] ?? .nan)), CPU \(ms(cpu))")
    print(
      String(
        format: "ratio fit time tl/Keras: wall %.3f, CPU %.3f (goal < 0.25)",
        f.timing.best / best, f.timing.cpu / cpu))
  }
} catch {
  print("benchmark failed: \(error)")
  exit(1)
}
