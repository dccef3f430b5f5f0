// tl-bench-engine: release-mode speed of the kernels.
//
//   swift run -c release tl-bench-engine [--batch 32] [--runs 7] [--layers] [--no-gemm]
//     [--gemm-only] [--threads N] [--shapes MxKxN,...]
//   (add on AVX2 machines)
//
// 1. Checks the fused MobileNet v1 0.25 plan against TensorFlow's answers in
//    Tests/Fixtures/mobilenet_v1_0.25_224, then times its forward pass at
//    224×224 (images/s), optionally per layer.
// 2. GEMM GFLOP/s on the shapes of native-recipes.md, with numpy's for the same
//    shapes (python3 + numpy) and the ratio, and plain OpenBLAS (our split, no Swift
//    kernels) for reference.
// 3. TensorFlow's MobileNet images/s when TensorFlow is importable.

import Foundation
import TensorEngine

// MARK: - Options

var batch = 32
var runs = 7
var perLayer = false
var opLevelBreakdown = false
var doGEMM = true
var doMobileNet = true
/// `--shapes 32x1024x1000,7x64x64`: GEMM shapes (M x K x N) instead of the standard ones.
var customShapes: [(Int, Int, Int)]? = nil
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--batch": batch = Int(arguments.next() ?? "") ?? batch
  case "--runs": runs = Int(arguments.next() ?? "") ?? runs
  case "--layers": perLayer = true
  case "--ops-only": opLevelBreakdown = true
  case "--no-gemm": doGEMM = false
  case "--gemm-only": doMobileNet = false
  case "--shapes":
    customShapes = (arguments.next() ?? "").split(separator: ",").compactMap { text in
      let parts = text.split(separator: "x").compactMap { Int($0) }
      return parts.count == 3 && parts.allSatisfy { $0 > 0 } ? (parts[0], parts[1], parts[2]) : nil
    }
  case "--threads": KernelThreading.workerCount = Int(arguments.next() ?? "") ?? 2
  default:
    print("usage: tl-bench-engine [--batch N] [--runs N] [--layers] [--no-gemm] [--gemm-only]"
          + " [--threads N] [--shapes MxKxN,...]")
    exit(64)
  }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
let fixture = packageRoot.appendingPathComponent("Tests/Fixtures/mobilenet_v1_0.25_224")

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used by the whole process (all threads): steadier than wall time when
/// other jobs share the cores.
func cpuTime() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The Python that runs the comparators: `$TL_TF_PYTHON` (e.g. a virtual
/// environment with TensorFlow, see Tests/Fixtures/README.md) or `python3`.
let pythonExecutable = ProcessInfo.processInfo.environment["TL_TF_PYTHON"] ?? "python3"

/// Runs `python -c script` and returns its standard output, or nil if it failed; without the
/// variables named in `unsetting` in its environment.
func python(_ script: String, unsetting: [String] = []) -> String? {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = unsetting.flatMap { ["-u", $0] } + [pythonExecutable, "-c", script]
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  do { try process.run() } catch { return nil }
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { return nil }
  return String(decoding: data, as: UTF8.self)
}

// MARK: - MobileNet

func benchmarkMobileNet() throws {
  let runner = try MobileNetRunner(modelDirectory: fixture.appendingPathComponent("model"))

  // Correctness of the fused plan against TensorFlow (the fixture's 2 images).
  let casesData = try Data(contentsOf: fixture.appendingPathComponent("cases.json"))
  guard let cases = try JSONSerialization.jsonObject(with: casesData) as? [String: Any],
    let manifest = cases["weightsManifest"] as? [[String: Any]]
  else { throw BenchError("unreadable cases.json") }
  let arrays = try readManifest(manifest, directory: fixture)
  guard let x = arrays["x"], let y = arrays["y"] else { throw BenchError("cases lack x/y") }
  let check = try runner.plan(inShape: x.shape)
  let capacity = maxActivation(check.steps, inShape: x.shape)
  let a = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
  let b = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
  let got = x.values.withUnsafeBufferPointer { px in
    let out = MobileNetRunner.run(check.steps, input: px.baseAddress!, inShape: x.shape,
                                  buffers: (a, b))
    return Array(UnsafeBufferPointer(start: out, count: y.values.count))
  }
  a.deallocate()
  b.deallocate()
  let worst = zip(got, y.values).map { abs($0 - $1) - (1e-4 + 1e-3 * abs($1)) }.max() ?? 0
  print(String(format: "MobileNet v1 0.25 fused plan vs TensorFlow: %@ (worst excess %.2g)",
               worst <= 0 ? "OK" : "MISMATCH", Double(worst)))

  // Timing at the requested batch.
  let shape = [batch, 224, 224, 3]
  let (steps, _) = try runner.plan(inShape: shape)
  let size = maxActivation(steps, inShape: shape)
  let bufferA = UnsafeMutablePointer<Float>.allocate(capacity: size)
  let bufferB = UnsafeMutablePointer<Float>.allocate(capacity: size)
  defer {
    bufferA.deallocate()
    bufferB.deallocate()
  }
  var seed: UInt32 = 1
  let input = (0..<shape.reduce(1, *)).map { _ -> Float in
    seed = seed &* 1_664_525 &+ 1_013_904_223
    return Float(seed >> 8) / Float(1 << 24) * 2 - 1
  }
  if opLevelBreakdown {
    let opLevel = try timeOpLevel(runner, input: input, shape: shape)
    print(String(format: "through tf ops: best %.1f ms, CPU %.1f ms", opLevel.wall * 1e3,
                 opLevel.cpu * 1e3))
    return
  }
  var times: [Double] = []
  var layerTimes = [Double](repeating: 0, count: steps.count)
  var layerCPU = [Double](repeating: 0, count: steps.count)
  var cpuTotal = Double.infinity
  input.withUnsafeBufferPointer { p in
    _ = MobileNetRunner.run(steps, input: p.baseAddress!, inShape: shape,
                            buffers: (bufferA, bufferB))  // warm-up
    for _ in 0..<runs {
      var last = now()
      var lastCPU = cpuTime()
      let start = last
      let startCPU = lastCPU
      _ = MobileNetRunner.run(
        steps, input: p.baseAddress!, inShape: shape, buffers: (bufferA, bufferB),
        probe: perLayer ? { i, _ in
          let t = now()
          let c = cpuTime()
          layerTimes[i] += t - last
          layerCPU[i] += c - lastCPU
          last = t
          lastCPU = c
        } : nil)
      times.append(now() - start)
      cpuTotal = min(cpuTotal, cpuTime() - startCPU)
    }
  }
  times.sort()
  let best = times.first ?? 0
  let median = times[times.count / 2]
  print(String(format: "MobileNet v1 0.25 224x224 batch %d: best %.1f ms (%.0f images/s), "
               + "median %.1f ms (%.0f images/s) over %d runs",
               batch, best * 1e3, Double(batch) / best, median * 1e3, Double(batch) / median,
               runs))
  print(String(format: "  CPU time per pass (both cores): best %.1f ms", cpuTotal * 1e3))
  if perLayer {
    for (i, step) in steps.enumerated() {
      var label = ""
      switch step {
      case .conv(_, let g, let depthwise, _, _, _, _):
        label = "\(depthwise ? "dw" : "conv") \(g.inShape) -> \(g.outShape)"
      case .globalAverage: label = "global average"
      case .softmax: label = "softmax"
      }
      print(String(format: "  %2d %6.2f ms wall %6.2f ms cpu  %@", i,
                   layerTimes[i] / Double(runs) * 1e3, layerCPU[i] / Double(runs) * 1e3, label))
    }
  }
  let opLevel = try timeOpLevel(runner, input: input, shape: shape)
  print(String(format: "MobileNet v1 0.25 through tf ops (conv2d, batchNorm, clipByValue, pad ... "
               + "as layers call them): best %.1f ms (%.0f images/s), CPU time %.1f ms",
               opLevel.wall * 1e3, Double(batch) / opLevel.wall, opLevel.cpu * 1e3))
  compareWithTensorFlow(imagesPerSecond: Double(batch) / best)
}

/// Times the unfused forward pass built from Tensor ops, one op per Keras layer.
func timeOpLevel(_ runner: MobileNetRunner, input: [Float], shape: [Int]) throws
  -> (wall: Double, cpu: Double)
{
  var weights: [String: Tensor] = [:]
  for (name, w) in runner.weights { weights[name] = try Tensor.tensor(w.values, shape: w.shape) }
  func w(_ name: String) throws -> Tensor {
    guard let t = weights[name] else { throw BenchError("missing \(name)") }
    return t
  }
  let x0 = try Tensor.tensor(input, shape: shape)
  var best = Double.infinity
  var bestCPU = Double.infinity
  for _ in 0..<max(2, runs / 2) {
    let start = now()
    let startCPU = cpuTime()
    try Engine.shared.tidy {
      var x = x0
      for layer in runner.layers {
        let c = layer["config"] as? [String: Any] ?? [:]
        let name = c["name"] as? String ?? ""
        let padding: ConvPadding = (c["padding"] as? String) == "same" ? .same : .valid
        let strides = c["strides"] as? [Int] ?? [1, 1]
        switch layer["class_name"] as? String ?? "" {
        case "Conv2D":
          x = try x.conv2d(try w("\(name)/kernel"), strides: strides, padding: padding)
          if let bias = weights["\(name)/bias"] { x = try x.add(bias) }
        case "DepthwiseConv2D":
          x = try x.depthwiseConv2d(try w("\(name)/depthwise_kernel"), strides: strides,
                                    padding: padding)
        case "BatchNormalization":
          x = try x.batchNorm(
            mean: try w("\(name)/moving_mean"), variance: try w("\(name)/moving_variance"),
            offset: try w("\(name)/beta"), scale: try w("\(name)/gamma"))
        case "ReLU": x = try x.clipByValue(0, 6)
        case "ZeroPadding2D":
          let p = c["padding"] as? [[Int]] ?? []
          x = try x.pad([[0, 0], p[0], p[1], [0, 0]])
        case "GlobalAveragePooling2D": x = try x.mean([1, 2], keepDims: true)
        case "Reshape": x = try x.reshape([x.shape[0], -1])
        case "Activation": x = try x.softmax()
        default: break
        }
      }
    }
    best = min(best, now() - start)
    bestCPU = min(bestCPU, cpuTime() - startCPU)
  }
  return (best, bestCPU)
}

/// Floats needed for the largest activation of the plan.
func maxActivation(_ steps: [Step], inShape: [Int]) -> Int {
  var largest = inShape.reduce(1, *)
  for step in steps {
    if case .conv(_, let g, _, _, _, _, _) = step {
      largest = max(largest, g.outShape.reduce(1, *))
    }
  }
  return largest
}

func compareWithTensorFlow(imagesPerSecond ours: Double) {
  let script = """
    import time, numpy as np, tensorflow as tf
    m = tf.keras.applications.MobileNet(input_shape=(224,224,3), alpha=0.25, weights=None)
    x = np.random.rand(\(batch),224,224,3).astype('float32')
    f = tf.function(lambda t: m(t, training=False))
    f(x); best = 1e9
    for _ in range(\(runs)):
        t = time.perf_counter(); f(x).numpy(); best = min(best, time.perf_counter() - t)
    print(\(batch) / best)
    """
  guard python("import tensorflow") != nil else {
    print("TensorFlow not installed (TF measured 166-325 images/s on this machine;"
          + String(format: " ours/166 = %.2f, ours/325 = %.2f)", ours / 166, ours / 325))
    return
  }
  if let out = python(script), let theirs = Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) {
    print(String(format: "TensorFlow: %.0f images/s; ours/TensorFlow = %.2f", theirs, ours / theirs))
  } else {
    print("TensorFlow is importable but its MobileNet run failed")
  }
}

// MARK: - GEMM

var gemmShapes = [(1024, 1024, 1024), (12544, 8, 16), (12544, 32, 64), (3136, 128, 128),
                  (49, 256, 256), (1, 1024, 1000)]
if let custom = customShapes { gemmShapes = custom }

/// Machines where OpenBLAS misbehaves set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) for every
/// process, tl's OpenBLAS included: numpy is timed under the same setting (the same kernels
/// as ours) and, when it is set, also with both removed (numpy's own kernel choice).
let blasOverrides = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

func benchmarkGEMM() {
  let numpyScript = """
    import time, glob, os, ctypes, numpy as np
    core = '?'
    for lib in glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, 'numpy.libs', '*openblas*')):
        for name in ('scipy_openblas_get_corename64_', 'openblas_get_corename64_', 'openblas_get_corename'):
            f = getattr(ctypes.CDLL(lib), name, None)
            if f:
                f.restype = ctypes.c_char_p; core = f().decode(); break
    print(core)
    for (m, k, n) in \(gemmShapes.map { [$0.0, $0.1, $0.2] }):
        a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32)
        reps = max(3, int(2e9 / (2*m*n*k + 1)))
        a @ b; best = 1e9
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(reps): a @ b
            best = min(best, (time.perf_counter() - t) / reps)
        print(2*m*n*k / best / 1e9)
    """
  func numpyRun(unsetting: [String]) -> (core: String, speeds: [Double])? {
    guard let lines = python(numpyScript, unsetting: unsetting)?.split(separator: "\n"),
      let core = lines.first
    else { return nil }
    return (String(core), lines.dropFirst().compactMap { Double($0) })
  }
  let environment = ProcessInfo.processInfo.environment
  let overridden = blasOverrides.filter { environment[$0] != nil }
  let same = numpyRun(unsetting: [])
  let own = overridden.isEmpty ? nil : numpyRun(unsetting: blasOverrides)
  if same == nil { print("numpy not available: no GEMM ratios") }
  if !overridden.isEmpty {
    print("This machine sets " + overridden.map { "\($0)=\(environment[$0]!)" }.joined(separator: " ")
      + ": tl's OpenBLAS runs the kernels it names. numpy is timed with it (numpy A, "
      + "\(same?.core ?? "?") kernels) and without it (numpy B, \(own?.core ?? "?") kernels).")
  }
  print("GEMM (M x K x N)      ours GFLOP/s   numpy A   ours/A   numpy B   ours/B   OpenBLAS only")
  for (index, (m, k, n)) in gemmShapes.enumerated() {
    let ours = gemmSpeed(m, k, n)
    GEMMTuning.swiftKernels = false
    let blas = gemmSpeed(m, k, n)
    GEMMTuning.swiftKernels = true
    let label = "\(m)x\(k)x\(n)".padding(toLength: 20, withPad: " ", startingAt: 0)
    func column(_ run: (core: String, speeds: [Double])?) -> String {
      guard let run, index < run.speeds.count else { return "       -        -" }
      return String(format: "%8.1f    %5.2f", run.speeds[index], ours / run.speeds[index])
    }
    print(String(format: "%@ %8.1f       ", label, ours) + column(same) + "  " + column(own)
      + String(format: "   %8.1f", blas))
  }
}

/// Best-of-5 GFLOP/s of `gemm` on an m×k by k×n product.
func gemmSpeed(_ m: Int, _ k: Int, _ n: Int) -> Double {
  let a = [Float](repeating: 0.5, count: m * k)
  let b = [Float](repeating: 0.25, count: k * n)
  var c = [Float](repeating: 0, count: m * n)
  let reps = max(3, Int(2e9 / Double(2 * m * n * k + 1)))
  var best = Double.infinity
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        let out = pc.baseAddress!
        let call = {
          gemm(transA: false, transB: false, M: m, N: n, K: k, pa.baseAddress!, lda: k,
               pb.baseAddress!, ldb: n, out, ldc: n)
        }
        call()
        for _ in 0..<5 {
          // One thread: CPU time, steadier on a shared machine.
          let clock = KernelThreading.workerCount == 1 ? cpuTime : now
          let t = clock()
          for _ in 0..<reps { call() }
          best = min(best, (clock() - t) / Double(reps))
        }
      }
    }
  }
  return 2 * Double(m * n * k) / best / 1e9
}

// MARK: - Main

if doMobileNet {
  do {
    try benchmarkMobileNet()
  } catch {
    print("MobileNet benchmark failed: \(error)")
    exit(1)
  }
}
if doGEMM { benchmarkGEMM() }
