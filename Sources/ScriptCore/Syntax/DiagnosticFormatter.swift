// Renders diagnostics the way clang does, so editors can jump to them:
//
//     examples/xor.tl:3:14: error: expected ')' after arguments, found 'b'
//       3 | const y = f(a b);
//         |              ^

/// Turns diagnostics into the text shown to users.
public enum DiagnosticFormatter {
  /// Renders each diagnostic as a `file:line:col: severity: message` line, the
  /// source line and a caret under the column. With `color`, the location is
  /// bold, the severity coloured and the caret green (ANSI escape codes).
  public static func render(_ diagnostics: [Diagnostic], file: SourceFile, color: Bool) -> String {
    var out = ""
    for d in diagnostics {
      out += render(d, file: file, color: color)
    }
    return out
  }

  /// Renders one diagnostic (see `render(_:file:color:)`); ends with a newline.
  public static func render(_ d: Diagnostic, file: SourceFile, color: Bool) -> String {
    let bold = color ? "\u{1B}[1m" : ""
    let reset = color ? "\u{1B}[0m" : ""
    let severityColor: String
    switch d.severity {
    case .error: severityColor = color ? "\u{1B}[1;31m" : ""
    case .warning: severityColor = color ? "\u{1B}[1;35m" : ""
    case .note: severityColor = color ? "\u{1B}[1;36m" : ""
    }
    let caretColor = color ? "\u{1B}[1;32m" : ""
    let line = d.range.start.line
    let column = d.range.start.column
    var out = "\(bold)\(d.fileName):\(line):\(column):\(reset) "
    out += "\(severityColor)\(d.severity.rawValue):\(reset) \(bold)\(d.message)\(reset)\n"
    guard line >= 1 else { return out }
    let text = file.line(line)
    if text.isEmpty && column <= 1 && line > lineCount(file) { return out }
    let shown = displayLine(text, column: column)
    let number = String(line)
    let gutter = String(repeating: " ", count: number.count)
    out += "  \(number) | \(shown.text)\n"
    // The caret goes under the column, counting tabs and wide text as the line does.
    let prefix = shown.widthBefore(column: column)
    out += "  \(gutter) | \(String(repeating: " ", count: prefix))\(caretColor)^\(reset)\n"
    return out
  }

  private static func lineCount(_ file: SourceFile) -> Int {
    var n = 1
    for c in file.scalars where c == "\n" { n += 1 }
    return n
  }

  /// A source line prepared for display: tabs expanded, control characters
  /// replaced, and very long lines cut (the caret stays visible).
  private struct DisplayLine {
    var text: String
    /// Display columns taken by each scalar of the original line.
    var widths: [Int]
    var cut: Int

    func widthBefore(column: Int) -> Int {
      let idx = max(0, column - 1)
      var w = 0
      var i = cut
      while i < idx && i < widths.count {
        w += widths[i]
        i += 1
      }
      if idx > widths.count { w += idx - widths.count }
      return cut > 0 ? w + 1 : w
    }
  }

  private static func displayLine(_ line: String, column: Int) -> DisplayLine {
    var widths: [Int] = []
    var pieces: [String] = []
    for c in line.unicodeScalars {
      if c == "\t" {
        pieces.append("  ")
        widths.append(2)
      } else if c.value < 0x20 || c.value == 0x7F {
        pieces.append("?")
        widths.append(1)
      } else {
        pieces.append(String(c))
        widths.append(1)
      }
    }
    // Lines over 200 scalars are shown as a window around the caret.
    let limit = 200
    if pieces.count > limit {
      let start = min(max(0, column - 1 - limit / 2), pieces.count - limit)
      let end = start + limit
      let text = (start > 0 ? "…" : "") + pieces[start..<end].joined()
        + (end < pieces.count ? "…" : "")
      return DisplayLine(text: text, widths: widths, cut: start)
    }
    return DisplayLine(text: pieces.joined(), widths: widths, cut: 0)
  }
}
