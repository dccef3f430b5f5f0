// Placeholder: the parser is being written (see the parser branch).

/// What parsing a source file produced.
public struct ParseResult {
  public var program: Program
  /// Syntax errors, in source order. Empty when the parse succeeded.
  public var diagnostics: [Diagnostic]
  /// True when every error comes from the input ending too early (an open
  /// bracket, a trailing operator, an unterminated string or template):
  /// the REPL then asks for another line instead of reporting.
  public var isIncomplete: Bool

  public init(program: Program, diagnostics: [Diagnostic], isIncomplete: Bool) {
    self.program = program
    self.diagnostics = diagnostics
    self.isIncomplete = isIncomplete
  }
}

public enum Parser {
  /// Parses a whole file. Never traps, whatever the input; all problems are diagnostics.
  public static func parse(_ file: SourceFile) -> ParseResult {
    ParseResult(program: Program(body: [], file: file, isModule: false), diagnostics: [], isIncomplete: false)
  }
}
