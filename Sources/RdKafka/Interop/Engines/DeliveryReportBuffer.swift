#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bounded hand-off of delivery reports from the delivery thread to an `AsyncSequence`.
/// When it is full the delivery thread waits, so librdkafka's queue fills and sends wait for
/// room: memory stays bounded and nothing is dropped.
@usableFromInline
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

    /// Called by the delivery thread with one batch of reports; leaves `reports` empty. When
    /// the buffer is empty and nobody waits, the two arrays trade storage: no report is copied.
    func append(_ reports: inout [DeliveryReport]) {
        var start = 0
        while start < reports.count {
            condition.lock()
            while items.count - head >= capacity && !finished && waiters.isEmpty && !unbounded { condition.wait() }
            if finished {
                condition.unlock()
                break
            }
            // Waiting iterators get one report each, straight away; the rest is buffered.
            var woken: [(UnsafeContinuation<DeliveryReport?, Never>, DeliveryReport)] = []
            while !waiters.isEmpty, start < reports.count {
                woken.append((waiters.removeFirst().continuation, reports[start]))
                start += 1
            }
            let left = reports.count - start
            let room = unbounded ? left : max(0, min(left, capacity - (items.count - head)))
            if start == 0, room == left, head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
                swap(&items, &reports)
            } else {
                items.append(contentsOf: reports[start..<(start + room)])
                start += room
            }
            condition.unlock()
            for (waiter, report) in woken { waiter.resume(returning: report) }
        }
        reports.removeAll(keepingCapacity: true)
    }

    /// Moves every buffered report into `local`, which the iterator has emptied (trading
    /// storage, so the iterator takes no lock and copies nothing per report), and sets `index`
    /// to the one after the returned report; or waits for the next report.
    @usableFromInline
    func next(into local: inout [DeliveryReport], index: inout Int) async -> DeliveryReport? {
        condition.lock()
        if head < items.count {
            swap(&local, &items)
            let first = local[head]
            index = head + 1
            items.removeAll(keepingCapacity: true)
            head = 0
            condition.broadcast()
            condition.unlock()
            return first
        }
        condition.unlock()
        return await next()
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
