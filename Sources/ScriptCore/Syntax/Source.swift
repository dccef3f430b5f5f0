// Source text, positions and diagnostics: shared by the parser (syntax errors)
// and the interpreter (runtime error frames).

/// A position in a source file. `line` and `column` are 1-based; `column`
/// counts Unicode scalars from the start of the line. `offset` is the index
/// of the position in the file's `scalars` array.
public struct SourceLocation: Hashable, Sendable {
  public var line: Int
  public var column: Int
  public var offset: Int

  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  public static let unknown = SourceLocation(line: 0, column: 0, offset: 0)
}

/// A half-open span of source, `start..<end`.
public struct SourceRange: Hashable, Sendable {
  public var start: SourceLocation
  public var end: SourceLocation

  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.end = end
  }

  public init(_ at: SourceLocation) {
    self.start = at
    self.end = at
  }

  public static let unknown = SourceRange(.unknown)
}

/// One file (or REPL entry, or `-e` string) of source text.
public final class SourceFile: @unchecked Sendable {
  /// The name shown in diagnostics and stack frames: a path, `<repl>`, `<eval>`, `<stdin>`.
  public let name: String
  public let text: String
  public let scalars: [Unicode.Scalar]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.scalars = Array(text.unicodeScalars)
  }

  /// The text of 1-based line `n` without its line terminator ("" when out of range).
  public func line(_ n: Int) -> String {
    var current = 1
    var startIndex = 0
    var i = 0
    while i < scalars.count {
      if current == n { break }
      if scalars[i] == "\n" {
        current += 1
        startIndex = i + 1
      }
      i += 1
    }
    if current != n { return "" }
    var end = startIndex
    while end < scalars.count, scalars[end] != "\n", scalars[end] != "\r" { end += 1 }
    var s = String.UnicodeScalarView()
    s.append(contentsOf: scalars[startIndex..<end])
    return String(s)
  }
}

/// A compile-time problem found in source text.
public struct Diagnostic: Sendable, CustomStringConvertible {
  public enum Severity: String, Sendable { case error, warning, note }

  public var severity: Severity
  /// A lower-case fragment with no final period: `expected ')' after arguments`.
  public var message: String
  public var range: SourceRange
  public var fileName: String

  public init(_ severity: Severity = .error, _ message: String, at range: SourceRange, file: String) {
    self.severity = severity
    self.message = message
    self.range = range
    self.fileName = file
  }

  /// `file:line:col: error: message`, the first line of the rendered form.
  public var description: String {
    "\(fileName):\(range.start.line):\(range.start.column): \(severity.rawValue): \(message)"
  }
}
