// The event loop driven by a host (the REPL): entries that leave timers
// behind, firing them later, errors and interrupts from them.

import Foundation
import GoldenSupport
import XCTest

@testable import ScriptCore

final class EventLoopHostTests: XCTestCase {
  private func make() -> (Interpreter, OutputBuffer) {
    let out = OutputBuffer()
    return (Interpreter(output: out), out)
  }

  /// Fires due timers until none is left or `seconds` pass; the results in order.
  private func drive(_ interp: Interpreter, seconds: Double = 3) -> [RunResult] {
    var results: [RunResult] = []
    let end = Date().addingTimeInterval(seconds)
    while let due = interp.nextTimerDeadline, Date() < end {
      let wait = due / 1000 - Date().timeIntervalSince1970
      if wait > 0 { Thread.sleep(forTimeInterval: wait) }
      results.append(interp.runDueTimers())
    }
    return results
  }

  func testEntryReturnsBeforeItsTimersFire() {
    let (interp, out) = make()
    let r = interp.evaluateREPL("setTimeout(() => console.log('later'), 30); 5", leavingTimers: true)
    guard case .ok(let v) = r else { return XCTFail("\(r)") }
    XCTAssertEqual(v.asNumber, 5)
    XCTAssertEqual(out.stdout, "")
    XCTAssertTrue(interp.hasPendingWork)
    XCTAssertNotNil(interp.nextTimerDeadline)
    _ = drive(interp)
    XCTAssertEqual(out.stdout, "later\n")
    XCTAssertFalse(interp.hasPendingWork)
    XCTAssertNil(interp.nextTimerDeadline)
  }

  func testWithoutLeavingTimersTheLoopRunsToTheEnd() {
    let (interp, out) = make()
    _ = interp.evaluateREPL("setTimeout(() => console.log('later'), 10); 5")
    XCTAssertEqual(out.stdout, "later\n")
    XCTAssertFalse(interp.hasPendingWork)
  }

  func testMicrotasksRunBeforeTheEntryReturns() {
    let (interp, out) = make()
    _ = interp.evaluateREPL("Promise.resolve(1).then(v => console.log('then', v)); 2", leavingTimers: true)
    XCTAssertEqual(out.stdout, "then 1\n")
    XCTAssertFalse(interp.hasPendingWork)
  }

  func testTopLevelAwaitStillWaitsForItsTimer() {
    let (interp, out) = make()
    let r = interp.evaluateREPL(
      "setTimeout(() => console.log('slow'), 400)\n"
        + "await new Promise(r => setTimeout(() => r(9), 20))", leavingTimers: true)
    guard case .ok(let v) = r else { return XCTFail("\(r)") }
    XCTAssertEqual(v.asNumber, 9)
    XCTAssertEqual(out.stdout, "", "the slower timer is left for later")
    XCTAssertTrue(interp.hasPendingWork)
    _ = drive(interp)
    XCTAssertEqual(out.stdout, "slow\n")
  }

  func testIntervalThatClearsItself() {
    let (interp, out) = make()
    _ = interp.evaluateREPL(
      "let n = 0; const h = setInterval(() => { console.log('tick', ++n); if (n === 3) clearInterval(h) }, 10)",
      leavingTimers: true)
    _ = interp.evaluateREPL("const other = 1", leavingTimers: true)
    let results = drive(interp)
    XCTAssertEqual(out.stdout, "tick 1\ntick 2\ntick 3\n")
    XCTAssertEqual(results.count, 3, "one interval firing per call")
    XCTAssertFalse(interp.hasPendingWork)
  }

  func testSuspendedAsyncFunctionResumesFromALaterTimer() {
    let (interp, out) = make()
    _ = interp.evaluateREPL(
      "(async () => { await new Promise(r => setTimeout(r, 20)); console.log('done') })(); 7",
      leavingTimers: true)
    XCTAssertEqual(out.stdout, "")
    _ = drive(interp)
    XCTAssertEqual(out.stdout, "done\n")
  }

  func testErrorInATimerIsReportedAndOtherTimersStay() {
    let (interp, out) = make()
    _ = interp.evaluateREPL(
      "setTimeout(() => { throw new Error('boom') }, 5); setTimeout(() => console.log('ok'), 60)",
      leavingTimers: true)
    let results = drive(interp)
    guard case .uncaught(_, let text)? = results.first else { return XCTFail("\(results)") }
    XCTAssertTrue(text.hasPrefix("Uncaught Error: boom"), text)
    XCTAssertEqual(out.stdout, "ok\n")
  }

  func testErrorInAnEntryLeavesEarlierTimers() {
    let (interp, out) = make()
    let r = interp.evaluateREPL("setTimeout(() => console.log('kept'), 5); null.x", leavingTimers: true)
    guard case .uncaught = r else { return XCTFail("\(r)") }
    _ = drive(interp)
    XCTAssertEqual(out.stdout, "kept\n")
  }

  func testInterruptInATimerStopsAllTimers() {
    let (interp, out) = make()
    _ = interp.evaluateREPL(
      "setTimeout(() => { while (true) {} }, 5); setInterval(() => console.log('x'), 50)",
      leavingTimers: true)
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interp.requestInterrupt() }
    Thread.sleep(forTimeInterval: 0.01)
    guard case .interrupted = interp.runDueTimers() else { return XCTFail("not interrupted") }
    XCTAssertFalse(interp.hasPendingWork)
    XCTAssertEqual(out.stdout, "")
  }

  func testProcessExitFromATimer() {
    let (interp, _) = make()
    _ = interp.evaluateREPL("setTimeout(() => process.exit(3), 5)", leavingTimers: true)
    let results = drive(interp, seconds: 1)
    guard case .exited(3)? = results.last else { return XCTFail("\(results)") }
  }

  func testStopPendingWork() {
    let (interp, out) = make()
    _ = interp.evaluateREPL("setInterval(() => console.log('x'), 5)", leavingTimers: true)
    interp.stopPendingWork()
    XCTAssertFalse(interp.hasPendingWork)
    XCTAssertTrue(drive(interp, seconds: 0.1).isEmpty)
    XCTAssertEqual(out.stdout, "")
  }
}
