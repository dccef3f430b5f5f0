// SPDX-License-Identifier: MIT
import Foundation
import TensorEngine

// Training callbacks (TF.js base_callbacks.ts, callbacks.ts): ordered logs,
// the Callback base class, a closure-based callback for bindings and the CLI,
// EarlyStopping, and the History that fit returns.

/// Numeric logs in insertion order (JavaScript object key order matters to users).
public struct Logs: CustomStringConvertible {
  /// Keys in order.
  public private(set) var keys: [String] = []
  private var values: [String: Double] = [:]

  /// Empty logs.
  public init() {}

  /// Reads or writes a key (new keys go last).
  public subscript(key: String) -> Double? {
    get { values[key] }
    set {
      if let newValue {
        if values[key] == nil { keys.append(key) }
        values[key] = newValue
      } else if values[key] != nil {
        values[key] = nil
        keys.removeAll { $0 == key }
      }
    }
  }

  /// The (key, value) pairs in order.
  public var pairs: [(key: String, value: Double)] { keys.map { ($0, values[$0]!) } }

  /// `{loss: 0.5, acc: 1}`.
  public var description: String {
    "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
  }
}

/// A training callback (TF.js `tf.Callback`); override the hooks you need.
open class Callback {
  /// The model being trained (set by fit).
  public internal(set) weak var model: LayersModel?
  /// The fit parameters (set by fit).
  public internal(set) var params = Logs()

  /// Creates a callback.
  public init() {}

  /// Before the first epoch.
  open func onTrainBegin(_ logs: Logs) throws {}
  /// After the last epoch.
  open func onTrainEnd(_ logs: Logs) throws {}
  /// Before each epoch.
  open func onEpochBegin(_ epoch: Int, _ logs: Logs) throws {}
  /// After each epoch, with the epoch's logs (`val_*` first, then `loss`, metrics).
  open func onEpochEnd(_ epoch: Int, _ logs: Logs) throws {}
  /// Before each batch, with `batch` and `size`.
  open func onBatchBegin(_ batch: Int, _ logs: Logs) throws {}
  /// After each batch, with `batch`, `size`, `loss` and metrics.
  open func onBatchEnd(_ batch: Int, _ logs: Logs) throws {}
}

/// A callback made of closures (TF.js `CustomCallback`, for `{onEpochEnd: ...}` objects).
public final class CustomCallback: Callback {
  /// Hooks; nil ones are skipped.
  public var trainBegin: ((Logs) throws -> Void)?
  /// `onTrainEnd(logs)`.
  public var trainEnd: ((Logs) throws -> Void)?
  /// `onEpochBegin(epoch, logs)`.
  public var epochBegin: ((Int, Logs) throws -> Void)?
  /// `onEpochEnd(epoch, logs)`.
  public var epochEnd: ((Int, Logs) throws -> Void)?
  /// `onBatchBegin(batch, logs)`.
  public var batchBegin: ((Int, Logs) throws -> Void)?
  /// `onBatchEnd(batch, logs)`.
  public var batchEnd: ((Int, Logs) throws -> Void)?

  override public func onTrainBegin(_ logs: Logs) throws { try trainBegin?(logs) }
  override public func onTrainEnd(_ logs: Logs) throws { try trainEnd?(logs) }
  override public func onEpochBegin(_ epoch: Int, _ logs: Logs) throws {
    try epochBegin?(epoch, logs)
  }
  override public func onEpochEnd(_ epoch: Int, _ logs: Logs) throws { try epochEnd?(epoch, logs) }
  override public func onBatchBegin(_ batch: Int, _ logs: Logs) throws {
    try batchBegin?(batch, logs)
  }
  override public func onBatchEnd(_ batch: Int, _ logs: Logs) throws { try batchEnd?(batch, logs) }
}

/// Stops training when a monitored value stops improving (TF.js `tf.callbacks.earlyStopping`).
public final class EarlyStopping: Callback {
  let monitor: String, minDelta: Double, patience: Int, baseline: Double?
  let improves: (Double, Double) -> Bool
  var wait = 0
  var best = 0.0
  /// The epoch training stopped at (0 when it ran to the end).
  public private(set) var stoppedEpoch = 0

  /// `earlyStopping({monitor = 'val_loss', minDelta = 0, patience = 0, mode = 'auto', baseline})`.
  public init(
    monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0,
    mode: String = "auto", baseline: Double? = nil, restoreBestWeights: Bool = false
  ) throws {
    if restoreBestWeights {
      throw LayersError(
        .notImplemented, "restoreBestWeights = True is not implemented in EarlyStopping yet.")
    }
    guard ["auto", "min", "max"].contains(mode) else {
      throw valueError("Invalid mode: \(mode)")
    }
    self.monitor = monitor
    self.patience = patience
    self.baseline = baseline
    let maxMode = mode == "max" || (mode == "auto" && monitor.contains("acc"))
    self.minDelta = maxMode ? Swift.abs(minDelta) : -Swift.abs(minDelta)
    improves = maxMode ? { $0 > $1 } : { $0 < $1 }
    super.init()
  }

  override public func onTrainBegin(_ logs: Logs) throws {
    wait = 0
    stoppedEpoch = 0
    best = baseline ?? (improves(0, 1) ? .infinity : -.infinity)
  }

  override public func onEpochEnd(_ epoch: Int, _ logs: Logs) throws {
    guard let current = logs[monitor] else { return }
    if improves(current - minDelta, best) {
      best = current
      wait = 0
    } else {
      wait += 1
      if wait >= patience {
        stoppedEpoch = epoch
        model?.stopTraining = true
      }
    }
  }
}

/// What `fit` returns (TF.js `History`): per-epoch logs by key, in first-seen order.
public struct History {
  /// The epoch numbers run.
  public var epoch: [Int] = []
  /// Keys in first-seen order (`val_loss`, `val_acc`, `loss`, `acc`).
  public var keys: [String] = []
  /// Values per key, one per epoch.
  public var history: [String: [Double]] = [:]
  /// The fit parameters (`epochs`, `initialEpoch`, `samples`, `steps`, `batchSize`...).
  public var params = Logs()
  /// True when an interrupt (e.g. Ctrl-C) stopped training early.
  public var interrupted = false

  mutating func record(_ e: Int, _ logs: Logs) {
    epoch.append(e)
    for (k, v) in logs.pairs {
      if history[k] == nil { keys.append(k) }
      history[k, default: []].append(v)
    }
  }
}

/// A progress event for drawing (the CLI's progress bar).
public enum FitProgress {
  /// An epoch starts: `epoch` (0-based), of `epochs`, with `batches` batches.
  case epochBegin(epoch: Int, epochs: Int, batches: Int)
  /// A batch ended with its logs.
  case batchEnd(epoch: Int, batch: Int, batches: Int, logs: Logs)
  /// An epoch ended with its logs, after `milliseconds`.
  case epochEnd(epoch: Int, epochs: Int, logs: Logs, milliseconds: Double, samples: Int)
}

// MARK: - Progress text (tfjs-node ProgbarLogger)

/// Text helpers for drawing fit progress as tfjs-node's ProgbarLogger does.
public enum ProgressText {
  /// `Epoch 3 / 10` for the 0-based epoch 2.
  public static func epochHeader(_ epoch: Int, _ epochs: Int) -> String {
    "Epoch \(epoch + 1) / \(epochs)"
  }

  /// TF.js `getSuccinctNumberDisplay`: `toFixed(2)` for 0, non-finite or |x| > 1, else
  /// `2 − floor(log10|x|)` decimals, or `toExponential(2)` when that exceeds 4.
  public static func succinctNumber(_ x: Double) -> String {
    if x == 0 || !x.isFinite || Swift.abs(x) > 1 { return jsFixed(x, 2) }
    let decimals = 2 - Int(Foundation.log10(Swift.abs(x)).rounded(.down))
    if decimals > 4 { return jsExponential(x, 2) }
    return jsFixed(x, decimals)
  }

  /// `acc=0.500 loss=0.693`: keys sorted, `batch` and `size` left out.
  public static func metrics(_ logs: Logs) -> String {
    logs.pairs.filter { $0.key != "batch" && $0.key != "size" }
      .sorted { $0.key < $1.key }
      .map { "\($0.key)=\(succinctNumber($0.value))" }
      .joined(separator: " ")
  }

  /// JavaScript `toFixed`.
  static func jsFixed(_ x: Double, _ digits: Int) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
    return String(format: "%.\(digits)f", x)
  }

  /// JavaScript `toExponential`: `5.00e-3`.
  static func jsExponential(_ x: Double, _ digits: Int) -> String {
    let s = String(format: "%.\(digits)e", x)
    guard let e = s.firstIndex(of: "e") else { return s }
    let mantissa = s[..<e]
    let exponent = Int(s[s.index(after: e)...]) ?? 0
    return "\(mantissa)e\(exponent < 0 ? "-" : "+")\(Swift.abs(exponent))"
  }
}
