// What the runner and the REPL need from the language: run a program,
// evaluate a REPL entry, interrupt, start over, offer completions. The real
// implementation wraps ScriptCore's `Interpreter` (InterpreterEngine.swift);
// tests drive the REPL with a scripted one.

import ScriptCore

/// How running a program or a REPL entry ended.
enum Outcome {
  /// It ran to the end. `echo` is the REPL's rendering of the entry's value
  /// (`undefined` for statements); empty for whole programs.
  case completed(echo: String)
  /// It did not parse; nothing ran.
  case syntaxErrors([Diagnostic], SourceFile)
  /// An exception nobody caught; `report` is the error's stack text
  /// (starting `Uncaught ` for REPL entries).
  case uncaught(report: String)
  /// Ctrl-C stopped it.
  case interrupted
  /// The script called `process.exit(code)`.
  case exit(Int32)
}

/// A language session the command line drives.
protocol ScriptEngine: AnyObject {
  /// Runs a whole program (and its event loop) as a script. `file` names it
  /// in diagnostics and stack frames; `process.argv` is `['tl', file, ...arguments]`.
  func runProgram(source: String, file: String, arguments: [String]) -> Outcome

  /// Evaluates one REPL entry: declarations persist, `_` holds the last value,
  /// top-level `await` works. `colors` asks for a coloured echo.
  func evaluateEntry(_ source: String, colors: Bool) -> Outcome

  /// Asks running code to stop soon. Safe to call from a signal handler.
  func requestInterrupt()

  /// Forgets every declaration of the session (`.clear`).
  func reset()

  /// Live names for tab completion.
  var completionSource: CompletionSource { get }

  /// Milliseconds until the first timer an entry left behind is due (0 when
  /// overdue); nil when none is pending.
  var millisecondsUntilNextTimer: Double? { get }

  /// Fires the timers that are due. Nil when they ran cleanly; otherwise what
  /// stopped one (an uncaught error, an interrupt, `process.exit`).
  func runDueTimers() -> Outcome?
}

extension ScriptEngine {
  var millisecondsUntilNextTimer: Double? { nil }
  func runDueTimers() -> Outcome? { nil }
}
