// Helpers for the model-file tests (graph models, loading, saving, HTTP); fixture
// paths, cases.json and assertClose come from FixtureSupport.

import Foundation
import TensorEngine
import XCTest

@_exported import FixtureSupport

@testable import TensorLayers

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
