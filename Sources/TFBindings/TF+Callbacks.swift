// Training callbacks from scripts and fit's progress output.
//
// `callbacks` in fit's options is a callback object (`{onEpochEnd: (epoch,
// logs) => ..., onBatchEnd, onTrainBegin, ...}`), an instance of a script
// class extending `tf.Callback` (given `this.model` and `this.params`), a
// `tf.CustomCallback`, a `tf.callbacks.*` object, or an array of them. Script hooks run in TF.js's order with TF.js's
// arguments and their results are awaited, so async hooks finish before
// training goes on (`onEpochEnd: console.log` works as in Node).
//
// Progress (verbose 1, tfjs-node's ProgbarLogger): on a terminal a live line
// per epoch (bar, batches, elapsed, ETA, metrics), redrawn in place; into a
// pipe or file one plain line per epoch; nothing with `verbose: 0`.

import Foundation
import ScriptCore
import TensorEngine
import TensorLayers

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An output whose stdout may be a terminal (the CLI's streams conform): fit draws a
/// live progress line there. Outputs that do not conform get plain lines.
public protocol TerminalAwareOutput: OutputSink {
  /// True when stdout is a terminal.
  var stdoutIsTerminal: Bool { get }
  /// Pushes buffered output out (the live line has no newline).
  func flush()
}

/// The hooks of a script callback object (nil ones are skipped); a `tf.Callback` instance
/// also gets `model` and `params` before training starts.
final class ScriptCallback: Callback {
  var publishParams: ((Logs) -> Void)?
  var trainBegin: (() throws -> Void)?
  var trainEnd: (() throws -> Void)?
  var epochBegin: ((Int) throws -> Void)?
  var epochEnd: ((Int, Logs) throws -> Void)?
  var batchBegin: ((Int, Logs) throws -> Void)?
  var batchEnd: ((Int, Logs) throws -> Void)?

  override func onTrainBegin(_ logs: Logs) throws {
    publishParams?(params)
    try trainBegin?()
  }
  override func onTrainEnd(_ logs: Logs) throws { try trainEnd?() }
  override func onEpochBegin(_ epoch: Int, _ logs: Logs) throws { try epochBegin?(epoch) }
  override func onEpochEnd(_ epoch: Int, _ logs: Logs) throws { try epochEnd?(epoch, logs) }
  override func onBatchBegin(_ batch: Int, _ logs: Logs) throws { try batchBegin?(batch, logs) }
  override func onBatchEnd(_ batch: Int, _ logs: Logs) throws { try batchEnd?(batch, logs) }
}

/// A `tf.callbacks.*` object in a script.
final class CallbackObject: JSObject {
  let callback: Callback
  init(prototype: JSObject?, callback: Callback) {
    self.callback = callback
    super.init(prototype: prototype)
  }
  override var className: String {
    callback is EarlyStopping ? "EarlyStopping" : "Callback"
  }
}

extension TFContext {
  // MARK: - tf.callbacks

  var callbackEntries: [NativeEntry] {
    [
      .function("earlyStopping", arity: 1) { [self] call in
        let o = try Options(
          call.interpreter, call.arguments[0],
          keys: [
            "monitor", "minDelta", "patience", "verbose", "mode", "baseline",
            "restoreBestWeights",
          ],
          function: "earlyStopping")
        try o.rejectUnknown()
        let cb = try engineCall {
          try EarlyStopping(
            monitor: try o.string("monitor") ?? "val_loss",
            minDelta: try o.number("minDelta", default: 0),
            patience: try o.int("patience", default: 0), mode: try o.string("mode") ?? "auto",
            baseline: try o.optionalNumber("baseline"),
            restoreBestWeights: o.flag("restoreBestWeights"))
        }
        return .object(CallbackObject(prototype: layersState.callbackPrototype, callback: cb))
      }
    ]
  }

  /// Methods of `tf.callbacks.*` objects.
  var callbackMethods: [NativeEntry] { [] }

  /// `tf.Callback` (for `class MyCallback extends tf.Callback { onEpochEnd(epoch, logs) {} }`)
  /// and `tf.CustomCallback({onEpochEnd, ...})`. fit sets `model` and `params` on them, as
  /// TF.js's `setModel`/`setParams` do.
  func installCallbackClasses(into ns: JSObject) {
    let proto = layersState.scriptCallbackPrototype
    func make(_ name: String, copyingHooks: Bool) -> NativeFunction {
      let ctor = NativeFunction(
        prototype: realm.functionPrototype, name: name, arity: copyingHooks ? 1 : 0,
        construct: { interp, args, newTarget in
          let p = try interp.get(.object(newTarget), "prototype").asObject ?? proto
          let instance = JSObject(prototype: p)
          if copyingHooks, case .object(let config) = args[0] {
            for key in config.ownKeys() where config.ownProperty(key)?.enumerable == true {
              instance.put(key, try interp.get(args[0], key))
            }
          }
          return .object(instance)
        },
        body: { _ in
          throw ScriptThrow.typeError("Class constructor \(name) cannot be invoked without 'new'")
        })
      return ctor
    }
    let callback = make("Callback", copyingHooks: false)
    callback.defineOwn("prototype", Property(.object(proto), enumerable: false, writable: false))
    proto.defineOwn("constructor", Property(.object(callback), enumerable: false))
    let custom = make("CustomCallback", copyingHooks: true)
    let customProto = JSObject(prototype: proto)
    custom.defineOwn(
      "prototype", Property(.object(customProto), enumerable: false, writable: false))
    customProto.defineOwn("constructor", Property(.object(custom), enumerable: false))
    ns.put("Callback", .object(callback))
    ns.put("CustomCallback", .object(custom))
  }

  // MARK: - fit's callbacks option

  /// The callbacks of fit's `callbacks` option; `model` is the model object being trained.
  func fitCallbacks(_ interp: Interpreter, _ v: Value, model: Value) throws -> [Callback] {
    switch v {
    case .undefined, .null: return []
    case .object(let list as JSArray):
      return try list.elements.map { try oneCallback(interp, $0, model) }
    default: return [try oneCallback(interp, v, model)]
    }
  }

  private func oneCallback(_ interp: Interpreter, _ v: Value, _ model: Value) throws -> Callback {
    switch v {
    case .object(let c as CallbackObject): return c.callback
    case .object(let f) where f is JSFunction:
      throw argumentError(
        "fit: a callback must be an object of hooks, e.g. {onEpochEnd: (epoch, logs) => ...}, "
          + "not a bare function")
    case .object: return try scriptCallback(interp, v, model)
    default:
      throw argumentError(
        "fit: callbacks must be objects like {onEpochEnd: (epoch, logs) => ...}, but got "
          + "'\(Arguments.describeKind(v))'")
    }
  }

  /// A CustomCallback whose hooks call the object's functions and await their results.
  private func scriptCallback(_ interp: Interpreter, _ config: Value, _ model: Value) throws
    -> Callback
  {
    let cb = ScriptCallback()
    if case .object(let o) = config, inherits(o, from: layersState.scriptCallbackPrototype) {
      cb.publishParams = { [self] params in
        o.put("model", model)
        o.put("params", paramsValue(params, (model.asObject as? ModelObject)?.model))
      }
    }
    func hook(_ name: String) throws -> Value? {
      let f = try interp.get(config, name)
      if f.isNullish { return nil }
      guard case .object(let o) = f, o is JSFunction else {
        throw argumentError("fit: callback hook '\(name)' must be a function")
      }
      return f
    }
    func run(_ f: Value, _ args: [Value]) throws {
      let r = try interp.call(f, this: config, args)
      _ = try interp.awaitResult(r)
    }
    if let f = try hook("onTrainBegin") { cb.trainBegin = { try run(f, [.undefined]) } }
    if let f = try hook("onTrainEnd") { cb.trainEnd = { try run(f, [.undefined]) } }
    if let f = try hook("onEpochBegin") {
      cb.epochBegin = { e in try run(f, [.number(Double(e)), .undefined]) }
    }
    if let f = try hook("onEpochEnd") {
      cb.epochEnd = { [self] e, logs in try run(f, [.number(Double(e)), logsValue(logs)]) }
    }
    if let f = try hook("onBatchBegin") {
      cb.batchBegin = { [self] b, logs in try run(f, [.number(Double(b)), logsValue(logs)]) }
    }
    if let f = try hook("onBatchEnd") {
      cb.batchEnd = { [self] b, logs in try run(f, [.number(Double(b)), logsValue(logs)]) }
    }
    return cb
  }

  private func inherits(_ o: JSObject, from proto: JSObject) -> Bool {
    var p = o.prototype
    while let q = p {
      if q === proto { return true }
      p = q.prototype
    }
    return false
  }

  /// Logs as a plain object in key order.
  func logsValue(_ logs: Logs) -> Value {
    object(logs.pairs.map { ($0.key, .number($0.value)) })
  }
}

// MARK: - Progress output

/// Draws fit's progress (verbose ≥ 1) on the interpreter's stdout: a callback placed
/// before the user's, as tfjs-node's ProgbarLogger is.
final class ProgbarLogger: Callback {
  private let output: OutputSink
  private let live: Bool
  private var epochStart = Date()
  private var lastDraw = Date.distantPast
  private var batches = 0
  private var drewLine = false

  /// A logger, or nil for `verbose: 0`. `live` (a terminal) redraws one line in place.
  init?(output: OutputSink, verbose: Int) {
    guard verbose >= 1 else { return nil }
    self.output = output
    live = (output as? TerminalAwareOutput)?.stdoutIsTerminal ?? false
    super.init()
  }

  private var epochs: Int { Int(params["epochs"] ?? 0) }

  override func onEpochBegin(_ epoch: Int, _ logs: Logs) throws {
    epochStart = Date()
    lastDraw = .distantPast
    let samples = Int(params["samples"] ?? 0)
    let batchSize = max(1, Int(params["batchSize"] ?? 1))
    batches = (samples + batchSize - 1) / batchSize
    if live { write(ProgressText.epochHeader(epoch, epochs) + "\n") }
  }

  override func onBatchEnd(_ batch: Int, _ logs: Logs) throws {
    guard live else { return }
    let now = Date()
    if now.timeIntervalSince(lastDraw) < 0.1 && batch + 1 < batches { return }
    lastDraw = now
    var line = ProgbarLogger.liveLine(
      batch: batch, batches: batches, elapsed: now.timeIntervalSince(epochStart), logs: logs)
    // A line longer than the terminal wraps, and `\r` could then not redraw it in place.
    if let columns = terminalColumns(), line.count >= columns {
      line = String(line.prefix(max(1, columns - 1)))
    }
    write("\r\u{1B}[K" + line)
    drewLine = true
  }

  override func onEpochEnd(_ epoch: Int, _ logs: Logs) throws {
    let ms = Date().timeIntervalSince(epochStart) * 1000
    let summary = ProgbarLogger.epochSummary(milliseconds: ms, batches: batches, logs: logs)
    if live {
      write((drewLine ? "\r\u{1B}[K" : "") + summary + "\n")
      drewLine = false
    } else {
      write(ProgressText.epochHeader(epoch, epochs) + " - " + summary + "\n")
    }
  }

  /// The width of the terminal on stdout, if it reports one.
  private func terminalColumns() -> Int? {
    var size = winsize()
    guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }

  private func write(_ text: String) {
    output.write(text, to: .stdout)
    (output as? TerminalAwareOutput)?.flush()
  }

  /// `[=========>          ] 12/25 1.2s eta=1.3s acc=0.500 loss=0.693`.
  static func liveLine(batch: Int, batches: Int, elapsed: Double, logs: Logs) -> String {
    let width = 30
    let done = batch + 1
    let filled = batches > 0 ? min(width, done * width / batches) : width
    let bar =
      String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? ">" : "")
      + String(repeating: " ", count: width - filled)
    let eta = done > 0 ? elapsed / Double(done) * Double(max(0, batches - done)) : 0
    var line = "[\(bar)] \(done)/\(batches) \(seconds(elapsed)) eta=\(seconds(eta))"
    let metrics = ProgressText.metrics(logs)
    if !metrics.isEmpty { line += " " + metrics }
    return line
  }

  /// tfjs-node's end-of-epoch text: `812ms 32480us/step - acc=0.950 loss=0.210`.
  static func epochSummary(milliseconds: Double, batches: Int, logs: Logs) -> String {
    let perStep = batches > 0 ? Int((milliseconds * 1000 / Double(batches)).rounded()) : 0
    var text = "\(Int(milliseconds.rounded()))ms \(perStep)us/step"
    let metrics = ProgressText.metrics(logs)
    if !metrics.isEmpty { text += " - " + metrics }
    return text
  }

  private static func seconds(_ s: Double) -> String {
    String(format: "%.1fs", s)
  }
}
