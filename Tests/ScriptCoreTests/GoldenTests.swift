// The golden runner: every `scripts/**/*.tl` runs in-process and its output is
// compared with the expectations written in its comments:
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
import XCTest
@testable import ScriptCore

final class OutputBuffer: OutputSink {
  var stdout = ""
  var stderr = ""

  func write(_ text: String, to stream: ScriptCore.OutputStream) {
    switch stream {
    case .stdout: stdout += text
    case .stderr: stderr += text
    }
  }
}

/// What one script expects.
struct GoldenExpectations {
  struct SyntaxError {
    let line: Int
    let column: Int?
    let message: String
  }

  var lines: [String] = []
  var runtimeError: String?
  var syntaxErrors: [SyntaxError] = []
  var skip: String?

  init(source: String) {
    for (i, raw) in source.components(separatedBy: "\n").enumerated() {
      guard let r = raw.range(of: "// ") else { continue }
      let comment = String(raw[r.upperBound...])
      if comment.hasPrefix("expect: ") {
        lines.append(String(comment.dropFirst("expect: ".count)))
      } else if comment == "expect:" {
        lines.append("")
      } else if comment.hasPrefix("expect runtime error: ") {
        runtimeError = String(comment.dropFirst("expect runtime error: ".count))
      } else if comment.hasPrefix("expect error: ") {
        syntaxErrors.append(.init(line: i + 1, column: nil, message: String(comment.dropFirst("expect error: ".count))))
      } else if comment.hasPrefix("expect error line ") {
        let rest = comment.dropFirst("expect error line ".count)
        guard let colon = rest.range(of: ": ") else { continue }
        let place = rest[..<colon.lowerBound].split(separator: ":")
        let line = place.first.flatMap { Int($0) } ?? 0
        let column = place.count > 1 ? Int(place[1]) : nil
        syntaxErrors.append(.init(line: line, column: column, message: String(rest[colon.upperBound...])))
      } else if comment.hasPrefix("skip: ") {
        skip = String(comment.dropFirst("skip: ".count))
      }
    }
  }
}

enum Golden {
  static let scriptsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("scripts")

  static func scripts(in folder: String) -> [URL] {
    let dir = scriptsRoot.appendingPathComponent(folder)
    guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { $0 as? URL }.filter { $0.pathExtension == "tl" }
      .sorted { $0.path < $1.path }
  }

  /// Runs one script; returns the problems found (empty when it passes).
  static func check(_ url: URL) -> [String] {
    guard let source = try? String(contentsOf: url, encoding: .utf8) else { return ["cannot read"] }
    let expect = GoldenExpectations(source: source)
    if expect.skip != nil { return [] }
    let out = OutputBuffer()
    let interp = Interpreter(output: out)
    let result = interp.run(source: source, file: url.path)
    var problems: [String] = []
    switch result {
    case .syntaxErrors(let diagnostics):
      if expect.syntaxErrors.isEmpty {
        problems.append("unexpected syntax errors: " + diagnostics.map { $0.description }.joined(separator: "; "))
      }
      for e in expect.syntaxErrors {
        let found = diagnostics.contains {
          $0.range.start.line == e.line && (e.column == nil || $0.range.start.column == e.column)
            && $0.message.contains(e.message)
        }
        if !found {
          problems.append("missing syntax error at line \(e.line): \(e.message); got "
            + diagnostics.map { $0.description }.joined(separator: "; "))
        }
      }
      return problems
    case .uncaught(_, let text):
      // Paths are shown relative to the scripts folder.
      let shown = text.replacingOccurrences(of: scriptsRoot.path + "/", with: "")
      let first = shown.components(separatedBy: "\n").first ?? ""
      if let want = expect.runtimeError {
        if first != want { problems.append("runtime error: expected `\(want)`, got `\(first)`") }
      } else {
        problems.append("uncaught: \(text)")
      }
    case .ok:
      if let want = expect.runtimeError { problems.append("expected runtime error `\(want)`, ran fine") }
    case .interrupted:
      problems.append("interrupted")
    case .exited(let code):
      if code != 0 { problems.append("exited with \(code)") }
    }
    if !expect.syntaxErrors.isEmpty { problems.append("expected syntax errors, none reported") }
    var got = out.stdout.components(separatedBy: "\n")
    if got.last == "" { got.removeLast() }
    if got != expect.lines {
      let n = max(got.count, expect.lines.count)
      for i in 0..<n {
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
    return problems
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
