// Running a program from a file, a `-e` string or standard input, and the
// exit status that results (sysexits-style, as crafting-interpreters' clox).

import ScriptCore

/// Exit statuses of the `tl` command.
enum ExitStatus {
  static let ok: Int32 = 0
  /// Bad command line (ArgumentParser also exits with 64 on its own errors).
  static let usage: Int32 = 64
  /// The program does not parse.
  static let syntaxError: Int32 = 65
  /// The script file is missing or unreadable.
  static let noInput: Int32 = 66
  /// An uncaught exception or unhandled rejection.
  static let runtimeError: Int32 = 70
  /// Interrupted by Ctrl-C (128 + SIGINT, as a shell reports it).
  static let interrupted: Int32 = 130
}

/// Runs whole programs and reports their problems on stderr.
struct Runner {
  let engine: ScriptEngine
  let streams: StandardStreams
  let terminal: TerminalInfo

  /// Runs the script at `path`; `arguments` follow it on the command line.
  func runFile(_ path: String, arguments: [String]) -> Int32 {
    let source: String
    do {
      source = try readTextFile(path)
    } catch let error as FileError {
      streams.writeErr("tl: cannot open '\(path)': \(error.reason)\n")
      return ExitStatus.noInput
    } catch {
      streams.writeErr("tl: cannot open '\(path)'\n")
      return ExitStatus.noInput
    }
    // process.argv[1] is absolute, as in Node; errors name the file the same way.
    return run(source: source, file: absolutePath(path), arguments: arguments)
  }

  /// Runs `code` given with `-e`.
  func runEval(_ code: String, arguments: [String]) -> Int32 {
    run(source: code, file: Interpreter.evalFileName, arguments: arguments)
  }

  /// Runs the whole of standard input as a script (`tl -`, or piped input).
  func runStandardInput(arguments: [String]) -> Int32 {
    let source = readAll(fileDescriptor: 0)
    return run(source: source, file: "[stdin]", arguments: arguments)
  }

  /// Runs a program and turns its outcome into an exit status.
  func run(source: String, file: String, arguments: [String]) -> Int32 {
    let outcome = engine.runProgram(source: source, file: file, arguments: arguments)
    defer { streams.flush() }
    switch outcome {
    case .completed:
      return ExitStatus.ok
    case .syntaxErrors(let diagnostics, let sourceFile):
      streams.writeErr(
        renderDiagnostics(diagnostics, file: sourceFile, color: terminal.colorStderr))
      return ExitStatus.syntaxError
    case .uncaught(let report):
      streams.writeErr(report.hasSuffix("\n") ? report : report + "\n")
      return ExitStatus.runtimeError
    case .interrupted:
      return ExitStatus.interrupted
    case .exit(let status):
      return status
    }
  }
}
