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
    private var waiter: UnsafeContinuation<DeliveryReport?, Never>?
    private var finished = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Called by the delivery thread with one batch of reports.
    func append(_ reports: [DeliveryReport]) {
        var pending = reports[...]
        while !pending.isEmpty {
            condition.lock()
            while items.count - head >= capacity && !finished && waiter == nil { condition.wait() }
            if finished {
                condition.unlock()
                return
            }
            let room = capacity - (items.count - head)
            var first: DeliveryReport?
            let woken = waiter
            if woken != nil {
                waiter = nil
                first = pending.removeFirst()
            }
            items.append(contentsOf: pending.prefix(room))
            pending = pending.dropFirst(room)
            condition.unlock()
            if let woken, let first { woken.resume(returning: first) }
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

    func next() async -> DeliveryReport? {
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
            } else if finished {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                waiter = continuation
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    func finish() {
        condition.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }
}
