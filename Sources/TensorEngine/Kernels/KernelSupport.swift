// Shared machinery for the raw kernels: splitting work over the two cores and
// reusing scratch buffers.
//
// Measured on this machine (see native-recipes.md): a 2-way
// `DispatchQueue.concurrentPerform` only pays above roughly 100-200 µs of work,
// because the second worker wakes late. `forChunks` and `forTasks` therefore run on
// persistent workers that stay awake briefly between jobs (KernelSupport+Pool.swift),
// falling back to Dispatch for nested calls. Kernels estimate their work (in
// multiply-adds, or a few units per touched element for memory-bound loops) and go
// parallel only above `KernelThreading.minimumParallelWork`.

import Dispatch
import Foundation

// MARK: - Threading

/// How kernels split work over cores.
public enum KernelThreading {
  /// Number of workers kernels split into (the machine's active core count, at most 8).
  nonisolated(unsafe) public static var workerCount: Int =
    max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

  /// Work units (about one multiply-add each; memory-bound kernels count a few per element)
  /// below which a kernel stays on one thread: ~1M multiply-adds is 30-100 µs, where a
  /// second worker starts to pay for its late wake-up.
  nonisolated(unsafe) public static var minimumParallelWork: Int = 1_000_000

  /// Splits `0..<count` into at most `workerCount` contiguous chunks and runs `body` on each,
  /// in parallel when `work` (estimated multiply-adds for the whole range) is large enough.
  /// `body` receives the worker index and its range; with one chunk it runs on the caller.
  @inline(__always)
  public static func forChunks(
    _ count: Int, work: Int, minimumChunk: Int = 1,
    _ body: (_ worker: Int, _ range: Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    var chunks = workerCount
    if work < minimumParallelWork { chunks = 1 }
    chunks = min(chunks, max(1, count / max(1, minimumChunk)))
    if chunks <= 1 {
      body(0, 0..<count)
      return
    }
    let split = chunks
    func run(_ chunk: Int) {
      let start = count * chunk / split
      let end = count * (chunk + 1) / split
      if start < end { body(chunk, start..<end) }
    }
    if !WorkerPool.shared.run(chunks: split, run) {
      // The pool is in use (a nested or concurrent call): Dispatch's workers instead.
      DispatchQueue.concurrentPerform(iterations: split, execute: run)
    }
  }

  /// Like `forChunks`, but in up to `tasksPerWorker` times more pieces, which the workers
  /// claim as they become free: when a worker starts late (asleep, or its core busy with
  /// another process) the others take over its share. `body` gets only its range (there
  /// is no per-worker index, since one worker may run several pieces).
  public static func forTasks(
    _ count: Int, work: Int, minimumChunk: Int = 1, tasksPerWorker: Int = 4,
    _ body: (_ range: Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    var tasks = workerCount * max(1, tasksPerWorker)
    if work < minimumParallelWork || workerCount <= 1 { tasks = 1 }
    tasks = min(tasks, max(1, count / max(1, minimumChunk)))
    if tasks <= 1 {
      body(0..<count)
      return
    }
    let split = tasks
    func run(_ task: Int) {
      let start = count * task / split
      let end = count * (task + 1) / split
      if start < end { body(start..<end) }
    }
    if !WorkerPool.shared.run(chunks: split, run) {
      DispatchQueue.concurrentPerform(iterations: split, execute: run)
    }
  }
}

// MARK: - Scratch buffers

/// A pool of reusable float buffers (im2col patches, partial sums), so kernels do not
/// allocate on every call. Thread-safe; buffers are returned by `withScratch`.
public final class ScratchPool: @unchecked Sendable {
  /// The process-wide pool the kernels use.
  public static let shared = ScratchPool()

  private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
  private let lock = NSLock()
  /// Buffers larger than this many floats are not kept after use.
  private let keepLimit = 16 << 20

  /// Lends a buffer of at least `count` floats (contents undefined) for the duration of `body`.
  public func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let needed = max(count, 1)
    let buffer = acquire(needed)
    defer { release(buffer) }
    return body(buffer.pointer)
  }

  private func acquire(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    lock.lock()
    defer { lock.unlock() }
    if let index = free.firstIndex(where: { $0.capacity >= count }) {
      return free.remove(at: index)
    }
    if !free.isEmpty {
      // Replace the smallest idle buffer rather than growing the pool without bound.
      let smallest = free.indices.min { free[$0].capacity < free[$1].capacity } ?? 0
      free.remove(at: smallest).pointer.deallocate()
    }
    return (UnsafeMutablePointer<Float>.allocate(capacity: count), count)
  }

  private func release(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
    lock.lock()
    defer { lock.unlock() }
    if buffer.capacity > keepLimit || free.count >= 2 * KernelThreading.workerCount + 2 {
      buffer.pointer.deallocate()
    } else {
      free.append(buffer)
    }
  }
}

// MARK: - Epilogue

/// A per-channel affine transform plus clamp applied to a kernel's output while it is still
/// in cache: `y = clamp(y * scale[c] + shift[c], lower, upper)`. It expresses a bias add
/// (`shift` only), inference batch normalization folded to scale/shift, and ReLU / ReLU6.
public struct ChannelEpilogue {
  /// Per-channel multiplier (`nil` = 1).
  public var scale: UnsafePointer<Float>?
  /// Per-channel addend (`nil` = 0).
  public var shift: UnsafePointer<Float>?
  /// Lower clamp (`-infinity` for none; 0 for ReLU).
  public var lower: Float
  /// Upper clamp (`infinity` for none; 6 for ReLU6).
  public var upper: Float

  /// Creates an epilogue; the default does nothing.
  public init(
    scale: UnsafePointer<Float>? = nil, shift: UnsafePointer<Float>? = nil,
    lower: Float = -.infinity, upper: Float = .infinity
  ) {
    self.scale = scale
    self.shift = shift
    self.lower = lower
    self.upper = upper
  }

  /// True when applying it would change nothing.
  public var isIdentity: Bool {
    scale == nil && shift == nil && lower == -.infinity && upper == .infinity
  }

  /// Applies the epilogue to `rows` rows of `channels` contiguous values.
  public func apply(_ data: UnsafeMutablePointer<Float>, rows: Int, channels: Int) {
    if isIdentity { return }
    let lo = lower
    let hi = upper
    for r in 0..<rows {
      let row = data + r * channels
      switch (scale, shift) {
      case let (s?, b?):
        for c in 0..<channels { row[c] = Swift.min(Swift.max(row[c] * s[c] + b[c], lo), hi) }
      case let (s?, nil):
        for c in 0..<channels { row[c] = Swift.min(Swift.max(row[c] * s[c], lo), hi) }
      case let (nil, b?):
        for c in 0..<channels { row[c] = Swift.min(Swift.max(row[c] + b[c], lo), hi) }
      case (nil, nil):
        for c in 0..<channels { row[c] = Swift.min(Swift.max(row[c], lo), hi) }
      }
    }
  }
}

// MARK: - Vector row helpers

/// `dst[i] += a[i] * b[i]` for `count` floats, eight lanes at a time.
@inline(__always)
func rowMultiplyAdd(
  _ dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  _ count: Int
) {
  var i = 0
  while i + 8 <= count {
    let d = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
    let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
    let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(dst + i).storeBytes(of: d + x * y, as: SIMD8<Float>.self)
    i += 8
  }
  while i < count {
    dst[i] += a[i] * b[i]
    i += 1
  }
}

/// `dst[i] += a[i]` for `count` floats.
@inline(__always)
func rowAdd(_ dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ count: Int) {
  var i = 0
  while i + 8 <= count {
    let d = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
    let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(dst + i).storeBytes(of: d + x, as: SIMD8<Float>.self)
    i += 8
  }
  while i < count {
    dst[i] += a[i]
    i += 1
  }
}

/// The output positions `lo..<hi` along one axis whose input coordinate
/// `o·stride - pad + tap` lies inside `0..<inSize`.
@inline(__always)
func validOutputRange(tap: Int, stride: Int, pad: Int, inSize: Int, outSize: Int) -> Range<Int> {
  // o·stride ≥ pad - tap  and  o·stride ≤ inSize - 1 + pad - tap
  let lo = max(0, ceilDiv(pad - tap, stride))
  let top = inSize - 1 + pad - tap
  let hi = top < 0 ? 0 : min(outSize, top / stride + 1)
  return lo < hi ? lo..<hi : lo..<lo
}

