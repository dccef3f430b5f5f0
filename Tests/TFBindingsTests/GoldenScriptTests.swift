// Golden scripts for the `tf` bindings: every `scripts/**/*.tl` runs in-process
// with `tf` installed, and its stdout is compared with the `// expect: line`
// comments in order. `// expect runtime error: msg` names the uncaught error's
// first line; `// skip: reason` skips a script.
//
// The engine is process-wide, so scripts that check memory print differences
// (`tf.memory().numTensors - before`), never absolute counts.
//
// `TL_SCRIPT=path swift test --filter GoldenScriptTests/testAdHocScript` runs one
// script and prints its output (a debugging aid).

import Foundation
import GoldenSupport
import ScriptCore
import TFBindings
import XCTest

/// A script's output.
typealias CapturedOutput = OutputBuffer

/// An interpreter with `tf` installed, and its output.
func makeTFInterpreter() -> (Interpreter, CapturedOutput) {
  let out = CapturedOutput()
  return (tfInterpreter(out), out)
}

func tfInterpreter(_ out: OutputBuffer) -> Interpreter {
  let interp = Interpreter(output: out)
  TFBindings.install(into: interp)
  return interp
}

enum GoldenScripts {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("scripts")

  static func all() -> [URL] { GoldenRunner.scripts(under: root) }

  /// Runs one script with `tf` installed; returns its problems (empty when it passes) and its
  /// output. Messages name the script by the full path it ran under; expectations name it
  /// relative to its own folder, so they hold on any checkout.
  static func check(_ url: URL) -> (problems: [String], output: CapturedOutput) {
    GoldenRunner.check(url, shownRelativeTo: url.deletingLastPathComponent(), makeInterpreter: tfInterpreter)
  }
}

final class GoldenScriptTests: XCTestCase {
  func testScripts() {
    let scripts = GoldenScripts.all()
    XCTAssertGreaterThan(scripts.count, 0, "no scripts under \(GoldenScripts.root.path)")
    for url in scripts {
      let name = url.path.replacingOccurrences(of: GoldenScripts.root.path + "/", with: "")
      for p in GoldenScripts.check(url).problems { XCTFail("\(name): \(p)") }
    }
  }

  func testAdHocScript() throws {
    guard let path = ProcessInfo.processInfo.environment["TL_SCRIPT"] else { return }
    let (problems, out) = GoldenScripts.check(URL(fileURLWithPath: path))
    print(out.stdout, terminator: "")
    print(out.stderr, terminator: "")
    for p in problems { print("PROBLEM:", p) }
  }
}
