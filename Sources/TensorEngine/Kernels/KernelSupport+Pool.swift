// Persistent worker threads for `KernelThreading.forChunks`.
//
// `DispatchQueue.concurrentPerform` wakes its second worker late on this VM (tens of µs),
// which is as long as a whole small GEMM. These workers instead spin for a short while
// after each job (yielding the core when the machine is busy) and only then sleep, so a
// run of kernels (the layers of a network, the iterations of a benchmark) finds them
// awake. The caller takes chunks too, from the same counter: if no worker has woken yet,
// the caller simply does all the chunks itself, so a job never waits for a wake-up.

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One `forChunks` call: its chunks are claimed from `next` by the caller and the workers.
private final class PoolJob: @unchecked Sendable {
  let next = Atomic<Int>(0)
  let done = Atomic<Int>(0)
  let chunks: Int
  /// Cleared by the caller once all chunks are done (no worker can claim one after that).
  var body: ((Int) -> Void)?

  init(chunks: Int, body: @escaping (Int) -> Void) {
    self.chunks = chunks
    self.body = body
  }

  /// Claims and runs chunks until none is left.
  @inline(__always)
  func work() {
    while true {
      let chunk = next.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
      if chunk >= chunks { return }
      body?(chunk)
      done.wrappingAdd(1, ordering: .releasing)
    }
  }
}

/// Worker threads (one fewer than `KernelThreading.workerCount`) that run `forChunks` jobs.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()

  /// How long a worker stays awake after a job, waiting for the next one.
  nonisolated(unsafe) static var spinNanoseconds: UInt64 = 200_000

  private let busy = Atomic<Bool>(false)
  private let generation = Atomic<Int>(0)
  private let condition = NSCondition()
  /// The current job; read and written under `condition`.
  private var current: PoolJob?
  private var started = 0

  private init() {}

  /// Runs `body(0..<chunks)` on the caller and the workers; false (nothing run) when the
  /// pool is already running a job.
  func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else { return false }
    defer { busy.store(false, ordering: .releasing) }
    ensureWorkers(KernelThreading.workerCount - 1)
    withoutActuallyEscaping(body) { body in
      let job = PoolJob(chunks: chunks, body: body)
      condition.lock()
      current = job
      generation.wrappingAdd(1, ordering: .releasing)
      condition.broadcast()
      condition.unlock()
      job.work()
      var spins = 0
      while job.done.load(ordering: .acquiring) < chunks {
        spins += 1
        if spins > 2000 { sched_yield() }
      }
      job.body = nil
      condition.lock()
      current = nil
      condition.unlock()
    }
    return true
  }

  private func ensureWorkers(_ count: Int) {
    while started < count {
      started += 1
      let thread = Thread { [unowned self] in self.workerLoop() }
      thread.name = "tl-kernel-worker"
      thread.start()
    }
  }

  private func workerLoop() {
    var seen = generation.load(ordering: .acquiring)
    while true {
      // Wait for a new job: spin (yielding) for a while, then sleep.
      let start = DispatchTime.now().uptimeNanoseconds
      var spins = 0
      while generation.load(ordering: .acquiring) == seen {
        spins += 1
        if spins & 255 == 0 {
          if DispatchTime.now().uptimeNanoseconds - start > WorkerPool.spinNanoseconds {
            condition.lock()
            while generation.load(ordering: .acquiring) == seen { condition.wait() }
            condition.unlock()
            break
          }
          sched_yield()
        }
      }
      condition.lock()
      seen = generation.load(ordering: .acquiring)
      let job = current
      condition.unlock()
      job?.work()
    }
  }
}
