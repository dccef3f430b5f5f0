// The REPL's logic, independent of the terminal: collecting lines into
// complete entries, dot-commands, Ctrl-C and Ctrl-D, echoing values, the
// session record for `.save`. `LineEditor` (libedit) supplies lines on a
// terminal; tests supply them from a list.

import ScriptCore

/// What reading one line produced.
enum LineInput: Equatable {
  case line(String)
  /// Ctrl-C. `hadText` tells whether the line being edited was non-empty.
  case interrupted(hadText: Bool)
  /// Ctrl-D on an empty line, or the end of the input.
  case endOfInput
}

/// A source of input lines with history.
protocol LineReader: AnyObject {
  func readLine(prompt: String) -> LineInput
  /// True when more input is already waiting (the rest of a paste).
  func hasPendingInput() -> Bool
  /// Adds an entry to the in-memory history (recalled with Up and ^R).
  func addHistory(_ entry: String)
  /// Runs `body` (code being evaluated) with the terminal set for it: keys
  /// typed meanwhile, Ctrl-C included, are not echoed.
  func whileRunningCode<T>(_ body: () -> T) -> T
  /// Work to do while waiting for keys (timers that fire at the prompt);
  /// the reader asks it how long it may wait and runs it when due.
  var background: BackgroundWork? { get set }
}

/// Timers left by REPL entries, fired while the prompt waits for input.
protocol BackgroundWork: AnyObject {
  /// Milliseconds until work is due (0: now); nil when there is none.
  var millisecondsUntilDue: Double? { get }
  /// Does the work that is due; what it prints goes above the prompt.
  /// False when the session must end (a timer called `process.exit`).
  func runDue() -> Bool
}

/// One interactive session.
final class REPLSession {
  static let primaryPrompt = "> "
  static let continuationPrompt = "... "
  static let exitHint = "(To exit, press Ctrl+C again or Ctrl+D or type .exit)"

  let engine: ScriptEngine
  let reader: LineReader
  let historyFile: HistoryFile?
  /// Writes REPL output (echoes, messages) to the terminal.
  let write: (String) -> Void
  /// Colour the echo and diagnostics.
  let colors: Bool

  /// Lines of an entry still waiting for its end.
  private(set) var pending: [String] = []
  /// Every entry that ran to completion since the start (or the last
  /// `.clear`), for `.save`: failed and interrupted entries are left out, so
  /// the saved script runs through.
  private(set) var transcript: [String] = []
  /// True after Ctrl-C on an empty prompt printed the exit hint.
  private var exitHintShown = false
  private var lastHistoryEntry: String?

  /// `lastHistoryEntry` is the newest entry already in the history (an
  /// immediate repeat of it is not stored again).
  init(
    engine: ScriptEngine, reader: LineReader, historyFile: HistoryFile?, colors: Bool,
    lastHistoryEntry: String? = nil, write: @escaping (String) -> Void
  ) {
    self.lastHistoryEntry = lastHistoryEntry
    self.engine = engine
    self.reader = reader
    self.historyFile = historyFile
    self.colors = colors
    self.write = write
  }

  /// Set when a timer called `process.exit(n)` at the prompt.
  private var exitFromTimer: Int32?

  /// Reads and evaluates until `.exit`, Ctrl-D or Ctrl-C twice; returns the exit status.
  func run() -> Int32 {
    reader.background = self
    defer { reader.background = nil }
    while true {
      if let status = exitFromTimer { return status }
      let prompt = pending.isEmpty ? REPLSession.primaryPrompt : REPLSession.continuationPrompt
      switch reader.readLine(prompt: prompt) {
      case .endOfInput:
        return exitFromTimer ?? 0
      case .interrupted(let hadText):
        if !pending.isEmpty || hadText {
          pending = []
          exitHintShown = false
        } else if exitHintShown {
          return 0
        } else {
          write(REPLSession.exitHint + "\n")
          exitHintShown = true
        }
      case .line(let line):
        exitHintShown = false
        if let status = feed(line) { return status }
      }
    }
  }

  /// Takes one line of input; evaluates once the entry is complete. Returns
  /// an exit status when the session should end.
  func feed(_ line: String) -> Int32? {
    if let command = DotCommand.parse(line), pending.isEmpty || command.isAllowedMidEntry {
      remember(line.trimmed(of: " \t"))
      return perform(command)
    }
    pending.append(line)
    let text = pending.joined(separator: "\n")
    if text.trimmed(of: " \t\r\n").isEmpty {
      pending = []
      return nil
    }
    // The rest of a paste is already waiting: take it into the same entry.
    if reader.hasPendingInput() { return nil }
    if Parser.parse(SourceFile(name: "<repl>", text: text)).isIncomplete { return nil }
    pending = []
    remember(text)
    return evaluate(text)
  }

  /// Evaluates a complete entry and prints what it gave.
  func evaluate(_ text: String) -> Int32? {
    let code = REPLSession.wrappingObjectLiteral(text)
    let outcome = reader.whileRunningCode {
      withInterruptTarget(engine) { engine.evaluateEntry(code, colors: colors) }
    }
    switch outcome {
    case .completed(let echo):
      transcript.append(text)
      write(echo + "\n")
    case .syntaxErrors(let diagnostics, let file):
      write(renderDiagnostics(diagnostics, file: file, color: colors))
    case .uncaught(let report):
      write(report + (report.hasSuffix("\n") ? "" : "\n"))
    case .interrupted:
      write("Uncaught Error: Script execution was interrupted by `SIGINT`\n")  // as Node
    case .exit(let status):
      return status
    }
    return nil
  }

  /// Writes what `outcome` (of code run outside an entry) has to report.
  private func report(_ outcome: Outcome) {
    switch outcome {
    case .completed(let echo):
      if !echo.isEmpty { write(echo + "\n") }
    case .syntaxErrors(let diagnostics, let file):
      write(renderDiagnostics(diagnostics, file: file, color: colors))
    case .uncaught(let report):
      write(report + (report.hasSuffix("\n") ? "" : "\n"))
    case .interrupted:
      write("Uncaught Error: Script execution was interrupted by `SIGINT`\n")
    case .exit(let status):
      exitFromTimer = status
    }
  }

  /// `{a: 1}` typed alone means an object, not a block, as in Node's REPL:
  /// input that starts with `{`, does not end with `;` and parses once
  /// wrapped in parentheses is evaluated wrapped.
  static func wrappingObjectLiteral(_ text: String) -> String {
    let trimmed = text.trimmed(of: " \t\r\n")
    guard trimmed.hasPrefix("{"), !trimmed.hasSuffix(";") else { return text }
    let wrapped = "(" + trimmed + ")"
    let parsed = Parser.parse(SourceFile(name: "<repl>", text: wrapped))
    return parsed.diagnostics.isEmpty ? wrapped : text
  }

  // MARK: - Dot-commands

  private func perform(_ command: DotCommand) -> Int32? {
    switch command {
    case .break:
      pending = []
    case .clear:
      pending = []
      transcript = []
      engine.reset()
      write("Clearing context...\n")
    case .editor:
      return editorMode()
    case .exit:
      return 0
    case .help:
      write(DotCommand.helpText)
    case .load(let path):
      guard !path.isEmpty else {
        write("Usage: .load FILE\n")
        return nil
      }
      guard let text = try? readTextFile(path) else {
        write("Failed to load: \(path)\n")
        return nil
      }
      return evaluate(text)
    case .save(let path):
      guard !path.isEmpty else {
        write("Usage: .save FILE\n")
        return nil
      }
      let script = transcript.map { $0 + "\n" }.joined()
      do {
        try writeFileAtomically(path, script)
        write("Session saved to: \(path)\n")
      } catch let error as FileError {
        write("Failed to save: \(path): \(error.reason)\n")
      } catch {
        write("Failed to save: \(path)\n")
      }
    case .unknown:
      write("Invalid REPL keyword\n")
    }
    return nil
  }

  /// `.editor`: lines until Ctrl-D form one entry; Ctrl-C drops them.
  private func editorMode() -> Int32? {
    write("// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)\n")
    var lines: [String] = []
    while true {
      switch reader.readLine(prompt: "") {
      case .line(let line):
        lines.append(line)
      case .interrupted:
        write("\n")
        return nil
      case .endOfInput:
        write("\n")
        let text = lines.joined(separator: "\n")
        if text.trimmed(of: " \t\r\n").isEmpty { return nil }
        remember(text)
        return evaluate(text)
      }
    }
  }

  // MARK: - History

  /// Adds an entry to the editor's history and the history file, skipping
  /// an immediate repeat.
  private func remember(_ entry: String) {
    guard !entry.isEmpty, entry != lastHistoryEntry else { return }
    lastHistoryEntry = entry
    reader.addHistory(entry)
    historyFile?.append(entry)
  }
}

// MARK: - Timers at the prompt

extension REPLSession: BackgroundWork {
  var millisecondsUntilDue: Double? {
    exitFromTimer == nil ? engine.millisecondsUntilNextTimer : nil
  }

  func runDue() -> Bool {
    if let outcome = withInterruptTarget(engine, { engine.runDueTimers() }) { report(outcome) }
    return exitFromTimer == nil
  }
}

extension DotCommand {
  /// Commands honoured while a multi-line entry is open; any other `.word`
  /// line there is part of the code (`.map(f)` continuing a chain).
  var isAllowedMidEntry: Bool {
    switch self {
    case .break, .clear, .exit: return true
    default: return false
    }
  }
}
