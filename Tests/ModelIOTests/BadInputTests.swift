// Broken model files give errors naming the file, weight or node, never a
// crash: missing and truncated shards, byte counts off the manifest,
// malformed JSON, unknown ops, unsupported dtypes; plus a seeded fuzz pass.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

final class BadInputTests: XCTestCase {
  private let graph = "mobilenet_v2_0.35_feature_graph"

  private func editJSON(_ path: String, _ edit: (inout String) -> Void) throws {
    var s = String(decoding: try bytes(path), as: UTF8.self)
    edit(&s)
    try Data(s.utf8).write(to: URL(fileURLWithPath: path))
  }

  func testShardsThatDoNotMatchTheManifest() throws {
    let dir = try temporaryFolder(self)
    let path = try copyModel(graph, to: dir)
    let shard = dir + "/group1-shard1of1.bin"
    let full = try bytes(shard)
    try Data(full.dropLast(10)).write(to: URL(fileURLWithPath: shard))
    assertThrows([
      "group1-shard1of1.bin", "hold \(full.count - 10) bytes", "need \(full.count) bytes",
    ]) {
      try ModelIO.loadGraphModel(path)
    }
    try Data(full + [0]).write(to: URL(fileURLWithPath: shard))
    assertThrows(["hold \(full.count + 1) bytes"]) { try ModelIO.loadGraphModel(path) }
    try FileManager.default.removeItem(atPath: shard)
    assertThrows(["Weight file \(shard) does not exist"]) { try ModelIO.loadGraphModel(path) }
    // The same checks guard layers models.
    let ldir = try temporaryFolder(self)
    let lpath = try copyModel("functional_blocks_uint8_sharded", to: ldir)
    let second = ldir + "/group1-shard2of2.bin"
    try Data(try bytes(second).dropLast()).write(to: URL(fileURLWithPath: second))
    assertThrows(["group1-shard1of2.bin, group1-shard2of2.bin", "bytes"]) {
      try ModelIO.loadLayersModel(lpath)
    }
  }

  func testMalformedJSONUnknownOpsAndDtypes() throws {
    let dir = try temporaryFolder(self)
    let path = try copyModel(graph, to: dir)
    let original = String(decoding: try bytes(path), as: UTF8.self)
    try Data(original.prefix(5000).utf8).write(to: URL(fileURLWithPath: path))
    assertThrows(["Failed to parse model JSON of \(path)"]) { try ModelIO.loadGraphModel(path) }

    try Data(original.utf8).write(to: URL(fileURLWithPath: path))
    try editJSON(path) {
      $0 = $0.replacingOccurrences(of: "\"op\": \"Mean\"", with: "\"op\": \"Frobnicate\"")
    }
    assertThrows([
      "Tensorflow Op is not supported: Frobnicate",
      "StatefulPartitionedCall/mobilenetv2_0.35_224/global_average_pooling2d/Mean",
    ]) {
      try ModelIO.loadGraphModel(path)
    }

    try Data(original.utf8).write(to: URL(fileURLWithPath: path))
    try editJSON(path) {
      $0 = $0.replacingOccurrences(
        of: "\"dtype\": \"int32\"", with: "\"dtype\": \"string\"")
    }
    assertThrows(["block_1_pad/Pad/paddings has dtype 'string'", "not supported"]) {
      try ModelIO.loadGraphModel(path)
    }

    try Data(original.utf8).write(to: URL(fileURLWithPath: path))
    try editJSON(path) {
      $0 = $0.replacingOccurrences(
        of: "\"dtype\": \"int32\"}",
        with: "\"dtype\": \"int32\", \"quantization\": {\"dtype\": \"int4\"}}")
    }
    assertThrows(["unsupported quantization dtype 'int4'"]) { try ModelIO.loadGraphModel(path) }

    assertThrows(["is a graph model; load it with tf.loadGraphModel()"]) {
      try ModelIO.loadLayersModel(fixturePath(graph + "/model/model.json"))
    }
    assertThrows(["is a layers model; load it with tf.loadLayersModel()"]) {
      try ModelIO.loadGraphModel(fixturePath("small_convnet/model/model.json"))
    }
    assertThrows(["model.json path \(dir)/nope.json does not exist: loading failed"]) {
      try ModelIO.loadGraphModel(dir + "/nope.json")
    }
    assertThrows(["must be a file"]) { try ModelIO.loadGraphModel(dir) }
  }

  /// Random byte edits of model.json and the shards (seeded): every load either
  /// succeeds or throws, and a model that loads runs or throws.
  func testFuzzedModelFilesNeverCrash() throws {
    var rng = SplitMix(seed: 20_261_129)
    let rounds = Int(ProcessInfo.processInfo.environment["TL_FUZZ_ROUNDS"] ?? "") ?? 120
    for fixture in [graph, "functional_blocks_uint8_sharded", "graph_ops"] {
      let src = fixturePath(fixture + "/model")
      let names = try FileManager.default.contentsOfDirectory(atPath: src).sorted()
      let originals = try names.map { try bytes(src + "/" + $0) }
      let count = fixture == graph ? max(1, rounds / 5) : rounds
      let dir = try temporaryFolder(self)
      var loaded = 0
      for _ in 0..<count {
        for (n, o) in zip(names, originals) {
          var b = o
          if n.hasSuffix(".json") || rng.next() % 4 == 0 {
            mutate(&b, &rng, json: n.hasSuffix(".json"))
          }
          try Data(b).write(to: URL(fileURLWithPath: dir + "/" + n))
        }
        if fixture == graph {
          guard let m = try? ModelIO.loadGraphModel(dir + "/model.json") else { continue }
          loaded += 1
          _ = try? m.predict([try Tensor.zeros([1, 224, 224, 3])])
          m.dispose()
        } else if fixture == "graph_ops" {
          guard let m = try? ModelIO.loadGraphModel(dir + "/model.json") else { continue }
          loaded += 1
          let inputs = [
            "img": try Tensor.randomUniform([2, 9, 9, 3]), "vec": try Tensor.zeros([2, 5]),
          ]
          _ = try? m.execute(inputs, outputs: m.nodes.map(\.name))
          m.dispose()
        } else {
          guard let m = try? ModelIO.loadLayersModel(dir + "/model.json") else { continue }
          loaded += 1
          _ = try? m.predict(try Tensor.zeros([1, 32, 32, 3]))
        }
      }
      XCTAssertGreaterThan(loaded, 0, "\(fixture): some mutations keep the model loadable")
    }
  }

  /// A topology that fails after some layers were built (found by fuzz/run-model.sh: the
  /// fuzzer's memory grew) leaves no weights behind, Sequential or functional.
  func testFailedTopologyReleasesBuiltWeights() throws {
    let dense = #"{"class_name": "Dense", "config": {"name": "d", "units": 3, "#
      + #""batch_input_shape": [null, 4]}, "name": "d", "inbound_nodes": []}"#
    let topologies = [
      // Sequential: the second layer's name repeats the first's.
      #"{"class_name": "Sequential", "config": {"layers": [\#(dense), \#(dense)]}}"#,
      // Sequential: the second layer is unknown.
      #"{"class_name": "Sequential", "config": {"layers": [\#(dense), {"class_name": "Nope"}]}}"#,
      // Functional: layers built, then a bad output reference.
      #"{"class_name": "Model", "config": {"layers": [{"class_name": "InputLayer", "config": "#
        + #"{"name": "in", "batch_input_shape": [null, 4]}, "name": "in", "inbound_nodes": []}, "#
        + #"{"class_name": "Dense", "config": {"name": "d", "units": 3}, "name": "d", "#
        + #""inbound_nodes": [[["in", 0, 0, {}]]]}], "input_layers": [["in", 0, 0]], "#
        + #""output_layers": [["d", 5, 0]]}}"#,
    ]
    for t in topologies {
      let before = Engine.shared.memory.numTensors
      assertThrows([]) {
        try ModelLoader.loadLayersModel(json: Data("{\"modelTopology\": \(t)}".utf8), source: "m")
        { _ in Data() }
      }
      XCTAssertEqual(Engine.shared.memory.numTensors, before, t)
    }
  }

  private func mutate(_ b: inout [UInt8], _ rng: inout SplitMix, json: Bool) {
    guard !b.isEmpty else { return }
    let edits = 1 + Int(rng.next() % 3)
    for _ in 0..<edits {
      let i = Int(rng.next() % UInt64(b.count))
      switch rng.next() % 6 {
      case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
      case 1: b.removeSubrange(i..<min(b.count, i + 1 + Int(rng.next() % 16)))
      case 2: b = Array(b[..<i])
      case 3 where json:
        // Swap a digit for another, which keeps the JSON valid but changes shapes and attrs.
        if let j = b[i...].firstIndex(where: { $0 >= 48 && $0 <= 57 }) {
          b[j] = 48 + UInt8(rng.next() % 10)
        }
      case 4 where json:
        let tokens = ["-1", "1e300", "null", "[]", "{}", "\"\"", "99999999999"]
        let t = Array(tokens[Int(rng.next() % UInt64(tokens.count))].utf8)
        if let j = b[i...].firstIndex(where: { $0 >= 48 && $0 <= 57 }) {
          b.replaceSubrange(j...j, with: t)
        }
      default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
      }
      if b.isEmpty { return }
    }
  }
}

/// A small seeded generator (SplitMix64).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
