// Loading the TensorFlow oracle fixtures (Tests/Fixtures, see its README) for the
// layers tests: cases.json reuses the weightsManifest format.

import Foundation
import TensorEngine
import XCTest

@testable import TensorLayers

/// The fixture folder `name` under Tests/Fixtures.
func fixtureURL(_ name: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// A fixture's cases.json and its arrays by name.
struct FixtureCases {
  let json: ConfigObject
  let arrays: [String: Tensor]

  init(_ name: String) throws {
    let root = fixtureURL(name)
    let data = try Data(contentsOf: root.appendingPathComponent("cases.json"))
    guard let o = try ConfigValue.parseJSON(data).object else {
      throw LayersError(.valueError, "cases.json is not an object")
    }
    json = o
    var arrays: [String: Tensor] = [:]
    for (n, t) in try WeightsIO.load(o["weightsManifest"]!, directory: root) { arrays[n] = t }
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
  var worstExcess: Float = -1
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

/// Loads a fixture's model.
func loadFixtureModel(_ name: String, file: String = "model/model.json") throws -> LayersModel {
  try ModelLoader.loadLayersModel(path: fixtureURL(name).appendingPathComponent(file).path)
}
