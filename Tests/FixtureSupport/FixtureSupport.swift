// The TensorFlow oracle fixtures (Tests/Fixtures, see its README) for the test
// targets that compare tl with them: paths, cases.json (which reuses the
// weightsManifest format) and the tolerance check.

import Foundation
import TensorEngine
import TensorLayers
import XCTest

/// The fixture folder `name` under Tests/Fixtures.
public func fixtureURL(_ name: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// The path of `name` under Tests/Fixtures.
public func fixturePath(_ name: String) -> String { fixtureURL(name).path }

/// A fixture's cases.json and its arrays by name.
public struct FixtureCases {
  public let json: ConfigObject
  public let arrays: [String: Tensor]

  public init(_ name: String) throws {
    let root = fixtureURL(name)
    let data = try Data(contentsOf: root.appendingPathComponent("cases.json"))
    guard let o = try ConfigValue.parseJSON(data).object, let manifest = o["weightsManifest"]
    else { throw LayersError(.valueError, "\(name)/cases.json has no weightsManifest") }
    json = o
    var arrays: [String: Tensor] = [:]
    for (n, t) in try WeightsIO.load(manifest, directory: root) { arrays[n] = t }
    self.arrays = arrays
  }

  public var atol: Float { Float((try? json.double("atol")) ?? 1e-4) }
  public var rtol: Float { Float((try? json.double("rtol")) ?? 1e-3) }
}

/// Asserts `|got - want| <= atol + rtol * |want|` element-wise, reporting the worst element.
public func assertClose(
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
