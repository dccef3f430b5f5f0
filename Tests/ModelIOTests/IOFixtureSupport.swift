// Fixture paths and assertions for the model-file tests: graph models, loading, saving, HTTP
// (Tests/Fixtures, see its README);
// cases.json reuses the weightsManifest format, so ModelArtifacts reads it.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

/// The path of `name` under Tests/Fixtures.
func fixturePath(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

/// A fixture's cases.json and its arrays by name.
struct GraphCases {
  let json: ConfigObject
  let arrays: [String: Tensor]

  init(_ name: String) throws {
    let a = try ModelArtifacts.load(.file(fixturePath(name + "/cases.json")), cache: nil)
    json = a.root
    var arrays: [String: Tensor] = [:]
    for (n, t) in try a.decodeWeights() { arrays[n] = t }
    self.arrays = arrays
  }

  var atol: Float { Float((try? json.double("atol")) ?? 1e-4) }
  var rtol: Float { Float((try? json.double("rtol")) ?? 1e-3) }
}

/// Asserts `|got - want| <= atol + rtol * |want|` element-wise, reporting the worst element.
func assertClose(
  _ got: Tensor, _ want: Tensor, atol: Float, rtol: Float, _ what: String,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  XCTAssertEqual(got.shape, want.shape, "\(what): shape", file: file, line: line)
  let g = try got.dataSync()
  let w = try want.dataSync()
  guard g.count == w.count else { return }
  var worst = 0
  var worstExcess: Float = -.infinity
  for i in 0..<g.count {
    let excess = Swift.abs(g[i] - w[i]) - (atol + rtol * Swift.abs(w[i]))
    if excess > worstExcess || g[i].isNaN {
      worstExcess = g[i].isNaN ? .infinity : excess
      worst = i
    }
  }
  XCTAssertLessThanOrEqual(
    worstExcess, 0,
    "\(what): element \(worst) is \(g.isEmpty ? 0 : g[worst]), want \(w.isEmpty ? 0 : w[worst])",
    file: file, line: line)
}

/// Asserts that `body` throws an error whose text contains every fragment.
func assertThrows<T>(
  _ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
  _ body: () throws -> T
) {
  do {
    _ = try body()
    XCTFail("expected an error containing \(fragments)", file: file, line: line)
  } catch {
    let text = "\(error)"
    for f in fragments where !text.contains(f) {
      XCTFail("error '\(text)' lacks '\(f)'", file: file, line: line)
    }
  }
}

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> String {
  let dir = NSTemporaryDirectory() + "tl-io-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
  return dir
}

/// Copies a fixture's model folder into `dir` and returns the new model.json path.
func copyModel(_ fixture: String, to dir: String) throws -> String {
  let src = fixturePath(fixture + "/model")
  for f in try FileManager.default.contentsOfDirectory(atPath: src) {
    try FileManager.default.copyItem(atPath: src + "/" + f, toPath: dir + "/" + f)
  }
  return dir + "/model.json"
}

/// The bytes of a file.
func bytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}
