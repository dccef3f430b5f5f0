// The embedding API's host side: one `Interpreter` runs scripts, REPL entries
// and modules against one realm.
//
//   final class Buffer: OutputSink { ... }
//   let interp = Interpreter(output: Buffer())
//   interp.defineGlobal("answer", .number(42))
//   interp.registerModule("@tensorflow/tfjs") { interp in tfNamespace }
//   switch interp.run(source: "console.log(answer)", file: "x.tl") {
//   case .ok: break
//   case .syntaxErrors(let diagnostics): print(diagnostics)
//   case .uncaught(_, let text): print(text)
//   case .interrupted: print("interrupted")
//   }
//
// Scripts run on a thread with a 1 GiB stack (the calling thread waits), so
// deep recursion ends in a RangeError, never a segfault.

import Foundation
import Synchronization

/// Where `console.log` and friends write. The CLI passes stdout/stderr; tests pass a buffer.
public protocol OutputSink: AnyObject {
  func write(_ text: String, to stream: OutputStream)
}

public enum OutputStream: Sendable { case stdout, stderr }

/// What running a script or a REPL entry produced.
public enum RunResult {
  /// The completion value (the last expression statement's value for the REPL).
  case ok(Value)
  case syntaxErrors([Diagnostic])
  /// An uncaught exception or unhandled rejection: the thrown value and its
  /// rendered text (the error's stack, or `Uncaught <value>`).
  case uncaught(Value, String)
  case interrupted
  /// The script called `process.exit(code)`.
  case exited(Int32)
}

/// Thrown through Swift to unwind everything when the host interrupts a run;
/// scripts cannot catch it.
struct InterruptSignal: Error {}

/// One script-function activation, for stack traces. Holds its code
/// without reference counting (the running function keeps it alive), so that
/// pushing a frame costs no retain/release.
struct CallFrame {
  unowned(unsafe) let code: FunctionCode
  let isConstruct: Bool
  /// Where the caller was when it made this call.
  let callerPosition: SourceLocation

  init(code: FunctionCode, isConstruct: Bool = false, callerPosition: SourceLocation) {
    self.code = code
    self.isConstruct = isConstruct
    self.callerPosition = callerPosition
  }

  var name: String {
    isConstruct ? "new " + (code.name.isEmpty ? "<anonymous>" : code.name) : code.name
  }

  var file: SourceFile { code.file }
}

/// The interpreter's hot mutable state, kept behind a pointer so that the
/// evaluator's frequent updates skip Swift's dynamic exclusivity checks.
struct ExecutionState {
  /// The call frames, innermost last: a manually grown buffer, so that a
  /// call's push and pop are a store and a decrement (no uniqueness checks).
  var frameBuffer = UnsafeMutablePointer<CallFrame>.allocate(capacity: 64)
  var frameCount = 0
  var frameCapacity = 64
  /// The source position the innermost frame is at (updated at calls and throws).
  var position = SourceLocation.unknown
  var depth = 0
  var depthLimit = Interpreter.mainDepthLimit
}

/// A binding declared at the REPL's top level (persists across entries).
final class GlobalBinding {
  @exclusivity(unchecked) var value: Value
  var isConst: Bool

  init(value: Value, isConst: Bool) {
    self.value = value
    self.isConst = isConst
  }
}

public final class Interpreter {
  public let output: OutputSink
  public let realm: Realm

  // MARK: Execution state (touched by one thread at a time)

  let state: UnsafeMutablePointer<ExecutionState>

  /// A copy of the call frames, innermost last (the hot paths use
  /// `pushFrame`/`popFrame`; assigning replaces them all).
  var frames: [CallFrame] {
    get { Array(UnsafeBufferPointer(start: state.pointee.frameBuffer, count: state.pointee.frameCount)) }
    set {
      state.pointee.frameCount = 0
      for f in newValue { pushFrame(f) }
    }
  }

  var frameCount: Int {
    @inline(__always) get { state.pointee.frameCount }
  }

  /// The frame `i` from the outermost (0 ..< frameCount).
  @inline(__always)
  func frame(at i: Int) -> CallFrame { state.pointee.frameBuffer[i] }

  @inline(__always)
  func pushFrame(_ frame: CallFrame) {
    let s = state
    let n = s.pointee.frameCount
    if n == s.pointee.frameCapacity { growFrames() }
    (s.pointee.frameBuffer + n).initialize(to: frame)
    s.pointee.frameCount = n + 1
  }

  private func growFrames() {
    let s = state
    let capacity = s.pointee.frameCapacity * 2
    let buffer = UnsafeMutablePointer<CallFrame>.allocate(capacity: capacity)
    buffer.moveInitialize(from: s.pointee.frameBuffer, count: s.pointee.frameCount)
    s.pointee.frameBuffer.deallocate()
    s.pointee.frameBuffer = buffer
    s.pointee.frameCapacity = capacity
  }

  /// Pops the innermost frame and returns to its caller's position.
  @inline(__always)
  func popFrame() {
    let s = state
    let n = s.pointee.frameCount
    if n > 0 {
      s.pointee.frameCount = n - 1
      s.pointee.position = s.pointee.frameBuffer[n - 1].callerPosition
    }
  }

  /// Drops frames above `count` (a coroutine suspending, a run ending).
  func truncateFrames(to count: Int) {
    if count < state.pointee.frameCount { state.pointee.frameCount = max(0, count) }
  }

  /// The source position the innermost frame is at (updated at calls and throws).
  var position: SourceLocation {
    @inline(__always) get { state.pointee.position }
    @inline(__always) set { state.pointee.position = newValue }
  }

  var depth: Int {
    @inline(__always) get { state.pointee.depth }
    @inline(__always) set { state.pointee.depth = newValue }
  }

  var depthLimit: Int {
    @inline(__always) get { state.pointee.depthLimit }
    @inline(__always) set { state.pointee.depthLimit = newValue }
  }
  @exclusivity(unchecked) var currentCoroutine: Coroutine?
  /// Coroutines started from inside other coroutines, not yet suspended.
  var coroutineNesting = 0
  /// Bindings declared at the REPL's top level.
  @exclusivity(unchecked) var lexicalGlobals: [String: GlobalBinding] = [:] {
    didSet { lexicalGlobalsGeneration &+= 1 }
  }
  /// Changes whenever a REPL binding is added: global-name sites re-check then.
  @exclusivity(unchecked) var lexicalGlobalsGeneration = 0
  /// The value of the last expression statement at the REPL's top level.
  @exclusivity(unchecked) var replCompletion: Value = .undefined
  /// `process.argv` as the host gave it.
  public internal(set) var argv: [String] = ["tl"]
  /// Turns a regex literal into a value; installed by the builtins (nil: literals throw).
  public var makeRegExp: ((_ pattern: String, _ flags: String) throws -> Value)?

  // Event loop
  var microtasks: [() throws -> Void] = []
  var microtaskHead = 0
  var timers: [Timer] = []
  var nextTimerID = 1
  var timerSequence = 0
  var pendingRejections: [PromiseObject] = []
  var liveCoroutines: [ObjectIdentifier: Coroutine] = [:]

  // Modules
  var moduleLoaders: [String: (Interpreter) throws -> Value] = [:]
  var sourceModules: [String: String] = [:]
  /// Why a known package name cannot be imported (`Cannot find module` adds it).
  var unavailableModules: [String: String] = [:]
  var moduleCache: [String: Value] = [:]
  var modulesLoading: Set<String> = []

  /// Set by `interrupt()` from any thread. Behind a pointer so that the
  /// evaluator's checks read it through a plain `let` (closures that hold
  /// the interpreter unretained would otherwise retain it to reach an
  /// inline atomic).
  private let interruptFlagBox: UnsafeMutablePointer<Atomic<Bool>> = {
    let p = UnsafeMutablePointer<Atomic<Bool>>.allocate(capacity: 1)
    p.initialize(to: Atomic(false))
    return p
  }()

  static let mainStackSize = 1 << 30
  static let mainDepthLimit = 9_000
  /// Async function bodies run on threads with this stack: reserved address
  /// space, committed only as it is used.
  static let coroutineStackSize = 256 << 20
  static let coroutineDepthBudget = 2_000
  static let maxCoroutineNesting = 200

  public init(output: OutputSink) {
    self.output = output
    self.realm = Realm()
    state = UnsafeMutablePointer<ExecutionState>.allocate(capacity: 1)
    state.initialize(to: ExecutionState())
    Builtins.install(into: self)
    installIntrinsics()
  }

  deinit {
    interruptFlagBox.deinitialize(count: 1)
    interruptFlagBox.deallocate()
    state.pointee.frameBuffer.deallocate()
    state.deinitialize(count: 1)
    state.deallocate()
  }

  // MARK: Globals

  /// Defines a global variable visible to every script (`tf`, `console`).
  public func defineGlobal(_ name: String, _ value: Value) {
    realm.globalObject.defineOwn(name, Property(value, enumerable: false))
  }

  /// The names a REPL can complete at top level: globals and REPL bindings.
  public func globalNames() -> [String] {
    var names = Set(realm.globalObject.ownKeys())
    names.formUnion(lexicalGlobals.keys)
    return names.sorted()
  }

  /// Completions for `prefix` (`tf.lay` → `tf.layers`): the member names of
  /// the object the text before the last `.` evaluates to (globals only when
  /// there is no dot). Evaluates only plain dotted names, never calls code
  /// other than getters.
  public func completions(for prefix: String) -> [String] {
    let parts = prefix.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard let last = parts.last else { return [] }
    if parts.count == 1 {
      return globalNames().filter { $0.hasPrefix(last) }
    }
    var value: Value
    let head = parts[0]
    if let b = lexicalGlobals[head] {
      value = b.value
    } else if let p = realm.globalObject.lookup(head), case .value(let v) = p.slot {
      value = v
    } else {
      return []
    }
    for name in parts[1..<(parts.count - 1)] {
      guard case .object(let o) = value, let p = o.lookup(name), case .value(let v) = p.slot else {
        return []
      }
      value = v
    }
    let holder: JSObject?
    switch value {
    case .object(let o): holder = o
    case .string: holder = realm.stringPrototype
    case .number: holder = realm.numberPrototype
    default: holder = nil
    }
    guard let h = holder else { return [] }
    let base = parts.dropLast().joined(separator: ".")
    return h.completionNames().filter { $0.hasPrefix(last) && $0 != "constructor" }.sorted()
      .map { base + "." + $0 }
  }

  // MARK: Interrupts

  /// Asks the running script to stop: thread-safe, callable from a signal handler's
  /// helper thread. The run unwinds and returns `.interrupted`.
  public func requestInterrupt() {
    interruptFlagBox.pointee.store(true, ordering: .relaxed)
  }

  /// True once the host asked the run to stop; natives with long loops (model.fit) poll it
  /// to stop between steps, leaving their state usable.
  public var isInterruptRequested: Bool { interruptFlagBox.pointee.load(ordering: .relaxed) }

  /// Unwinds the run (it returns `.interrupted`) when the host asked it to stop; scripts
  /// cannot catch it. For natives that stop a long loop early.
  public func throwIfInterrupted() throws { try checkInterrupt() }

  @inline(__always)
  func checkInterrupt() throws {
    if interruptFlagBox.pointee.load(ordering: .relaxed) { throw InterruptSignal() }
  }

  func clearInterrupt() {
    interruptFlagBox.pointee.store(false, ordering: .relaxed)
  }

  // MARK: Running on a big stack

  /// Runs `body` on a thread with a 1 GiB stack and waits for it.
  func onScriptThread<T>(_ body: @escaping () -> T) -> T {
    if isOnScriptThread {
      return body()
    }
    // A joined pthread (not Foundation's Thread, which keeps its block, and so
    // this interpreter, alive until some time after it signals): when this
    // returns, the script thread and everything it held are gone.
    return withLargeStack(Interpreter.mainStackSize) { [self] in
      isOnScriptThread = true
      defer { isOnScriptThread = false }
      return body()
    }
  }

  var isOnScriptThread = false
}

