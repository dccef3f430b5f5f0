// The REPL's dot-commands, as Node's REPL has them.

/// A line starting with `.` that the REPL handles itself.
enum DotCommand: Equatable {
  case `break`
  case clear
  case editor
  case exit
  case help
  case load(String)
  case save(String)
  /// `.word` with no such command: reported, not evaluated.
  case unknown(String)

  /// The command `line` names, or nil when the line is code. As in Node, a
  /// line is a command when it starts with `.`, the next character is not
  /// `.`, and it does not read as a number (`.5 * 2` is code).
  static func parse(_ line: String) -> DotCommand? {
    let trimmed = line.trimmed(of: " \t\r\n")
    let u = Array(trimmed.unicodeScalars)
    guard u.count >= 2, u[0] == ".", u[1] != ".", !Completer.isDigit(u[1]) else { return nil }
    var nameEnd = 1
    while nameEnd < u.count, u[nameEnd] != " ", u[nameEnd] != "\t" { nameEnd += 1 }
    let name = String(String.UnicodeScalarView(u[1..<nameEnd]))
    let argument = String(String.UnicodeScalarView(u[nameEnd...])).trimmed(of: " \t")
    switch name {
    case "break": return .break
    case "clear": return .clear
    case "editor": return .editor
    case "exit": return .exit
    case "help": return .help
    case "load": return .load(argument)
    case "save": return .save(argument)
    default: return .unknown(name)
    }
  }

  /// What `.help` prints.
  static let helpText = """
    .break    Sometimes you get stuck, this gets you out
    .clear    Break, and also clear the local context
    .editor   Enter editor mode
    .exit     Exit the REPL
    .help     Print this help message
    .load     Load JS from a file into the REPL session
    .save     Save all evaluated commands in this REPL session to a file

    Press Ctrl+C to abort current expression, Ctrl+D to exit the REPL

    """

  /// The names offered when completing after a `.` at the start of the input.
  static let names = ["break", "clear", "editor", "exit", "help", "load", "save"]
}
