// The `tl` command: run a script, evaluate `-e` code, or start the REPL.
//
//   tl FILE [args...]    run FILE; process.argv = ['tl', '/abs/FILE', ...args]
//   tl -e CODE [args...] run CODE
//   tl - | tl < FILE     run standard input as a script
//   tl                   the REPL (on a terminal)

import ArgumentParser

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct TLCommand: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "tl",
    abstract: "Run tl scripts (JavaScript with the TensorFlow.js API), or start the REPL.",
    discussion: """
      With no FILE on a terminal, tl starts the REPL (type .help there).
      With no FILE and piped input, tl runs standard input as a script.

      Exit status: 0 ok, 64 usage error, 65 syntax error, 66 file not found,
      70 uncaught error; process.exit(n) exits with n.
      Set NO_COLOR to turn colours off.
      """,
    version: "tl \(TLCommand.version)")

  @Option(
    name: [.customShort("e"), .customLong("eval")],
    help: ArgumentHelp("Run CODE as a script.", valueName: "CODE"))
  var eval: String?

  /// Set by `splitCommandLine`: everything from FILE on is the script's, so
  /// `tl train.tl --help` passes `--help` to the script, as `node` does.
  @ArgumentParser.Argument(
    help: ArgumentHelp(
      "The script to run ('-' reads standard input), then the script's arguments.",
      valueName: "FILE"))
  var script: [String] = []

  func run() throws {
    let environment = currentEnvironment()
    let terminal = TerminalInfo.current(environment: environment)
    let streams = StandardStreams.shared
    let engine = InterpreterEngine(output: streams)
    let runner = Runner(engine: engine, streams: streams, terminal: terminal)

    let status: Int32
    if let code = eval {
      status = runner.runEval(code, arguments: script)
    } else if let file = script.first {
      let rest = Array(script.dropFirst())
      status =
        file == "-"
        ? runner.runStandardInput(arguments: rest) : runner.runFile(file, arguments: rest)
    } else if terminal.stdinIsTTY {
      status = startREPL(
        engine: engine, streams: streams, terminal: terminal, environment: environment)
    } else {
      status = runner.runStandardInput(arguments: [])
    }
    streams.flush()
    throw ExitCode(status)
  }

  private func startREPL(
    engine: InterpreterEngine, streams: StandardStreams, terminal: TerminalInfo,
    environment: [String: String]
  ) -> Int32 {
    installInterruptHandler()
    let historyFile = HistoryFile.defaultPath(environment: environment).map {
      HistoryFile(path: $0)
    }
    let history = historyFile?.load() ?? []
    let editor = LineEditor(completionSource: engine.completionSource, history: history)
    streams.writeOut("tl \(TLCommand.version)\nType \".help\" for more information.\n")
    let session = REPLSession(
      engine: engine, reader: editor, historyFile: historyFile, colors: terminal.colorStdout,
      lastHistoryEntry: history.last, write: { streams.writeOut($0) })
    return session.run()
  }
}

/// The process environment as a dictionary.
func currentEnvironment() -> [String: String] {
  var result: [String: String] = [:]
  var p = environ
  while let entry = p.pointee {
    let s = String(cString: entry)
    if let eq = s.firstIndex(of: "=") {
      result[String(s[..<eq])] = String(s[s.index(after: eq)...])
    }
    p += 1
  }
  return result
}

/// Splits the command line at the script: tl's own options before it, the
/// file and its arguments from it on. A `--` ends tl's options.
func splitCommandLine(_ arguments: [String]) -> (options: [String], script: [String]) {
  var i = 0
  while i < arguments.count {
    let a = arguments[i]
    if a == "--" { return (Array(arguments[..<i]), Array(arguments[(i + 1)...])) }
    if a == "-e" || a == "--eval" {
      i += 2
      continue
    }
    if a.hasPrefix("-") && a != "-" {
      i += 1
      continue
    }
    return (Array(arguments[..<i]), Array(arguments[i...]))
  }
  return (arguments, [])
}

let (options, scriptArguments) = splitCommandLine(Array(CommandLine.arguments.dropFirst()))
var command = TLCommand.parseOrExit(options)
command.script = scriptArguments
do {
  try command.run()
} catch {
  TLCommand.exit(withError: error)
}
