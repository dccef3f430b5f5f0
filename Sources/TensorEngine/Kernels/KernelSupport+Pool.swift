// Persistent worker threads for `KernelThreading.forChunks`.
//
// `DispatchQueue.concurrentPerform` wakes its second worker late on this VM (tens of µs),
// which is as long as a whole small GEMM. These workers instead spin for a short while
// after each job (yielding the core when the machine is busy) and only then sleep, so a
// run of kernels (the layers of a network, the iterations of a benchmark) finds them
// awake. The caller takes chunks too: if no worker has woken yet, the caller simply does
// all the chunks itself, so a job never waits for a wake-up (see `PoolJob`).

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One `forChunks`/`forTasks` call. Its chunks are dealt into one contiguous block per
/// participant (the caller is participant 0, worker i is participant i): each starts on its
/// own block, in order, so repeated calls on the same data find it in the same core's
/// cache, then takes what is left of the others' blocks (a worker that starts late, or
/// not at all, loses its share instead of delaying the job).
private final class PoolJob: @unchecked Sendable {
  let done = Atomic<Int>(0)
  let chunks: Int
  let participants: Int
  /// Per block, the next unclaimed chunk.
  private let cursors: UnsafeMutablePointer<Atomic<Int>>
  /// Cleared by the caller once all chunks are done (no one can claim one after that).
  var body: ((Int) -> Void)?

  init(chunks: Int, participants: Int, body: @escaping (Int) -> Void) {
    self.chunks = chunks
    self.participants = participants
    self.body = body
    cursors = .allocate(capacity: participants)
    for p in 0..<participants {
      (cursors + p).initialize(to: Atomic(blockStart(p)))
    }
  }

  deinit {
    cursors.deinitialize(count: participants)
    cursors.deallocate()
  }

  @inline(__always)
  private func blockStart(_ p: Int) -> Int { chunks * p / participants }

  /// Runs chunks until none is left, starting with participant `home`'s block.
  func work(as home: Int) {
    for step in 0..<participants {
      let p = (home + step) % participants
      let end = blockStart(p + 1)
      while true {
        let chunk = cursors[p].wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
        if chunk >= end { break }
        body?(chunk)
        done.wrappingAdd(1, ordering: .releasing)
      }
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
      let job = PoolJob(chunks: chunks, participants: started + 1, body: body)
      condition.lock()
      current = job
      generation.wrappingAdd(1, ordering: .releasing)
      condition.broadcast()
      condition.unlock()
      job.work(as: 0)
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
      let index = started
      let thread = Thread { [unowned self] in self.workerLoop(index) }
      thread.name = "tl-kernel-worker"
      thread.start()
    }
  }

  /// The loop of worker `index` (participant `index` of every job).
  private func workerLoop(_ index: Int) {
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
      if let job, index < job.participants { job.work(as: index) }
    }
  }
}
