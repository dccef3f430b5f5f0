// The parser: a recursive-descent parser for tl's JavaScript subset.
//
// This file holds the entry point, the token cursor, diagnostics and error
// recovery. The grammar lives in Parser+Statements.swift,
// Parser+Expressions.swift, Parser+Primary.swift, Parser+Functions.swift and
// Parser+Patterns.swift; each parsing function carries its grammar rule in a comment.
//
// Errors are thrown as `SyntaxError` from the point where the grammar fails;
// a statement list catches them, records one diagnostic and skips to the next
// statement boundary (panic mode), so one run reports several independent errors.
// A statement in which the lexer already reported an error adds no parser error.
//
// What the rest of tl may rely on:
// - `parse` never traps; it runs on its own large-stack thread, and nesting
//   (brackets, blocks, functions, unary and `**`/`=`/`?:` chains, member and
//   operator chains) deeper than `maxDepth` is the error `nesting is too deep`,
//   so no tree is deeper than about `maxDepth` levels.
// - With diagnostics, `program` holds the statements that did parse.
// - Ranges are 1-based lines and columns in Unicode scalars; a line starts
//   after `\n` only (as `SourceFile.line` counts).

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

/// A syntax error on its way up to the statement list that recovers from it.
struct SyntaxError: Error {
  var message: String
  var range: SourceRange
  var incomplete: Bool
}

/// Parses tl source into a `Program`. Use `Parser.parse(_:)`.
public final class Parser {
  /// Parses a whole file. Never traps, whatever the input; all problems are diagnostics.
  public static func parse(_ file: SourceFile) -> ParseResult {
    withLargeStack(stackSize) {
      let parser = Parser(file: file)
      return parser.run()
    }
  }

  /// The deepest nesting of expressions, statements and patterns accepted.
  static let maxDepth = 1000
  /// The stack the parser runs on (reserved address space; pages are used on demand).
  static let stackSize = 512 << 20
  /// At most this many diagnostics are reported for one file.
  static let maxDiagnostics = 100

  let file: SourceFile
  let lexer: Lexer
  /// The current token.
  var tok: Token
  /// The end of the previously consumed token (the end of every node's range).
  var prevEnd: SourceLocation
  private var peeked: Token?
  private var errors: [PendingDiagnostic] = []

  /// Brackets opened and not yet closed, innermost last: `(`, `[`, `{`, or `$`
  /// for a template substitution (for error recovery).
  private var openBrackets: [Unicode.Scalar] = []
  var bracketDepth: Int { openBrackets.count }
  /// Current nesting of recursive grammar rules (see `maxDepth`).
  var depth = 0

  /// Per-function facts: reset on entering a function body.
  struct FunctionContext {
    var awaitAllowed = true
    var inFunction = false
    var loopDepth = 0
    var breakableDepth = 0
    var labels: [String] = []
    /// `super.x` is allowed (inside methods, and arrows within them).
    var superProperty = false
    /// `super(...)` is allowed (inside a derived class's constructor).
    var superCall = false
  }
  var context = FunctionContext()
  /// True while parsing a `for (...;` head, where `in` is not an operator.
  var noIn = false
  var isModule = false
  /// Set when the primary expression just parsed was an arrow function not in
  /// parentheses: nothing (call, operator, `=`) may follow it.
  var lastWasBareArrow = false
  /// `{a = 1}` in an object literal: valid only if the literal becomes a pattern.
  var pendingShorthandInits: [SourceRange] = []
  /// Ranges of expressions written in parentheses (for `??` mixing and `-x ** y`).
  var parenthesized: Set<SourceRange> = []

  private init(file: SourceFile) {
    self.file = file
    lexer = Lexer(file: file)
    tok = lexer.next()
    prevEnd = SourceLocation(line: 1, column: 1, offset: 0)
  }

  /// Adds errors found outside the parser proper (a template's bad escapes).
  func reportErrors(_ found: [PendingDiagnostic]) {
    errors += found
  }

  private func run() -> ParseResult {
    let body = parseStatementList(topLevel: true)
    let program = Program(body: body, file: file, isModule: isModule)
    var all = lexer.diagnostics + errors
    // Source order; stable for equal positions.
    all = all.enumerated().sorted { a, b in
      let (x, y) = (a.element.range.start.offset, b.element.range.start.offset)
      return x != y ? x < y : a.offset < b.offset
    }.map(\.element)
    var seen = Set<Int>()
    var unique: [PendingDiagnostic] = []
    for d in all {
      // One error per position: a second one there is a cascade of the first.
      if seen.insert(d.range.start.offset).inserted { unique.append(d) }
    }
    let incomplete = !unique.isEmpty && unique.allSatisfy(\.incomplete)
    var diagnostics = unique.prefix(Self.maxDiagnostics).map {
      Diagnostic(.error, $0.message, at: $0.range, file: file.name)
    }
    if unique.count > Self.maxDiagnostics, let last = unique.last {
      diagnostics.append(Diagnostic(.error, "too many errors, stopping", at: last.range, file: file.name))
    }
    return ParseResult(program: program, diagnostics: diagnostics, isIncomplete: incomplete)
  }

  // MARK: - Token cursor

  /// Consumes the current token.
  func advance() {
    switch tok.kind {
    case .punct:
      switch tok.text {
      case "(", "[", "{": openBrackets.append(tok.text.unicodeScalars.first ?? "(")
      // A stray closer leaves the stack alone, so recovery still finds the block's end.
      case ")": if openBrackets.last == "(" { openBrackets.removeLast() }
      case "]": if openBrackets.last == "[" { openBrackets.removeLast() }
      case "}": if openBrackets.last == "{" { openBrackets.removeLast() }
      default: break
      }
    case .template:
      if tok.text == "}" && openBrackets.last == "$" { openBrackets.removeLast() }
      if !tok.templateTail { openBrackets.append("$") }
    default: break
    }
    prevEnd = tok.range.end
    if let p = peeked {
      tok = p
      peeked = nil
    } else {
      tok = lexer.next()
    }
  }

  /// The token after the current one.
  func peek() -> Token {
    if let p = peeked { return p }
    let p = lexer.next()
    peeked = p
    return p
  }

  /// Re-reads the current `/` or `/=` token as a regular expression literal.
  func rescanAsRegex() {
    peeked = nil
    tok = lexer.rescanRegex(tok)
  }

  /// Re-reads the current `}` token as the continuation of a template literal.
  func rescanAsTemplateContinuation(literalStart: SourceLocation? = nil) {
    peeked = nil
    var t = lexer.rescanTemplateContinuation(tok, literalStart: literalStart)
    t.text = "}"
    tok = t
  }

  /// The range from `start` to the end of the last consumed token.
  func span(_ start: SourceLocation) -> SourceRange {
    SourceRange(start: start, end: prevEnd)
  }

  // MARK: - Errors

  /// An error at `token` (the current token by default). It counts as
  /// "incomplete input" when the token is the end of input, unless told otherwise.
  func error(_ message: String, at token: Token? = nil, incomplete: Bool? = nil) -> SyntaxError {
    let t = token ?? tok
    // At the end of input, point just past the last token rather than at
    // trailing blank lines or comments.
    let range = t.kind == .eof && prevEnd.offset > 0 ? SourceRange(prevEnd) : t.range
    return SyntaxError(message: message, range: range, incomplete: incomplete ?? (t.kind == .eof))
  }

  /// An error at `range` that is never due to the input ending early.
  func error(_ message: String, range: SourceRange) -> SyntaxError {
    SyntaxError(message: message, range: range, incomplete: false)
  }

  /// `expected X CONTEXT, found Y`. When something is missing *after* a
  /// construct (`expected ')' after arguments`), the error points just past the
  /// previous token, where the missing token belongs (as clang does); otherwise
  /// it points at the token found.
  func expected(_ what: String, _ context: String = "") -> SyntaxError {
    if tok.kind == .eof && what == "expression" { return error("unexpected end of input") }
    let ctx = context.isEmpty ? "" : " " + context
    let message = "expected \(what)\(ctx), found \(tok.quoted)"
    if context.hasPrefix("after ") && prevEnd.offset > 0 {
      return SyntaxError(message: message, range: SourceRange(prevEnd), incomplete: tok.kind == .eof)
    }
    return error(message)
  }

  /// Consumes the punctuator `p` or throws `expected 'p' CONTEXT, found ...`.
  func expect(_ p: String, _ context: String) throws {
    guard tok.isPunct(p) else { throw expected("'\(p)'", context) }
    advance()
  }

  /// Consumes the word `w` or throws.
  func expectWord(_ w: String, _ context: String) throws {
    guard tok.isWord(w) else { throw expected("'\(w)'", context) }
    advance()
  }

  func record(_ e: SyntaxError) {
    errors.append(PendingDiagnostic(message: e.message, range: e.range, incomplete: e.incomplete))
  }

  /// Counts one level of recursion; throws `nesting is too deep` past `maxDepth`.
  func enterNesting() throws {
    depth += 1
    if depth > Self.maxDepth {
      depth -= 1
      throw error("nesting is too deep", incomplete: false)
    }
  }

  /// Runs `body` one nesting level deeper.
  func nested<T>(_ body: () throws -> T) throws -> T {
    try enterNesting()
    defer { depth -= 1 }
    return try body()
  }

  /// Runs `body` with `in` allowed as an operator again (inside brackets).
  func withIn<T>(_ body: () throws -> T) rethrows -> T {
    let saved = noIn
    noIn = false
    defer { noIn = saved }
    return try body()
  }

  // MARK: - Automatic semicolon insertion

  /// Ends a statement: a `;`, or (ASI) a line break, a `}` or the end of input.
  func consumeSemicolon(after what: String) throws {
    if tok.isPunct(";") {
      advance()
      return
    }
    if tok.isPunct("}") || tok.kind == .eof || tok.newlineBefore { return }
    throw expected("';'", "after \(what)")
  }

  // MARK: - Recovery

  /// Parses statements up to a `}` (not consumed), the next `case` or `default`
  /// of a switch (`inSwitchCase`) or the end of input,
  /// recovering from errors statement by statement.
  func parseStatementList(topLevel: Bool, inSwitchCase: Bool = false) -> [Stmt] {
    var body: [Stmt] = []
    while tok.kind != .eof {
      if tok.isPunct("}") && !topLevel { break }
      if inSwitchCase && (tok.isWord("case") || tok.isWord("default")) { break }
      let startDepth = bracketDepth
      let lexerErrors = lexer.diagnostics.count
      do {
        body.append(try parseStatement(topLevel: topLevel))
      } catch let e as SyntaxError {
        // A lexical error in this statement already explains what follows.
        if lexer.diagnostics.count == lexerErrors { record(e) }
        synchronize(startDepth: startDepth, topLevel: topLevel)
      } catch {
        record(SyntaxError(message: "\(error)", range: tok.range, incomplete: false))
        synchronize(startDepth: startDepth, topLevel: topLevel)
      }
    }
    return body
  }

  /// Skips tokens to a likely statement start: past a `;`, before a `}` that
  /// closes the enclosing block, or before a token that starts a new line and
  /// can start a statement. Brackets opened after the error are skipped whole.
  private func synchronize(startDepth: Int, topLevel: Bool) {
    var first = true
    while tok.kind != .eof {
      if bracketDepth <= startDepth {
        if tok.isPunct(";") {
          advance()
          return
        }
        if tok.isPunct("}") && !topLevel && bracketDepth == startDepth { return }
        if !first && tok.newlineBefore && canStartStatement(tok) { return }
      }
      if tok.isPunct("}") && openBrackets.last == "$" { rescanAsTemplateContinuation() }
      advance()
      first = false
    }
  }

  private func canStartStatement(_ t: Token) -> Bool {
    switch t.kind {
    case .name, .number, .string, .template, .regex: return true
    case .punct: return ["(", "[", "{", "!", "~", "++", "--", ";", "-", "+"].contains(t.text)
    case .eof: return false
    }
  }
}
