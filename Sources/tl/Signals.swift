// Ctrl-C. The REPL installs a SIGINT handler without SA_RESTART: a blocked
// read() in the line editor then fails with EINTR and readline() returns,
// and code that is running is asked to stop through the engine.

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Set by the handler; cleared by whoever acts on it (the line editor, or
/// the end of an evaluation that the Ctrl-C interrupted).
nonisolated(unsafe) var sigintReceived: sig_atomic_t = 0

/// The engine running code right now, if any: Ctrl-C interrupts it.
nonisolated(unsafe) private var interruptTarget: ScriptEngine?

private func handleSIGINT(_ signal: Int32) {
  sigintReceived = 1
  interruptTarget?.requestInterrupt()
}

/// Installs the REPL's SIGINT handler (no SA_RESTART, so reads are interrupted).
func installInterruptHandler() {
  var action = sigaction()
  #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = handleSIGINT
  #else
    action.__sigaction_u.__sa_handler = handleSIGINT
  #endif
  sigemptyset(&action.sa_mask)
  action.sa_flags = 0
  sigaction(SIGINT, &action, nil)
}

/// Runs `body` with `engine` as the target of Ctrl-C.
func withInterruptTarget<T>(_ engine: ScriptEngine, _ body: () -> T) -> T {
  interruptTarget = engine
  defer {
    interruptTarget = nil
    sigintReceived = 0  // a Ctrl-C during the run was meant for the run
  }
  return body()
}
