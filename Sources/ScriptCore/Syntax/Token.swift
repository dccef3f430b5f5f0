// Tokens: what the lexer hands the parser.
//
// Words are not split into keywords and identifiers here: whether `of`,
// `async` or `get` is a keyword depends on where it stands, so the parser
// decides. A word spelled with `\u` escapes is marked so it never acts as a keyword.

/// The category of a token.
enum TokenKind: Equatable {
  /// End of input.
  case eof
  /// An identifier or keyword; `Token.text` is its decoded spelling.
  case name
  /// A numeric literal; the value is `Token.number`.
  case number
  /// A string literal; the cooked value is `Token.value`.
  case string
  /// One chunk of a template literal: `` `...${ ``, `}...${`, `}...` `` or `` `...` ``.
  /// The cooked chunk is `Token.value`; `Token.templateTail` is true when it ends with `` ` ``.
  case template
  /// `/pattern/flags`; `Token.value` is the pattern and `Token.flags` the flags.
  case regex
  /// An operator or punctuator; `Token.text` is its spelling.
  case punct
}

/// One token with its position and the facts the parser needs about it.
struct Token {
  var kind: TokenKind
  /// The spelling for names and punctuators; the raw source text otherwise.
  var text: String
  var number: Double = 0
  var value: String = ""
  var flags: String = ""
  var templateTail: Bool = false
  /// A template chunk as written (escapes kept), for `String.raw`.
  var raw: String = ""
  /// Invalid escapes in a template chunk: errors unless the template is tagged.
  var escapeErrors: [PendingDiagnostic] = []
  /// True when a line terminator separates this token from the previous one (for ASI).
  var newlineBefore: Bool = false
  /// True for a name written with `\u` escapes (never a keyword).
  var escaped: Bool = false
  var range: SourceRange

  init(_ kind: TokenKind, _ text: String, _ range: SourceRange) {
    self.kind = kind
    self.text = text
    self.range = range
  }

  /// True for the punctuator `p`.
  @inline(__always)
  func isPunct(_ p: String) -> Bool { kind == .punct && text == p }

  /// True for the unescaped word `w` (a keyword or contextual keyword).
  @inline(__always)
  func isWord(_ w: String) -> Bool { kind == .name && !escaped && text == w }

  /// How diagnostics name this token: `'b'`, `end of input`.
  var quoted: String {
    switch kind {
    case .eof: return "end of input"
    case .string: return "string literal"
    case .template: return "template literal"
    case .regex: return "regular expression"
    default:
      let t = text.count > 24 ? String(text.prefix(24)) + "…" : text
      return "'\(t)'"
    }
  }
}

/// Words that can never be identifiers (strict-mode JavaScript reserved words).
let reservedWords: Set<String> = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
  "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
  "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw",
  "true", "try", "typeof", "var", "void", "while", "with", "yield", "let",
  "implements", "interface", "package", "private", "protected", "public", "await",
]
