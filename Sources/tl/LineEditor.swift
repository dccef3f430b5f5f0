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
/// The work the key reader runs while it waits (C callbacks cannot capture).
nonisolated(unsafe) private var activeBackground: BackgroundWork?

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
    rl_getc_function = readKey
    rl_initialize()
    // libedit's completer reads the basic set; readline's the completer set.
    rl_completer_word_break_characters = strdup(LineEditor.wordBreakCharacters)
    rl_basic_word_break_characters = UnsafePointer(strdup(LineEditor.wordBreakCharacters))
    rl_attempted_completion_function = completeHook
    stifle_history(1000)
    // Ctrl-C while editing arrives as a key, so the handler can see the line.
    rl_add_defun("tl-interrupt", interruptKey, 3)
    for entry in history { add_history(entry) }
  }

  func readLine(prompt: String) -> LineInput {
    // `sigintReceived` is not cleared here: a Ctrl-C that arrived as a signal
    // between two lines (ISIG is only off while a line is edited) counts.
    interruptKeyPressed = false
    editModeConfigured = false  // libedit restores ISIG between lines: redo it each time
    fflush(stdout)
    let raw = readline(prompt)
    let signalled = sigintReceived
    clearSIGINT()
    guard let raw else {
      fputs("\n", stdout)
      if interruptKeyPressed { return .interrupted(hadText: interruptKeyLineHadText) }
      // A SIGINT rather than the key: the line's contents are unknown.
      if signalled { return .interrupted(hadText: false) }
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

  /// Timers to fire while waiting for keys (see `readByte`).
  var background: BackgroundWork? {
    get { activeBackground }
    set { activeBackground = newValue }
  }

  func whileRunningCode<T>(_ body: () -> T) -> T {
    var saved = termios()
    guard tcgetattr(0, &saved) == 0 else { return body() }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO | ECHOCTL)
    tcsetattr(0, TCSANOW, &quiet)
    defer { tcsetattr(0, TCSANOW, &saved) }
    return body()
  }
}

nonisolated(unsafe) private var editModeConfigured = false

/// libedit's key reader (`rl_getc_function`): one UTF-8 character from
/// stdin as a code point, -1 at end of input. It runs while the terminal is
/// in editing mode, the moment libedit's `setty` applies at once: there it
/// turns off ISIG, so Ctrl-C arrives as a key that `interruptKey` handles
/// with the line still known (a signal would lose it).
private func readKey(_ stream: UnsafeMutablePointer<FILE>?) -> Int32 {
  if !editModeConfigured {
    editModeConfigured = true
    _ = "setty -d -isig".withCString { rl_parse_and_bind(UnsafeMutablePointer(mutating: $0)) }
  }
  guard let lead = readByte() else { return -1 }
  let length: Int
  switch lead {
  case 0..<0x80: return Int32(lead)
  case 0xC0..<0xE0: length = 2
  case 0xE0..<0xF0: length = 3
  case 0xF0..<0xF8: length = 4
  default: return 0xFFFD
  }
  var value = UInt32(lead) & (0xFF >> (length + 1))
  for _ in 1..<length {
    guard let b = readByte() else { return -1 }
    guard b & 0xC0 == 0x80 else { return 0xFFFD }
    value = value << 6 | UInt32(b & 0x3F)
  }
  return Unicode.Scalar(value) == nil ? 0xFFFD : Int32(value)
}

/// One byte from stdin, retrying reads interrupted by signals (a resized
/// window); nil at end of input or on a read error. While no key comes it
/// fires due timers (`activeBackground`), waiting in `poll()` until the next.
private func readByte() -> UInt8? {
  var byte: UInt8 = 0
  while !sigintReceived {
    if let wait = activeBackground?.millisecondsUntilDue {
      var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      let ready = poll(&fds, 1, Int32(min(wait.rounded(.up), 60_000)))
      if ready < 0 && errno == EINTR { continue }
      if ready == 0 {
        if !runBackgroundAbovePrompt() { return nil }
        continue
      }
    }
    let n = read(0, &byte, 1)
    if n == 1 { return byte }
    if n < 0 && errno == EINTR { continue }
    return nil
  }
  return nil  // Ctrl-C came as a signal before editing began: end this line
}

/// Fires due timers while a line is being edited: clears the prompt line,
/// lets the timers print in the terminal's normal mode (Ctrl-C a signal
/// again, so an endless callback can be stopped, keys not echoed), then
/// redraws the prompt and the line. False when the session must end.
private func runBackgroundAbovePrompt() -> Bool {
  guard let work = activeBackground else { return true }
  fputs("\r\u{1B}[K", stdout)
  fflush(stdout)
  var editing = termios()
  let haveTTY = tcgetattr(0, &editing) == 0
  if haveTTY {
    var running = editing
    running.c_lflag |= tcflag_t(ISIG)
    running.c_lflag &= ~tcflag_t(ECHO | ECHOCTL | ICANON)
    running.c_oflag |= tcflag_t(OPOST | ONLCR)
    tcsetattr(0, TCSANOW, &running)
  }
  let goOn = work.runDue()
  fflush(stdout)
  if haveTTY { tcsetattr(0, TCSANOW, &editing) }
  if goOn { rl_forced_update_display() }
  return goOn
}

nonisolated(unsafe) private var interruptKeyLineHadText = false
nonisolated(unsafe) private var interruptKeyPressed = false

/// Ctrl-C while editing (bound with `rl_add_defun`): notes whether the line
/// had text and ends `readline()`, which then returns NULL.
private func interruptKey(_ count: Int32, _ key: Int32) -> Int32 {
  interruptKeyPressed = true
  interruptKeyLineHadText = rl_end > 0
  rl_done = 1
  return 0
}

// MARK: - The completion callback

/// libedit's `rl_attempted_completion_function`: `text` is the word before
/// the cursor (split at `wordBreakCharacters`); `start..<end` is its range
/// in `rl_line_buffer`, counted in characters (libedit edits wide
/// characters). Returns a malloc'd, NULL-terminated array whose first element
/// is the text to insert (the candidates' common prefix), followed by the
/// candidates to list; libedit frees it all.
private func completeHook(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  rl_attempted_completion_over = 1  // never fall back to file names
  rl_completion_append_character = 0
  guard let source = activeCompletionSource, let buffer = rl_line_buffer, start >= 0, end >= start
  else { return nil }
  // The line up to the cursor, and where libedit's word starts in it.
  let line = Array(String(cString: buffer).unicodeScalars)
  let cursor = min(Int(end), line.count)
  let wordStart = min(Int(start), cursor)
  var beforeView = String.UnicodeScalarView()
  beforeView.append(contentsOf: line[0..<cursor])
  guard let result = Completer.complete(String(beforeView), source: source),
    !result.candidates.isEmpty, result.start >= wordStart, result.start <= cursor
  else { return nil }
  // libedit replaces its whole word: keep the part of it before our name.
  var lead = String.UnicodeScalarView()
  lead.append(contentsOf: line[wordStart..<result.start])
  let keep = String(lead)
  let matches = result.candidates.map { keep + $0 }
  let substitution = matches.count == 1 ? matches[0] : Completer.commonPrefix(matches)

  let count = matches.count + 2
  guard
    let array = malloc(count * MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)?
      .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count)
  else { return nil }
  array[0] = strdup(substitution)
  if matches.count == 1 {
    array[1] = nil
  } else {
    // The list libedit shows on a second TAB: just the names, as Node shows them.
    for (i, m) in result.candidates.enumerated() { array[i + 1] = strdup(m) }
    array[count - 1] = nil
  }
  return array
}
