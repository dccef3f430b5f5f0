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
import ScriptCore
import TFBindings
import XCTest

/// Collects a script's output.
final class CapturedOutput: OutputSink {
  var stdout = ""
  var stderr = ""

  func write(_ text: String, to stream: ScriptCore.OutputStream) {
    if stream == .stdout { stdout += text } else { stderr += text }
  }
}

/// An interpreter with `tf` installed, and its output.
func makeTFInterpreter() -> (Interpreter, CapturedOutput) {
  let out = CapturedOutput()
  let interp = Interpreter(output: out)
  TFBindings.install(into: interp)
  return (interp, out)
}

/// What a golden script expects.
struct ScriptExpectations {
  var lines: [String] = []
  var runtimeError: String?
  var skip: String?

  init(source: String) {
    for raw in source.components(separatedBy: "\n") {
      guard let r = raw.range(of: "// ") else { continue }
      let comment = String(raw[r.upperBound...])
      if comment.hasPrefix("expect: ") {
        lines.append(String(comment.dropFirst("expect: ".count)))
      } else if comment == "expect:" {
        lines.append("")
      } else if comment.hasPrefix("expect runtime error: ") {
        runtimeError = String(comment.dropFirst("expect runtime error: ".count))
      } else if comment.hasPrefix("skip: ") {
        skip = String(comment.dropFirst("skip: ".count))
      }
    }
  }
}

enum GoldenScripts {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("scripts")

  static func all() -> [URL] {
    guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
      return []
    }
    return e.compactMap { $0 as? URL }.filter { $0.pathExtension == "tl" }
      .sorted { $0.path < $1.path }
  }

  /// Runs one script; returns its problems (empty when it passes) and its output.
  static func check(_ url: URL) -> (problems: [String], output: CapturedOutput) {
    let (interp, out) = makeTFInterpreter()
    guard let source = try? String(contentsOf: url, encoding: .utf8) else {
      return (["cannot read"], out)
    }
    let expect = ScriptExpectations(source: source)
    if expect.skip != nil { return ([], out) }
    var problems: [String] = []
    // The full path: scripts import data modules and load model files relative to themselves.
    switch interp.run(source: source, file: url.path) {
    case .syntaxErrors(let diagnostics):
      return (["syntax errors: " + diagnostics.map(\.description).joined(separator: "; ")], out)
    case .uncaught(_, let text):
      // Messages name the script by the full path it ran under; expectations
      // name it relative to its own folder, so they hold on any checkout.
      let first = (text.components(separatedBy: "\n").first ?? "")
        .replacingOccurrences(of: url.deletingLastPathComponent().path + "/", with: "")
      if let want = expect.runtimeError {
        if first != want { problems.append("runtime error: expected `\(want)`, got `\(first)`") }
      } else {
        problems.append("uncaught: \(text)")
      }
    case .ok:
      if let want = expect.runtimeError { problems.append("expected runtime error `\(want)`") }
    case .interrupted:
      problems.append("interrupted")
    case .exited(let code):
      if code != 0 { problems.append("exited with \(code)") }
    }
    var got = out.stdout.components(separatedBy: "\n")
    if got.last == "" { got.removeLast() }
    if got != expect.lines {
      for i in 0..<max(got.count, expect.lines.count) {
        let g = i < got.count ? got[i] : "<nothing>"
        let w = i < expect.lines.count ? expect.lines[i] : "<nothing>"
        if g != w {
          problems.append("stdout line \(i + 1): expected `\(w)`, got `\(g)`")
          break
        }
      }
      if got.count != expect.lines.count {
        problems.append("expected \(expect.lines.count) lines, got \(got.count)")
      }
      if !out.stderr.isEmpty { problems.append("stderr: \(out.stderr.prefix(500))") }
    }
    return (problems, out)
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
