#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Wakes senders waiting for room in librdkafka's producer queue. Whoever serves delivery
/// reports signals after each serving call, per report while ``hasWaiters``, and the delivery
/// thread on every idle poll, so waits are woken by events, not by a sleep loop.
final class RoomSignal: @unchecked Sendable {
    let generation = Atomic<UInt64>(0)
    private let condition = Condition()
    /// Waiting tasks by ticket, so that a cancelled one can be taken out.
    private var waiters: [UInt64: UnsafeContinuation<Void, any Error>] = [:]
    private let nextTicket = Atomic<UInt64>(0)
    /// Senders inside ``wait(after:)`` or ``waitBlocking(after:until:)``.
    private let waiting = Atomic<Int>(0)

    /// Whether a sender waits: one relaxed load, cheap enough to ask per delivery report.
    var hasWaiters: Bool { waiting.load(ordering: .relaxed) > 0 }

    func signal() {
        generation.add(1, ordering: .sequentiallyConsistent)
        condition.lock()
        // Resumed under the lock that `wait` takes again afterwards, so ThreadSanitizer sees the
        // hand-off (the runtime's own, when the resume beats the suspension, it cannot see).
        for waiter in waiters.values { waiter.resume() }
        waiters.removeAll(keepingCapacity: true)
        condition.broadcast()
        condition.unlock()
    }

    var current: UInt64 { generation.load(ordering: .sequentiallyConsistent) }

    /// Returns once the generation has moved past `seen`.
    /// - Throws: `CancellationError` as soon as the task is cancelled.
    func wait(after seen: UInt64) async throws {
        waiting.add(1, ordering: .sequentiallyConsistent)
        defer { waiting.subtract(1, ordering: .sequentiallyConsistent) }
        let ticket = nextTicket.add(1, ordering: .relaxed).oldValue
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                condition.lock()
                // Checked under the lock: a cancel that came before this line found no waiter.
                if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if generation.load(ordering: .sequentiallyConsistent) != seen {
                    condition.unlock()
                    continuation.resume()
                    return
                }
                waiters[ticket] = continuation
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            let waiter = waiters.removeValue(forKey: ticket)
            condition.unlock()
            waiter?.resume(throwing: CancellationError())
        }
        synchronize()
    }

    /// Takes and drops the lock: orders this thread after the `signal` that resumed it.
    private func synchronize() {
        condition.lock()
        condition.unlock()
    }

    /// Blocks the calling thread until the generation moves past `seen` or `deadline` passes.
    func waitBlocking(after seen: UInt64, until deadline: ContinuousClock.Instant) {
        waiting.add(1, ordering: .sequentiallyConsistent)
        defer { waiting.subtract(1, ordering: .sequentiallyConsistent) }
        condition.lock()
        defer { condition.unlock() }
        while generation.load(ordering: .sequentiallyConsistent) == seen, ContinuousClock.now < deadline {
            condition.wait(milliseconds: 100)
        }
    }
}
