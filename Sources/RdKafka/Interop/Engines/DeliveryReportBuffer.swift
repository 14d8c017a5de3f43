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
    /// Batches as the delivery thread handed them over, oldest first from `firstChunk` on (the
    /// ones before are taken, dropped in bulk now and then); the first is read from `head`.
    /// Whole batches move in and out, so a report is not copied on the way.
    private var chunks: [[DeliveryReport]] = []
    private var firstChunk = 0
    private var head = 0
    /// Reports in `chunks` not yet taken.
    private var buffered = 0
    /// Emptied batches, handed back to the delivery thread so that it need not allocate.
    private var spare: [[DeliveryReport]] = []
    /// Iterators waiting for a report, first come first served: each report goes to exactly one.
    private var waiters: [(ticket: UInt64, continuation: UnsafeContinuation<DeliveryReport?, Never>)] = []
    private var nextTicket: UInt64 = 0
    private var finished = false
    /// Set when the producer shuts down: the delivery thread no longer waits for a reader that
    /// may never come (the shutdown would wait for it); reports are kept beyond the capacity.
    private var unbounded = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Called by the delivery thread with one batch of reports; leaves `reports` empty (with
    /// storage for the next batch). A batch that fits is moved in whole; one that does not (a
    /// small capacity) goes in as it fits, copied.
    func append(_ reports: inout [DeliveryReport]) {
        var start = 0
        while start < reports.count {
            condition.lock()
            while buffered >= capacity && !finished && waiters.isEmpty && !unbounded { condition.wait() }
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
            let room = unbounded ? left : max(0, min(left, capacity - buffered))
            // Iterators wait only while nothing is buffered: a batch that woke some goes in
            // whole too, read from past the reports they got.
            if left > 0, room == left, start == 0 || firstChunk == chunks.count {
                if firstChunk == chunks.count { head = start }
                var batch = spare.popLast() ?? []
                swap(&batch, &reports)
                // Room for a batch up to twice this one: growing while the delivery thread
                // fills it copied every report again.
                reports.reserveCapacity(2 * batch.count)
                chunks.append(batch)
                start = left
            } else if room > 0 {
                chunks.append(Array(reports[start..<(start + room)]))
                start += room
            }
            buffered += room
            condition.unlock()
            for (waiter, report) in woken { waiter.resume(returning: report) }
        }
        reports.removeAll(keepingCapacity: true)
    }

    /// Moves the oldest buffered batch into `local`, which the iterator has emptied (trading
    /// storage, so the iterator takes no lock and copies nothing per report), and sets `index`
    /// to the one after the returned report; or waits for the next report.
    @usableFromInline
    func next(into local: inout [DeliveryReport], index: inout Int) async -> DeliveryReport? {
        condition.lock()
        if buffered > 0 {
            swap(&local, &chunks[firstChunk])
            recycleFirstChunk()
            let first = local[head]
            index = head + 1
            buffered -= local.count - head
            head = 0
            condition.broadcast()
            condition.unlock()
            return first
        }
        condition.unlock()
        return await next()
    }

    /// Drops the first chunk, keeping its storage for the delivery thread. Under the lock.
    private func recycleFirstChunk() {
        var emptied: [DeliveryReport] = []
        swap(&emptied, &chunks[firstChunk])
        firstChunk += 1
        if firstChunk == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            firstChunk = 0
        } else if firstChunk >= 64, 2 * firstChunk >= chunks.count {
            // Shifting the unread chunks down only now and then keeps a take O(1) on average.
            chunks.removeFirst(firstChunk)
            firstChunk = 0
        }
        if spare.count < 2 {
            emptied.removeAll(keepingCapacity: true)
            spare.append(emptied)
        }
    }

    /// For tests: iterators waiting for a report, and reports buffered.
    var state: (waiting: Int, buffered: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (waiters.count, buffered)
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
                if buffered > 0 {
                    let item = chunks[firstChunk][head]
                    head += 1
                    buffered -= 1
                    if head == chunks[firstChunk].count {
                        recycleFirstChunk()
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
