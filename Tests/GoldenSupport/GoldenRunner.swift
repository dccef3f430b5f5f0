// The golden-script runner shared by the test targets: a script runs
// in-process and its output is compared with the expectations written in its
// comments:
//
//   // expect: line                  one stdout line, in order
//   // expect runtime error: msg     the uncaught error's first line (paths
//                                    shown relative to a folder the caller names)
//   // expect error: msg             a syntax error reported on this comment's line
//   // expect error line N: msg      a syntax error on line N (`line N:C` adds the column)
//   // skip: reason                  not run

import Foundation
import ScriptCore

/// Collects what a script writes.
public final class OutputBuffer: OutputSink {
  public var stdout = ""
  public var stderr = ""

  public init() {}

  public func write(_ text: String, to stream: ScriptCore.OutputStream) {
    switch stream {
    case .stdout: stdout += text
    case .stderr: stderr += text
    }
  }
}

/// What one script expects.
public struct GoldenExpectations {
  public struct SyntaxError {
    public let line: Int
    public let column: Int?
    public let message: String
  }

  public var lines: [String] = []
  public var runtimeError: String?
  public var syntaxErrors: [SyntaxError] = []
  public var skip: String?

  public init(source: String) {
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
        syntaxErrors.append(
          .init(line: i + 1, column: nil, message: String(comment.dropFirst("expect error: ".count))))
      } else if comment.hasPrefix("expect error line ") {
        let rest = comment.dropFirst("expect error line ".count)
        guard let colon = rest.range(of: ": ") else { continue }
        let place = rest[..<colon.lowerBound].split(separator: ":")
        let line = place.first.flatMap { Int($0) } ?? 0
        let column = place.count > 1 ? Int(place[1]) : nil
        syntaxErrors.append(
          .init(line: line, column: column, message: String(rest[colon.upperBound...])))
      } else if comment.hasPrefix("skip: ") {
        skip = String(comment.dropFirst("skip: ".count))
      }
    }
  }
}

public enum GoldenRunner {
  /// The `.tl` files under `folder`, sorted.
  public static func scripts(under folder: URL) -> [URL] {
    guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    else { return [] }
    return e.compactMap { $0 as? URL }.filter { $0.pathExtension == "tl" }
      .sorted { $0.path < $1.path }
  }

  /// Runs one script (under its full path, so relative imports and model paths resolve
  /// next to it) in the interpreter `makeInterpreter` builds around the buffer, and returns
  /// the problems found (empty when it passes) with its output. Error messages show paths
  /// relative to `shownRelativeTo`.
  public static func check(
    _ url: URL, shownRelativeTo root: URL, makeInterpreter: (OutputBuffer) -> Interpreter
  ) -> (problems: [String], output: OutputBuffer) {
    let out = OutputBuffer()
    guard let source = try? String(contentsOf: url, encoding: .utf8) else {
      return (["cannot read"], out)
    }
    let expect = GoldenExpectations(source: source)
    if expect.skip != nil { return ([], out) }
    let interp = makeInterpreter(out)
    var problems: [String] = []
    switch interp.run(source: source, file: url.path) {
    case .syntaxErrors(let diagnostics):
      let all = diagnostics.map(\.description).joined(separator: "; ")
      if expect.syntaxErrors.isEmpty { problems.append("unexpected syntax errors: " + all) }
      for e in expect.syntaxErrors {
        let found = diagnostics.contains {
          $0.range.start.line == e.line && (e.column == nil || $0.range.start.column == e.column)
            && $0.message.contains(e.message)
        }
        if !found { problems.append("missing syntax error at line \(e.line): \(e.message); got \(all)") }
      }
      return (problems, out)
    case .uncaught(_, let text):
      let shown = text.replacingOccurrences(of: root.path + "/", with: "")
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
