// Model-file benchmarks (release): load times of the 55-group MobileNet v1
// layers model and of the MobileNetV2 graph models, and MobileNetV2 1.30 @224
// graph-model inference in images per second.
//
//   swift run -c release tl-bench-models [fixtures-folder]
// Prints one `name value unit` line per measurement (run.sh adds TensorFlow's).

import Foundation
import TensorEngine
import TensorLayers

let fixtures =
  CommandLine.arguments.dropFirst().first
  ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../../Tests/Fixtures").standardizedFileURL.path

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Best of `runs` timings.
func best(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
  var b = Double.infinity
  for _ in 0..<runs { b = min(b, try seconds(body)) }
  return b
}

func report(_ name: String, _ value: Double, _ unit: String) {
  print(name, String(format: "%.4f", value), unit)
}

// TL_WORKERS=1 runs the kernels on one thread (steadier per-op CPU times on a busy machine).
if let w = ProcessInfo.processInfo.environment["TL_WORKERS"].flatMap(Int.init), w > 0 {
  KernelThreading.workerCount = w
}

/// TL_OPBENCH=1: MobileNetV2 1.30's kernels alone (best-of-20 ms), for kernel work.
func opBench() throws {
  func time(_ name: String, _ body: () throws -> Tensor) throws {
    for _ in 0..<3 { try body().dispose() }
    let t = try best(20) { try body().dispose() }
    print(String(format: "  %@ %.3f ms", name, t * 1000))
  }
  let bias = try Tensor.randomUniform([1664], seed: 3)
  for (h, c, s) in [(112, 144, 2), (56, 192, 1), (112, 40, 1), (14, 768, 1)] {
    let x = try Tensor.randomUniform([1, h, h, c], seed: 1)
    let f = try Tensor.randomUniform([3, 3, c, 1], seed: 2)
    let b = try bias.slice([0], [c])
    try time("dw \(h)x\(h)x\(c)/\(s)") {
      try x.fusedDepthwiseConv2d(f, strides: [s, s], padding: .same, bias: b, activation: .relu6)
    }
  }
  for (h, cin, cout) in [(112, 24, 144), (56, 144, 32), (14, 128, 768), (7, 416, 1664)] {
    let x = try Tensor.randomUniform([1, h, h, cin], seed: 1)
    let f = try Tensor.randomUniform([1, 1, cin, cout], seed: 2)
    let b = try bias.slice([0], [cout])
    try time("pw \(h)x\(h)x\(cin)->\(cout)") {
      try x.fusedConv2d(f, strides: [1, 1], padding: .valid, bias: b, activation: .relu6)
    }
  }
  let x = try Tensor.randomUniform([1, 224, 224, 3], seed: 1)
  let f = try Tensor.randomUniform([3, 3, 3, 40], seed: 2)
  let b = try bias.slice([0], [40])
  try time("stem 224x224x3->40/2") {
    try x.fusedConv2d(f, strides: [2, 2], padding: .same, bias: b, activation: .relu6)
  }
}

if ProcessInfo.processInfo.environment["TL_OPBENCH"] != nil {
  do { try opBench() } catch { print("op bench failed: \(error)") }
  exit(0)
}

do {
  let oldFormat = fixtures + "/mobilenet_v1_0.25_224_oldformat/model/model.json"
  report(
    "load_mobilenet_v1_0.25_55_groups", try best(5) { _ = try ModelIO.loadLayersModel(oldFormat) },
    "s")
  for name in ["mobilenet_v2_0.35_feature_graph", "mobilenet_v2_1.30_feature_graph_float16"] {
    let path = fixtures + "/\(name)/model/model.json"
    report("load_\(name)", try best(5) { try ModelIO.loadGraphModel(path).dispose() }, "s")
  }
  let model = try ModelIO.loadGraphModel(
    fixtures + "/mobilenet_v2_1.30_feature_graph_float16/model/model.json")
  // TL_GRAPH_BATCHES=8 (comma-separated) picks the batch sizes, e.g. for a profiler.
  let batches =
    ProcessInfo.processInfo.environment["TL_GRAPH_BATCHES"].map {
      $0.split(separator: ",").compactMap { Int($0) }
    } ?? [1, 8]
  for batch in batches {
    let x = try Tensor.randomUniform([batch, 224, 224, 3], seed: 1)
    for _ in 0..<2 { Engine.shared.dispose(try model.predict([x])) }  // warm up
    let runs = batch == 1 ? 10 : 3
    let t = try best(runs) { Engine.shared.dispose(try model.predict([x])) }
    report("graph_mobilenet_v2_1.30_224_batch\(batch)", Double(batch) / t, "images/s")
    if ProcessInfo.processInfo.environment["TL_GRAPH_PROFILE"] != nil {
      GraphModel.profile = [:]
      GraphModel.profilePerNode = ProcessInfo.processInfo.environment["TL_GRAPH_PROFILE"] == "nodes"
      let repeats = batch == 1 ? 8 : 2
      for _ in 0..<repeats { Engine.shared.dispose(try model.predict([x])) }
      let table = (GraphModel.profile ?? [:]).sorted { $0.value.cpu > $1.value.cpu }
      let total = table.reduce(0) { $0 + $1.value.wall } / Double(repeats * batch)
      func pad(_ s: String, _ n: Int) -> String {
        s + String(repeating: " ", count: max(0, n - s.count))
      }
      print("  " + pad("op (per image)", 34) + "   wall ms    cpu ms nodes")
      for (op, t) in table {
        let scale = 1000 / Double(repeats * batch)
        print(
          "  " + pad(op, GraphModel.profilePerNode ? 90 : 34)
            + String(format: " %9.3f %9.3f %5d", t.wall * scale, t.cpu * scale, t.count / repeats))
      }
      print("  " + pad("total", 34) + String(format: " %9.3f", total * 1000))
      GraphModel.profile = nil
    }
    x.dispose()
  }
  model.dispose()
} catch {
  FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
  exit(1)
}
