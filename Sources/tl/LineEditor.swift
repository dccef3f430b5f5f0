// Line editing on a terminal through libedit's readline interface: the
// prompt, cursor keys, history recall (Up, ^R) and TAB completion. What to
// complete is decided by `Completer`; this file only connects it.
// See /work/shared/docs/native-recipes.md, "libedit pitfalls".

@preconcurrency import CEditLine

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The source the completion callback asks (C callbacks cannot capture).
nonisolated(unsafe) private var activeCompletionSource: CompletionSource?

/// Reads lines from the terminal with libedit.
final class LineEditor: LineReader {
  /// Characters that end a word for completion: everything that cannot be
  /// part of a name or a member path. `.` is not one of them, so the word
  /// under the cursor is a whole path such as `tf.layers.de`.
  static let wordBreakCharacters = " \t\n\"'`@><=;|&{}()[],+-*/%!?:^~#"

  init(completionSource: CompletionSource, history: [String]) {
    setlocale(LC_CTYPE, "")  // without it libedit drops non-ASCII keystrokes
    activeCompletionSource = completionSource
    rl_readline_name = UnsafePointer(strdup("tl"))
    rl_initialize()
    rl_completer_word_break_characters = strdup(LineEditor.wordBreakCharacters)
    rl_attempted_completion_function = completeHook
    stifle_history(1000)
    for entry in history { add_history(entry) }
  }

  /// Points completion at a new source (after `.clear` replaces the session).
  func setCompletionSource(_ source: CompletionSource) {
    activeCompletionSource = source
  }

  func readLine(prompt: String) -> LineInput {
    sigintReceived = 0
    fflush(stdout)
    guard let raw = readline(prompt) else {
      if sigintReceived != 0 {
        let hadText = rl_line_buffer.map { $0.pointee != 0 } ?? false
        fputs("\n", stdout)
        return .interrupted(hadText: hadText)
      }
      fputs("\n", stdout)
      return .endOfInput
    }
    defer { free(raw) }
    // String(cString:) repairs invalid UTF-8 with replacement characters.
    return .line(String(cString: raw))
  }

  func hasPendingInput() -> Bool {
    var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
    return poll(&fds, 1, 0) > 0 && (fds.revents & Int16(POLLIN)) != 0
  }

  func addHistory(_ entry: String) {
    add_history(entry)
  }
}

// MARK: - The completion callback

/// libedit's `rl_attempted_completion_function`: `text` is the word before
/// the cursor (split at `wordBreakCharacters`), `start..<end` its byte range
/// in `rl_line_buffer`. Returns a malloc'd, NULL-terminated array whose first
/// element is the text to insert (the candidates' common prefix), followed by
/// the candidates; libedit frees it all.
private func completeHook(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  rl_attempted_completion_over = 1  // never fall back to file names
  rl_completion_append_character = 0
  guard let source = activeCompletionSource, let buffer = rl_line_buffer, start >= 0, end >= start
  else { return nil }
  // The line up to the cursor, and the libedit word's start in scalars.
  let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(end))
  let before = String(decoding: bytes.prefix(Int(end)), as: UTF8.self)
  let wordStartScalars = String(decoding: bytes.prefix(Int(start)), as: UTF8.self)
    .unicodeScalars.count
  guard let result = Completer.complete(before, source: source), !result.candidates.isEmpty,
    result.start >= wordStartScalars
  else { return nil }
  // libedit replaces its whole word: keep the part of it before our name.
  let scalars = Array(before.unicodeScalars)
  var lead = String.UnicodeScalarView()
  lead.append(contentsOf: scalars[wordStartScalars..<result.start])
  let keep = String(lead)
  let matches = result.candidates.map { keep + $0 }
  let substitution = matches.count == 1 ? matches[0] : Completer.commonPrefix(matches)

  let count = matches.count + 2
  guard let array = malloc(count * MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)?
    .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count)
  else { return nil }
  array[0] = strdup(substitution)
  if matches.count == 1 {
    array[1] = nil
  } else {
    for (i, m) in matches.enumerated() { array[i + 1] = strdup(m) }
    array[count - 1] = nil
  }
  return array
}
