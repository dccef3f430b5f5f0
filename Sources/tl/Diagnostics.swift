// Syntax errors as the command line shows them.

import ScriptCore

/// `file:line:col: error: message`, the source line and a caret, for each diagnostic.
func renderDiagnostics(_ diagnostics: [Diagnostic], file: SourceFile, color: Bool) -> String {
  // Placeholder until the parser branch's DiagnosticFormatter is merged.
  var out = ""
  for d in diagnostics {
    out += d.description + "\n"
    let n = d.range.start.line
    let text = file.line(n)
    let gutter = String(n)
    out += "  \(gutter) | \(text)\n"
    out += "  " + String(repeating: " ", count: gutter.count) + " | "
      + String(repeating: " ", count: max(0, d.range.start.column - 1)) + "^\n"
  }
  return out
}
