// The language's golden scripts: every `scripts/**/*.tl` runs in-process
// (Tests/GoldenSupport's runner) and its output is compared with the
// expectations written in its comments:
//
//   // expect: line                  one stdout line, in order
//   // expect runtime error: msg     the uncaught error's first line (paths
//                                    relative to scripts/)
//   // expect error: msg             a syntax error reported on this comment's line
//   // expect error line N: msg      a syntax error on line N (`line N:C` adds the column)
//   // skip: reason                  not run
//
// One XCTest per folder; failures name the script.

import Foundation
import GoldenSupport
import XCTest
@testable import ScriptCore

enum Golden {
  static let scriptsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("scripts")

  static func scripts(in folder: String) -> [URL] {
    GoldenRunner.scripts(under: scriptsRoot.appendingPathComponent(folder))
  }

  /// Runs one script in a plain interpreter; returns the problems found (empty when it passes).
  static func check(_ url: URL) -> [String] {
    GoldenRunner.check(url, shownRelativeTo: scriptsRoot) { Interpreter(output: $0) }.problems
  }
}

final class GoldenTests: XCTestCase {
  private func runFolder(_ folder: String) {
    let scripts = Golden.scripts(in: folder)
    if folder == "language" { XCTAssertGreaterThan(scripts.count, 0, "no scripts found under \(folder)") }
    for url in scripts {
      let problems = Golden.check(url)
      let name = url.path.replacingOccurrences(of: Golden.scriptsRoot.path + "/", with: "")
      for p in problems { XCTFail("\(name): \(p)") }
    }
  }

  func testLanguageScripts() { runFolder("language") }

  func testBuiltinsScripts() { runFolder("builtins") }

  func testNodeScripts() { runFolder("node") }

  func testLimitsScripts() { runFolder("limits") }

  /// Runs one script named by `TL_SCRIPT` and prints its output (a debugging aid).
  func testAdHocScript() throws {
    guard let path = ProcessInfo.processInfo.environment["TL_SCRIPT"] else { return }
    let out = OutputBuffer()
    let interp = Interpreter(output: out)
    let source = try String(contentsOfFile: path, encoding: .utf8)
    let start = Date()
    let result = interp.run(source: source, file: path)
    print(out.stdout, terminator: "")
    print(out.stderr, terminator: "")
    print("result:", result, "time:", Date().timeIntervalSince(start))
    for p in Golden.check(URL(fileURLWithPath: path)) { print("PROBLEM:", p) }
  }
}
