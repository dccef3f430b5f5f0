// SPDX-License-Identifier: MIT
import Foundation

/// Named attributes of a recorded op, for its gradient rule (axes, shapes, flags...).
public struct OpAttrs {
  /// One attribute value.
  public enum Value {
    case int(Int)
    case ints([Int])
    case float(Double)
    case bool(Bool)
    case string(String)
    case tensor(Tensor)
  }

  /// The attributes by name.
  public var values: [String: Value]

  /// Creates attributes from a dictionary literal's pairs.
  public init(_ values: [String: Value] = [:]) { self.values = values }

  /// An int attribute, if present.
  public func int(_ name: String) -> Int? {
    if case .int(let v)? = values[name] { return v }
    return nil
  }
  /// An int-array attribute, if present.
  public func ints(_ name: String) -> [Int]? {
    if case .ints(let v)? = values[name] { return v }
    return nil
  }
  /// A float attribute, if present.
  public func float(_ name: String) -> Double? {
    if case .float(let v)? = values[name] { return v }
    return nil
  }
  /// A bool attribute, if present.
  public func bool(_ name: String) -> Bool? {
    if case .bool(let v)? = values[name] { return v }
    return nil
  }
  /// A string attribute, if present.
  public func string(_ name: String) -> String? {
    if case .string(let v)? = values[name] { return v }
    return nil
  }
  /// A tensor attribute, if present.
  public func tensor(_ name: String) -> Tensor? {
    if case .tensor(let v)? = values[name] { return v }
    return nil
  }
  /// Reads or writes one attribute.
  public subscript(name: String) -> Value? {
    get { values[name] }
    set { values[name] = newValue }
  }
}

/// One recorded op application: what the gradient rules read.
///
/// `inputs`/`outputs` are the op's tensors themselves (match them by identity to
/// find paths from `xs` to `y`); they may be disposed by a `tidy` before the
/// backward pass runs. `savedInputs`/`savedOutputs` are live aliases of the same
/// values (sharing buffers, kept, untracked), as TF.js saves tensors for backprop:
/// compute gradients with them, and release them with `Engine.clearTape()`.
public struct TapeNode {
  /// Sequence number of the node on the tape.
  public let id: Int
  /// Op (kernel) name, as in TF.js (`Add`, `BatchMatMul`, `Sum`, ...).
  public let name: String
  /// Input tensors, in the op's argument order.
  public let inputs: [Tensor]
  /// Output tensors (one for most ops).
  public let outputs: [Tensor]
  /// Attributes the gradient needs.
  public let attrs: OpAttrs
  /// Live aliases of `inputs`, safe to compute with after the originals are disposed.
  public let savedInputs: [Tensor]
  /// Live aliases of `outputs`.
  public let savedOutputs: [Tensor]

  /// The first (usually only) output.
  public var output: Tensor { outputs[0] }
}

/// Memory counts as `tf.memory()` reports them.
public struct MemoryInfo: Equatable {
  /// Undisposed tensors (created minus disposed).
  public var numTensors: Int
  /// Distinct value buffers used by undisposed tensors.
  public var numDataBuffers: Int
  /// Bytes of all undisposed tensors (shared buffers counted per tensor, as TF.js does).
  public var numBytes: Int
}

/// The process-wide tensor engine: memory accounting, scopes (`tidy`) and the op tape.
///
/// Not thread-safe by design: one script thread drives it, as in TF.js.
public final class Engine {
  /// The one engine.
  public static let shared = Engine()

  private var tensorCounter = 0
  private var nodeCounter = 0
  private var scopeCounter = 0
  private var scopes: [Scope] = []

  /// One open `tidy`/`startScope`: the tensors created while it is innermost.
  private final class Scope {
    var id: Int
    var name: String
    var tracked: [Tensor] = []

    init(id: Int, name: String) {
      self.id = id
      self.name = name
    }
  }

  /// Closed scopes kept for reuse: every op opens one, so this saves two allocations per op.
  private var scopePool: [Scope] = []

  /// Undisposed tensor count.
  public private(set) var numTensors = 0
  /// Distinct live buffers.
  public private(set) var numDataBuffers = 0
  /// Bytes of live tensors.
  public private(set) var numBytes = 0
  /// The highest `numBytes` since the engine started or `resetPeakBytes()` last ran: the
  /// high-water mark of live tensor bytes (shared buffers counted per tensor, as `numBytes`).
  public private(set) var peakBytes = 0

  /// Restarts the high-water mark `peakBytes` at the current `numBytes`.
  public func resetPeakBytes() { peakBytes = numBytes }

  /// Variables by name, as TF.js's `engine.registeredVariables`.
  public internal(set) var registeredVariables: [String: Variable] = [:]
  private var variableCounter = 0

  /// Tape nesting depth: ops are recorded while it is above zero.
  public var tapeDepth = 0
  /// The recorded nodes of the active tape, oldest first.
  public var tape: [TapeNode] = []
  /// Depth of op forwards in progress; ops run inside another op's forward are not recorded.
  private var opDepth = 0

  private init() { Engine.tuneAllocator() }

  /// Keeps freed tensor buffers inside the process (Linux/glibc).
  ///
  /// By default glibc maps every allocation above 128 KiB-32 MiB freshly and unmaps it on
  /// free, so an op chain that allocates a 25 MB activation per op page-faults through
  /// every one of them (measured here: a 1000×1000 softmax took 33 ms that way and 7 ms
  /// from the heap; MobileNet at batch 32 through tf ops ran 3-4× slower). With the mmap
  /// and trim thresholds at 1 GiB (glibc 2.36 accepts it) freed activations are reused;
  /// the cost is that the process keeps its peak heap below 1 GiB.
  private static func tuneAllocator() {
    #if os(Linux)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
    if mallopt(mmapThreshold, 1 << 30) == 0 {
      _ = mallopt(mmapThreshold, 32 << 20)  // older glibc caps it at 32 MiB
    }
    _ = mallopt(trimThreshold, 1 << 30)
    #endif
  }

  /// Memory counts now.
  public var memory: MemoryInfo {
    MemoryInfo(numTensors: numTensors, numDataBuffers: numDataBuffers, numBytes: numBytes)
  }

  func nextTensorId() -> Int {
    tensorCounter += 1
    return tensorCounter
  }

  func nextVariableName() -> String {
    variableCounter += 1
    return String(variableCounter - 1)
  }

  // MARK: - Registration and disposal

  func register(_ t: Tensor, track: Bool) {
    numTensors += 1
    numBytes += t.size * t.dtype.byteSize
    if numBytes > peakBytes { peakBytes = numBytes }
    if t.storage.liveTensors == 0 { numDataBuffers += 1 }
    t.storage.liveTensors += 1
    if track { self.track(t) }
  }

  private func track(_ t: Tensor) {
    guard let scope = scopes.last else { return }
    t.scopeId = scope.id
    scope.tracked.append(t)
  }

  /// Disposes a tensor (or variable); disposing twice does nothing.
  public func disposeTensor(_ t: Tensor) {
    if let v = t as? Variable, registeredVariables[v.name] === v {
      registeredVariables[v.name] = nil
    }
    guard !t.isDisposed else { return }
    t.isDisposed = true
    releaseCounts(of: t, storage: t.storage)
  }

  /// Moves a live tensor's accounting from its old buffer to a new one (Variable.assign).
  func rebind(_ t: Tensor, to storage: TensorStorage) {
    guard !t.isDisposed else {
      t.storage = storage
      return
    }
    releaseCounts(of: t, storage: t.storage)
    t.storage = storage
    numTensors += 1
    numBytes += t.size * t.dtype.byteSize
    if numBytes > peakBytes { peakBytes = numBytes }
    if storage.liveTensors == 0 { numDataBuffers += 1 }
    storage.liveTensors += 1
  }

  private func releaseCounts(of t: Tensor, storage: TensorStorage) {
    numTensors -= 1
    numBytes -= t.size * t.dtype.byteSize
    storage.liveTensors -= 1
    if storage.liveTensors == 0 { numDataBuffers -= 1 }
  }

  /// Disposes `t` now if the innermost open scope would dispose it when it ends: the scope
  /// tracks it, it is not kept and not a variable. Returns whether it did. For executors
  /// that free an intermediate after its last reader.
  ///
  /// The scope also stops tracking it, so its buffer is freed as soon as the caller drops
  /// its last reference, not when the scope ends (a disposed tensor still referenced
  /// elsewhere keeps its values, as with `dispose`).
  @discardableResult
  public func disposeIfScoped(_ t: Tensor) -> Bool {
    guard !t.isDisposed, !t.isKept, !(t is Variable), let scope = scopes.last,
      t.scopeId == scope.id
    else { return false }
    t.dispose()
    if let i = scope.tracked.lastIndex(where: { $0 === t }) { scope.tracked.remove(at: i) }
    t.scopeId = 0
    return true
  }

  /// Disposes every tensor in a list.
  public func dispose(_ tensors: [Tensor]) {
    for t in tensors { t.dispose() }
  }

  /// Marks a tensor to survive every enclosing `tidy` (TF.js `tf.keep`).
  @discardableResult
  public func keep(_ t: Tensor) -> Tensor {
    t.isKept = true
    return t
  }

  // MARK: - Scopes

  /// Opens a scope: tensors created until `endScope` are tracked by it.
  public func startScope(_ name: String = "") {
    scopeCounter += 1
    if let scope = scopePool.popLast() {
      scope.id = scopeCounter
      scope.name = name
      scopes.append(scope)
    } else {
      scopes.append(Scope(id: scopeCounter, name: name))
    }
  }

  /// Returns a closed scope to the pool, emptied but keeping its capacity.
  private func recycle(_ scope: Scope) {
    scope.tracked.removeAll(keepingCapacity: scope.tracked.capacity <= 1024)
    if scopePool.count < 64 { scopePool.append(scope) }
  }

  /// Closes the innermost scope, disposing its tensors except `result` and kept ones;
  /// `result` tensors move to the enclosing scope.
  public func endScope(keeping result: [Tensor] = []) {
    guard let scope = scopes.popLast() else { return }
    if result.count <= 8 {
      for t in scope.tracked where !t.isKept && !result.contains(where: { $0 === t }) {
        t.dispose()
      }
    } else {
      let keepIds = Set(result.map(\.id))
      for t in scope.tracked where !t.isKept && !keepIds.contains(t.id) { t.dispose() }
    }
    for t in result where !t.isKept && t.scopeId == scope.id {
      track(t)
    }
    recycle(scope)
  }

  /// Closes the innermost scope keeping one tensor (the common case of an op's result).
  private func endScope(keepingOne result: Tensor) {
    guard let scope = scopes.popLast() else { return }
    for t in scope.tracked where !t.isKept && t !== result { t.dispose() }
    if !result.isKept && result.scopeId == scope.id { track(result) }
    recycle(scope)
  }

  /// True inside at least one `tidy`/`startScope`.
  public var inScope: Bool { !scopes.isEmpty }

  /// Runs `body`, then disposes the tensors it created except those it returns
  /// (a Tensor, [Tensor], [Tensor?], [String: Tensor]) or kept (TF.js `tf.tidy`).
  public func tidy<T>(_ name: String = "", _ body: () throws -> T) rethrows -> T {
    startScope(name)
    do {
      let result = try body()
      if let t = result as? Tensor {
        endScope(keepingOne: t)
      } else {
        endScope(keeping: Engine.tensors(in: result))
      }
      return result
    } catch {
      endScope()
      throw error
    }
  }

  /// The tensors inside a tidy result.
  static func tensors<T>(in value: T) -> [Tensor] {
    if T.self == Void.self { return [] }
    if let t = value as? Tensor { return [t] }
    if let ts = value as? [Tensor] { return ts }
    if let ts = value as? [Tensor?] { return ts.compactMap { $0 } }
    if let d = value as? [String: Tensor] { return Array(d.values) }
    let mirror = Mirror(reflecting: value)
    if mirror.displayStyle == .tuple {
      return mirror.children.flatMap { tensors(in: $0.value as Any) }
    }
    return []
  }

  // MARK: - Op recording

  /// Runs `body` without recording its ops on the tape (a stop-gradient region).
  public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    opDepth += 1
    defer { opDepth -= 1 }
    return try body()
  }

  /// True when ops are being recorded for gradients.
  public var isRecording: Bool { tapeDepth > 0 && opDepth == 0 }

  /// Runs a differentiable op and records it on the tape when a tape is active.
  ///
  /// Every input must be alive. Tensors the forward creates besides its result
  /// are disposed, and ops run inside a forward are not recorded.
  public func runOp(
    _ name: String, inputs: [Tensor], attrs: OpAttrs = OpAttrs(),
    forward: () throws -> Tensor
  ) throws -> Tensor {
    for t in inputs { try t.checkAlive() }
    let record = isRecording
    opDepth += 1
    defer { opDepth -= 1 }
    startScope()
    let output: Tensor
    do {
      output = try forward()
    } catch {
      endScope()
      throw error
    }
    endScope(keepingOne: output)
    if record { recordNode(name, inputs, [output], attrs) }
    return output
  }

  /// `runOp` for ops with several outputs (split, topk, unstack, ...).
  public func runOpMulti(
    _ name: String, inputs: [Tensor], attrs: OpAttrs = OpAttrs(),
    forward: () throws -> [Tensor]
  ) throws -> [Tensor] {
    for t in inputs { try t.checkAlive() }
    let record = isRecording
    opDepth += 1
    defer { opDepth -= 1 }
    startScope()
    let outputs: [Tensor]
    do {
      outputs = try forward()
    } catch {
      endScope()
      throw error
    }
    endScope(keeping: outputs)
    if record { recordNode(name, inputs, outputs, attrs) }
    return outputs
  }

  private func recordNode(
    _ name: String, _ inputs: [Tensor], _ outputs: [Tensor], _ attrs: OpAttrs
  ) {
    nodeCounter += 1
    tape.append(
      TapeNode(
        id: nodeCounter, name: name, inputs: inputs, outputs: outputs, attrs: attrs,
        savedInputs: inputs.map(savedAlias), savedOutputs: outputs.map(savedAlias)))
  }

  /// A kept, untracked tensor sharing `t`'s current buffer (survives tidy and assign).
  private func savedAlias(_ t: Tensor) -> Tensor {
    let alias = Tensor(storage: t.storage, shape: t.shape, dtype: t.dtype, track: false)
    alias.isKept = true
    return alias
  }

  /// Disposes the saved aliases of every recorded node and empties the tape.
  public func clearTape() {
    for node in tape {
      for t in node.savedInputs { t.dispose() }
      for t in node.savedOutputs { t.dispose() }
    }
    tape = []
  }
}
