// libFuzzer entry point for the whole language pipeline: lexer, parser,
// compiler and evaluator (with the built-ins). Any crash, hang or sanitizer
// report on any byte string is a bug. Built and run by fuzz/run.sh.

import Foundation

private final class NullSink: OutputSink {
  func write(_ text: String, to stream: OutputStream) {}
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let interpreter = Interpreter(output: NullSink())
  // Scripts may loop forever (`while(1);`) or wait on long timers: interrupt
  // each run after a short budget, as the REPL's Ctrl-C does.
  let done = DispatchSemaphore(value: 0)
  let watchdog = Thread {
    if done.wait(timeout: .now() + .milliseconds(300)) == .timedOut {
      interpreter.requestInterrupt()
    }
  }
  watchdog.start()
  _ = interpreter.run(source: text, file: "fuzz.tl")
  done.signal()
  return 0
}
