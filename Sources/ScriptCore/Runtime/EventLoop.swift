// The event loop: the microtask queue, timers, and the coroutines that let
// `await` really suspend an async function.
//
// Why coroutines on threads rather than CPS: the compiler turns every function
// into nested Swift closures, and an `await` can sit anywhere inside an
// expression, a loop or a `try`. Compiling async bodies a second time in
// continuation-passing style would double the compiler. Instead each async
// call runs its body on its own thread, and exactly one thread runs at any
// moment: the caller waits on a semaphore until the body finishes or
// suspends at an `await`; the microtask that settles the awaited promise
// hands control back the same way. All interpreter state is therefore only
// ever touched by one thread at a time, with the semaphores ordering memory.

import Foundation

/// Thrown into suspended coroutines when a run ends, so their threads exit.
struct CoroutineCancelled: Error {}

final class Coroutine {
  let toCoroutine = DispatchSemaphore(value: 0)
  let toCaller = DispatchSemaphore(value: 0)
  var incoming: Result<Value, Error> = .success(.undefined)
  /// A non-script error (interrupt) that escaped the body; rethrown to the resumer.
  var escaped: Error?
  var finished = false
  // The coroutine's slice of the interpreter's call stack while it is suspended.
  var frameBase = 0
  var depthBase = 0
  var savedFrames: [CallFrame] = []
  var savedDepth = 0
  var savedPosition = SourceLocation.unknown
  /// How many nested calls the coroutine's own stack allows.
  var depthBudget = Interpreter.coroutineDepthBudget
}

struct Timer {
  let id: Int
  let due: Double
  let sequence: Int
  let callback: JSFunction
  let arguments: [Value]
  let interval: Double?
}

extension Interpreter {
  // MARK: Coroutines

  /// Starts `body` as a coroutine and runs it until it finishes or first suspends.
  /// The top level of a program (top-level `await`) gets the main stack size and depth limit.
  func startCoroutine(topLevel: Bool = false, _ body: @escaping () throws -> Void) throws {
    // Async calls that start async calls before ever awaiting nest threads: cap them.
    if coroutineNesting >= Interpreter.maxCoroutineNesting {
      throw ScriptThrow.rangeError("Maximum call stack size exceeded")
    }
    coroutineNesting += 1
    defer { coroutineNesting -= 1 }
    let co = Coroutine()
    co.depthBudget = topLevel ? Interpreter.mainDepthLimit : Interpreter.coroutineDepthBudget
    liveCoroutines[ObjectIdentifier(co)] = co
    let thread = Thread { [unowned self] in
      co.toCoroutine.wait()
      do { try body() } catch { co.escaped = error }
      co.finished = true
      liveCoroutines[ObjectIdentifier(co)] = nil
      co.toCaller.signal()
    }
    thread.stackSize = topLevel ? Interpreter.mainStackSize : Interpreter.coroutineStackSize
    thread.start()
    co.frameBase = frameCount
    co.depthBase = depth
    try transfer(to: co)
  }

  /// Hands control to `co` and waits until it suspends or finishes.
  private func transfer(to co: Coroutine) throws {
    let previous = currentCoroutine
    let previousLimit = depthLimit
    currentCoroutine = co
    depthLimit = min(depth + co.depthBudget, max(previousLimit, Interpreter.mainDepthLimit))
    co.toCoroutine.signal()
    co.toCaller.wait()
    currentCoroutine = previous
    depthLimit = previousLimit
    if let e = co.escaped {
      co.escaped = nil
      throw e
    }
  }

  /// Resumes a suspended coroutine with the awaited outcome.
  func resume(_ co: Coroutine, with outcome: Result<Value, Error>) throws {
    if co.finished { return }
    co.incoming = outcome
    co.frameBase = frameCount
    co.depthBase = depth
    try transfer(to: co)
  }

  /// `await value`: suspends the current coroutine until the promise settles.
  func awaitValue(_ value: Value) throws -> Value {
    guard let co = currentCoroutine else {
      throw ScriptThrow.error(.syntaxError, "await is only valid in async functions and the top level bodies of modules")
    }
    let promise = promiseResolve(value)
    addReaction(promise) { [unowned self] fulfilled, v in
      try resume(co, with: fulfilled ? .success(v) : .failure(ScriptThrow.value(v)))
    }
    // Suspend: put our frames aside and give control back.
    co.savedFrames = (co.frameBase..<max(co.frameBase, frameCount)).map { frame(at: $0) }
    truncateFrames(to: co.frameBase)
    co.savedDepth = depth - co.depthBase
    depth = co.depthBase
    co.savedPosition = position
    if let first = co.savedFrames.first { position = first.callerPosition }
    co.toCaller.signal()
    co.toCoroutine.wait()
    // Resumed (possibly from another stack depth): put our frames back.
    for f in co.savedFrames { pushFrame(f) }
    co.savedFrames = []
    depth = co.depthBase + co.savedDepth
    position = co.savedPosition
    return try co.incoming.get()
  }

  // MARK: Async natives

  /// Runs `body` as an async native function (TF.js's `model.fit`): it starts now, runs
  /// until it finishes or calls `awaitResult`, and its outcome settles the returned
  /// promise (a script throw rejects it; an interrupt unwinds the run).
  public func runAsync(_ body: @escaping () throws -> Value) throws -> PromiseObject {
    let promise = newPromise()
    try startCoroutine { [self] in
      do {
        resolvePromise(promise, with: try body())
      } catch let t as ScriptThrow {
        rejectPromise(promise, with: thrownValue(t))
      }
    }
    return promise
  }

  /// `await value` from inside a `runAsync` body: suspends it until the value (a promise
  /// or thenable, or any value for one microtask turn) settles; a rejection throws.
  public func awaitResult(_ value: Value) throws -> Value {
    try awaitValue(value)
  }

  /// Ends every suspended coroutine (their threads unwind and exit).
  func cancelCoroutines() {
    while let co = liveCoroutines.values.first {
      liveCoroutines[ObjectIdentifier(co)] = nil
      if co.finished { continue }
      try? resume(co, with: .failure(CoroutineCancelled()))
    }
  }

  // MARK: Microtasks and timers

  /// Queues `job` to run after the current synchronous code, before timers.
  public func enqueueMicrotask(_ job: @escaping () throws -> Void) {
    microtasks.append(job)
  }

  /// Runs queued microtasks until the queue is empty.
  func drainMicrotasks() throws {
    while microtaskHead < microtasks.count {
      let job = microtasks[microtaskHead]
      microtaskHead += 1
      if microtaskHead > 1024 && microtaskHead * 2 > microtasks.count {
        microtasks.removeFirst(microtaskHead)
        microtaskHead = 0
      }
      try checkInterrupt()
      try job()
    }
    microtasks.removeAll(keepingCapacity: true)
    microtaskHead = 0
  }

  private func now() -> Double { Date().timeIntervalSince1970 * 1000 }

  func addTimer(_ callback: JSFunction, delay: Double, arguments: [Value], repeating: Bool) -> Int {
    let ms = delay.isFinite && delay >= 1 ? delay : 1
    let id = nextTimerID
    nextTimerID += 1
    timerSequence += 1
    timers.append(Timer(
      id: id, due: now() + ms, sequence: timerSequence, callback: callback, arguments: arguments,
      interval: repeating ? ms : nil))
    return id
  }

  /// Runs microtasks, then timers in due order, until no work is left or
  /// `until` (checked after each macrotask) says to stop.
  /// Unhandled rejections end the loop with an uncaught error.
  func runEventLoop(until done: () -> Bool = { false }) throws {
    while true {
      try drainMicrotasks()
      try reportUnhandledRejections()
      if done() { return }
      guard let next = nextTimerIndex() else { return }
      while true {
        try checkInterrupt()
        let wait = timers[next].due - now()
        if wait <= 0 { break }
        Thread.sleep(forTimeInterval: min(wait, 50) / 1000)
      }
      try fireTimer(at: next)
    }
  }

  /// The index of the timer that fires first (earliest due, then oldest).
  private func nextTimerIndex() -> Int? {
    timers.indices.min(by: {
      (timers[$0].due, timers[$0].sequence) < (timers[$1].due, timers[$1].sequence)
    })
  }

  /// Runs every timer already due (and the microtasks each one queues). A
  /// timer that comes due meanwhile waits for the next call, so a busy
  /// interval cannot starve the caller.
  func runDueTimersNow() throws {
    let limit = timerSequence
    let start = now()
    while let next = nextTimerIndex(), timers[next].due <= start,
      timers[next].sequence <= limit
    {
      try checkInterrupt()
      try fireTimer(at: next)
      try drainMicrotasks()
      try reportUnhandledRejections()
    }
  }

  /// Reschedules or removes the timer at `next`, then calls its callback.
  private func fireTimer(at next: Int) throws {
    let timer = timers[next]
    if let interval = timer.interval {
      timerSequence += 1
      timers[next] = Timer(
        id: timer.id, due: max(timer.due + interval, now()), sequence: timerSequence,
        callback: timer.callback, arguments: timer.arguments, interval: interval)
    } else {
      timers.remove(at: next)
    }
    do {
      _ = try timer.callback.call(self, this: .undefined, arguments: timer.arguments)
    } catch let t as ScriptThrow {
      throw ScriptThrow.value(thrownValue(t))
    }
  }

  /// When the first pending timer is due, in milliseconds since 1970.
  var nextTimerDue: Double? { nextTimerIndex().map { timers[$0].due } }

  private func reportUnhandledRejections() throws {
    let pending = pendingRejections
    pendingRejections = []
    for p in pending where !p.isHandled {
      if case .rejected(let v) = p.state { throw UnhandledRejection(reason: v) }
    }
  }

  func installTimers() {
    func timerFunction(_ name: String, repeating: Bool) -> NativeEntry {
      .function(name, arity: 2) { [unowned self] call in
        let f = try call.arguments.function(0, name: "callback")
        let delay = call.arguments.count > 1 ? try toNumber(call.arguments[1]) : 0
        let extra = Array(call.arguments.values.dropFirst(2))
        return .number(Double(addTimer(f, delay: delay, arguments: extra, repeating: repeating)))
      }
    }
    func clearFunction(_ name: String) -> NativeEntry {
      .function(name, arity: 1) { [unowned self] call in
        if case .number(let id) = call.arguments[0] { timers.removeAll { Double($0.id) == id } }
        return .undefined
      }
    }
    realm.install([
      clearFunction("clearInterval"),
      clearFunction("clearTimeout"),
      .function("queueMicrotask", arity: 1) { [unowned self] call in
        let f = try call.arguments.function(0, name: "callback")
        enqueueMicrotask { [unowned self] in
          do { _ = try f.call(self, this: .undefined, arguments: []) } catch let t as ScriptThrow {
            throw ScriptThrow.value(thrownValue(t))
          }
        }
        return .undefined
      },
      timerFunction("setInterval", repeating: true),
      timerFunction("setTimeout", repeating: false),
    ], into: realm.globalObject)
  }
}

/// A promise rejected with nobody listening by the end of a macrotask.
struct UnhandledRejection: Error {
  let reason: Value
}
