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
  for batch in [1, 8] {
    let x = try Tensor.randomUniform([batch, 224, 224, 3], seed: 1)
    for _ in 0..<2 { Engine.shared.dispose(try model.predict([x])) }  // warm up
    let runs = batch == 1 ? 10 : 3
    let t = try best(runs) { Engine.shared.dispose(try model.predict([x])) }
    report("graph_mobilenet_v2_1.30_224_batch\(batch)", Double(batch) / t, "images/s")
    if ProcessInfo.processInfo.environment["TL_GRAPH_PROFILE"] != nil {
      GraphModel.profile = [:]
      Engine.shared.dispose(try model.predict([x]))
      for (op, s) in (GraphModel.profile ?? [:]).sorted(by: { $0.value > $1.value }) {
        print(String(format: "  %-28@ %.4f s", op as NSString, s))
      }
      GraphModel.profile = nil
    }
    x.dispose()
  }
  model.dispose()
} catch {
  FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
  exit(1)
}
