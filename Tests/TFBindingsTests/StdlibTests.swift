// stdlib/ ships inside the binary through Stdlib.generated.swift: these tests
// fail when that file is stale (run scripts/gen-stdlib.sh), and check that
// the modules and the unprovided-package notes are registered.

import Foundation
import ScriptCore
import TFBindings
import XCTest

final class StdlibTests: XCTestCase {
  private static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The stdlib/*.tl files on disk, by file name.
  private func filesOnDisk() throws -> [String: String] {
    let dir = StdlibTests.repositoryRoot.appendingPathComponent("stdlib")
    var files: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path)
    where name.hasSuffix(".tl") {
      files[name] = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }
    return files
  }

  func testGeneratedFileMatchesStdlibFolder() throws {
    let onDisk = try filesOnDisk()
    XCTAssertFalse(onDisk.isEmpty, "no stdlib/*.tl files found")
    let generated = Dictionary(
      StdlibSources.modules.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
    let hint = "Stdlib.generated.swift is stale: run scripts/gen-stdlib.sh"
    XCTAssertEqual(Set(generated.keys), Set(onDisk.keys), hint)
    for (file, text) in onDisk {
      guard let module = generated[file] else { continue }
      XCTAssertTrue(module.source == text, "\(file): \(hint)")
      let declared = text.components(separatedBy: "\n").first { $0.hasPrefix("// module: ") }
      XCTAssertEqual(
        declared.map {
          String($0.dropFirst("// module: ".count)).trimmingCharacters(in: .whitespaces)
        },
        module.name, "\(file): \(hint)")
    }
  }

  func testModulesImportByName() {
    let (interp, out) = makeTFInterpreter()
    let result = interp.run(
      source: """
        import * as knn from '@tensorflow-models/knn-classifier';
        const viaRequire = require('@tensorflow-models/knn-classifier');
        console.log(typeof knn.create, viaRequire.create === knn.create);
        """, file: "main.tl")
    guard case .ok = result else { return XCTFail("\(result)") }
    XCTAssertEqual(out.stdout, "function true\n")
  }

  func testUnprovidedPackagesSaySo() {
    for name in TFBindings.unprovidedPackages {
      let (interp, _) = makeTFInterpreter()
      let result = interp.run(source: "require('\(name)')", file: "main.tl")
      guard case .uncaught(_, let text) = result else { return XCTFail("\(name): \(result)") }
      XCTAssertTrue(
        text.hasPrefix(
          "Error: Cannot find module '\(name)' imported from main.tl:1"
            + " (tl does not provide this package yet)"), text)
    }
    let (interp, _) = makeTFInterpreter()
    guard case .uncaught(_, let text) = interp.run(source: "require('left-pad')", file: "main.tl")
    else { return XCTFail("left-pad loaded") }
    XCTAssertFalse(text.contains("tl does not provide"), text)
  }
}
