// Syntax errors as the command line shows them.

import ScriptCore

/// `file:line:col: error: message`, the source line and a caret, for each
/// diagnostic (the parser's formatter; bold and red when `color` is set).
func renderDiagnostics(_ diagnostics: [Diagnostic], file: SourceFile, color: Bool) -> String {
  let text = DiagnosticFormatter.render(diagnostics, file: file, color: color)
  return text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
}
