// The ScriptEngine the command uses: ScriptCore's Interpreter with the
// standard library and the `tf` bindings installed.

import Foundation
import ScriptCore
import TFBindings

/// A session over one `Interpreter`; `.clear` swaps in a fresh one.
final class InterpreterEngine: ScriptEngine, CompletionSource {
  private let output: OutputSink
  private(set) var interpreter: Interpreter

  init(output: OutputSink) {
    self.output = output
    self.interpreter = InterpreterEngine.makeInterpreter(output: output)
  }

  /// A fresh interpreter with `tf` (and the `@tensorflow/tfjs*` modules) installed.
  private static func makeInterpreter(output: OutputSink) -> Interpreter {
    let interpreter = Interpreter(output: output)
    TFBindings.install(into: interpreter)
    return interpreter
  }

  // MARK: ScriptEngine

  func runProgram(source: String, file: String, arguments: [String]) -> Outcome {
    let result = interpreter.run(source: source, file: file, arguments: arguments)
    return outcome(result, source: source, file: file, echoColors: nil)
  }

  func evaluateEntry(_ source: String, colors: Bool) -> Outcome {
    let result = interpreter.evaluateREPL(source, leavingTimers: true)
    return outcome(result, source: source, file: "<repl>", echoColors: colors)
  }

  var millisecondsUntilNextTimer: Double? {
    interpreter.nextTimerDeadline.map { max(0, $0 - Date().timeIntervalSince1970 * 1000) }
  }

  func runDueTimers() -> Outcome? {
    switch interpreter.runDueTimers() {
    case .ok: return nil
    case let result: return outcome(result, source: "", file: "<repl>", echoColors: nil)
    }
  }

  /// `echoColors` nil: a whole program, whose completion value is not shown.
  private func outcome(
    _ result: RunResult, source: String, file: String, echoColors: Bool?
  ) -> Outcome {
    switch result {
    case .ok(let value):
      guard let colors = echoColors else { return .completed(echo: "") }
      return .completed(echo: interpreter.inspect(value, colors: colors))
    case .syntaxErrors(let diagnostics):
      return .syntaxErrors(diagnostics, SourceFile(name: file, text: source))
    case .uncaught(_, let text):
      return .uncaught(report: text)
    case .interrupted:
      return .interrupted
    case .exited(let status):
      return .exit(status)
    }
  }

  func requestInterrupt() {
    interpreter.requestInterrupt()
  }

  func reset() {
    interpreter.stopPendingWork()
    interpreter = InterpreterEngine.makeInterpreter(output: output)
  }

  var completionSource: CompletionSource { self }

  // MARK: CompletionSource

  func globalNames() -> [String] {
    interpreter.globalNames()
  }

  /// Paths go through the interpreter's `completions(for:)`, which also sees
  /// the REPL's `let`/`const` bindings and follows data properties only.
  func memberNames(of receiver: CompletionReceiver) -> [String]? {
    let realm = interpreter.realm
    switch receiver {
    case .arrayLiteral:
      return ["length"] + realm.arrayPrototype.completionNames().filter { $0 != "constructor" }
    case .stringLiteral:
      return ["length"] + realm.stringPrototype.completionNames().filter { $0 != "constructor" }
    case .path(let names):
      guard !names.isEmpty, !names.contains(where: { $0.contains(".") }) else { return nil }
      let base = names.joined(separator: ".") + "."
      return interpreter.completions(for: base).compactMap {
        $0.hasPrefix(base) ? String($0.dropFirst(base.count)) : nil
      }
    }
  }
}
