#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bounded hand-off of delivery reports from the delivery thread to an `AsyncSequence`.
/// When it is full the delivery thread waits, so librdkafka's queue fills and sends wait for
/// room: memory stays bounded and nothing is dropped.
final class DeliveryReportBuffer: @unchecked Sendable {
    private let condition = Condition()
    private var items: [DeliveryReport] = []
    private var head = 0
    /// Iterators waiting for a report, first come first served: each report goes to exactly one.
    private var waiters: [(ticket: UInt64, continuation: UnsafeContinuation<DeliveryReport?, Never>)] = []
    private var nextTicket: UInt64 = 0
    private var finished = false
    /// Set when the producer shuts down: the delivery thread no longer waits for a reader that
    /// may never come (the shutdown would wait for it); reports are kept beyond the capacity.
    private var unbounded = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Called by the delivery thread with one batch of reports.
    func append(_ reports: [DeliveryReport]) {
        var pending = reports[...]
        while !pending.isEmpty {
            condition.lock()
            while items.count - head >= capacity && !finished && waiters.isEmpty && !unbounded { condition.wait() }
            if finished {
                condition.unlock()
                return
            }
            let room = unbounded ? pending.count : capacity - (items.count - head)
            // Waiting iterators get one report each, straight away; the rest is buffered.
            var woken: [(UnsafeContinuation<DeliveryReport?, Never>, DeliveryReport)] = []
            while !waiters.isEmpty, let first = pending.first {
                woken.append((waiters.removeFirst().continuation, first))
                pending = pending.dropFirst()
            }
            items.append(contentsOf: pending.prefix(room))
            pending = pending.dropFirst(room)
            condition.unlock()
            for (waiter, report) in woken { waiter.resume(returning: report) }
        }
    }

    /// Moves every buffered report into `local` (so the iterator takes no lock per report),
    /// or waits for the next one.
    func next(into local: inout [DeliveryReport]) async -> DeliveryReport? {
        if let first = takeAll(into: &local) { return first }
        return await next()
    }

    private func takeAll(into local: inout [DeliveryReport]) -> DeliveryReport? {
        condition.lock()
        if head < items.count {
            let first = items[head]
            local.append(contentsOf: items[(head + 1)...])
            items.removeAll(keepingCapacity: true)
            head = 0
            condition.broadcast()
            condition.unlock()
            return first
        }
        condition.unlock()
        return nil
    }

    /// The next report, `nil` once the producer has shut down or when the task is cancelled.
    func next() async -> DeliveryReport? {
        condition.lock()
        let ticket = nextTicket
        nextTicket += 1
        condition.unlock()
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<DeliveryReport?, Never>) in
                condition.lock()
                if head < items.count {
                    let item = items[head]
                    head += 1
                    if head == items.count {
                        items.removeAll(keepingCapacity: true)
                        head = 0
                    }
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: item)
                } else if finished || Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiters.append((ticket, continuation))
                    condition.broadcast()
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let index = waiters.firstIndex { $0.ticket == ticket }
            let waiter = index.map { waiters.remove(at: $0).continuation }
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }

    func stopWaitingForReaders() {
        condition.lock()
        unbounded = true
        condition.broadcast()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        let waiting = waiters
        waiters = []
        condition.broadcast()
        condition.unlock()
        for waiter in waiting { waiter.continuation.resume(returning: nil) }
    }
}
