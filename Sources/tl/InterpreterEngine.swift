// The ScriptEngine the command uses: ScriptCore's Interpreter with the
// standard library and the `tf` bindings installed.

import ScriptCore

/// A session over one `Interpreter`; `.clear` swaps in a fresh one.
final class InterpreterEngine: ScriptEngine, CompletionSource {
  private let output: OutputSink
  private(set) var interpreter: Interpreter

  init(output: OutputSink) {
    self.output = output
    self.interpreter = InterpreterEngine.makeInterpreter(output: output)
  }

  private static func makeInterpreter(output: OutputSink) -> Interpreter {
    Interpreter(output: output)
  }

  // MARK: ScriptEngine

  func runProgram(source: String, file: String, arguments: [String]) -> Outcome {
    let result = interpreter.run(source: source, file: file, arguments: arguments)
    return outcome(result, source: source, file: file, colors: false)
  }

  func evaluateEntry(_ source: String, colors: Bool) -> Outcome {
    outcome(interpreter.evaluateREPL(source), source: source, file: "<repl>", colors: colors)
  }

  private func outcome(_ result: RunResult, source: String, file: String, colors: Bool) -> Outcome {
    switch result {
    case .ok(let value):
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
    interpreter = InterpreterEngine.makeInterpreter(output: output)
  }

  var completionSource: CompletionSource { self }

  // MARK: CompletionSource

  func globalNames() -> [String] {
    interpreter.realm.globalObject.completionNames()
  }

  func memberNames(of receiver: CompletionReceiver) -> [String]? {
    let realm = interpreter.realm
    switch receiver {
    case .arrayLiteral:
      return ["length"] + realm.arrayPrototype.completionNames()
    case .stringLiteral:
      return ["length"] + realm.stringPrototype.completionNames()
    case .path(let names):
      guard let first = names.first,
        let p = realm.globalObject.lookup(first), case .value(var value) = p.slot
      else { return nil }
      for name in names.dropFirst() {
        guard let holder = holder(of: value), let p = holder.lookup(name),
          case .value(let next) = p.slot
        else { return nil }
        value = next
      }
      guard let holder = holder(of: value) else { return nil }
      var names = holder.completionNames()
      if case .string = value { names.append("length") }
      if holder is JSArray { names.append("length") }
      return names.filter { $0 != "constructor" }
    }
  }

  /// The object whose properties a value shows: itself or its type's prototype.
  private func holder(of value: Value) -> JSObject? {
    let realm = interpreter.realm
    switch value {
    case .object(let o): return o
    case .string: return realm.stringPrototype
    case .number: return realm.numberPrototype
    case .bool: return realm.booleanPrototype
    case .undefined, .null: return nil
    }
  }
}
