// Ctrl-C. The REPL installs a SIGINT handler without SA_RESTART: a blocked
// read() in the line editor then fails with EINTR and readline() returns.
// The handler only sets a flag (an atomic store is all a signal handler may
// safely do); while code runs, a watcher thread turns the flag into
// `engine.requestInterrupt()`.

import Foundation
import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Set by the SIGINT handler; cleared by whoever acts on it (the line
/// editor, or the end of the evaluation that the Ctrl-C interrupted).
let sigintFlag = Atomic<Bool>(false)

/// True when a SIGINT arrived and has not been acted on yet.
var sigintReceived: Bool { sigintFlag.load(ordering: .acquiring) }

/// Forgets a SIGINT that has been acted on.
func clearSIGINT() { sigintFlag.store(false, ordering: .releasing) }

private func handleSIGINT(_ signal: Int32) {
  sigintFlag.store(true, ordering: .releasing)
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

/// Runs `body` (an evaluation) so that Ctrl-C interrupts `engine`. A Ctrl-C
/// that lands just before the run starts still counts: the watcher keeps
/// asking until the run returns.
func withInterruptTarget<T>(_ engine: ScriptEngine, _ body: () -> T) -> T {
  let watcher = InterruptWatcher(engine: engine)
  watcher.start()
  defer {
    watcher.stop()
    clearSIGINT()  // a Ctrl-C during the run was meant for the run
  }
  return body()
}

/// A thread that polls the SIGINT flag while code runs.
private final class InterruptWatcher: @unchecked Sendable {
  private let engine: ScriptEngine
  private let running = Atomic<Bool>(true)
  private let finished = DispatchSemaphore(value: 0)

  init(engine: ScriptEngine) {
    self.engine = engine
  }

  func start() {
    let thread = Thread { [self] in
      while running.load(ordering: .acquiring) {
        if sigintReceived { engine.requestInterrupt() }
        usleep(10_000)
      }
      finished.signal()
    }
    thread.start()
  }

  func stop() {
    running.store(false, ordering: .releasing)
    finished.wait()
  }
}
