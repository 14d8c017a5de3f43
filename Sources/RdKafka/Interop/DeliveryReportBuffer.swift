import Foundation

/// A bounded hand-off of delivery reports from the delivery thread to an `AsyncSequence`.
/// When it is full the delivery thread waits, so librdkafka's queue fills and sends wait for
/// room: memory stays bounded and nothing is dropped.
final class DeliveryReportBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [DeliveryReport] = []
    private var head = 0
    private var waiter: UnsafeContinuation<DeliveryReport?, Never>?
    private var finished = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Called by the delivery thread.
    func append(_ reports: [DeliveryReport]) {
        var pending = reports[...]
        while !pending.isEmpty {
            condition.lock()
            if let waiter {
                self.waiter = nil
                condition.unlock()
                waiter.resume(returning: pending.removeFirst())
                continue
            }
            while items.count - head >= capacity && !finished { condition.wait() }
            if finished {
                condition.unlock()
                return
            }
            let room = capacity - (items.count - head)
            items.append(contentsOf: pending.prefix(room))
            pending = pending.dropFirst(room)
            condition.unlock()
        }
    }

    func next() async -> DeliveryReport? {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<DeliveryReport?, Never>) in
            condition.lock()
            if head < items.count {
                let item = items[head]
                head += 1
                if head > 4096 && head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
                condition.signal()
                condition.unlock()
                continuation.resume(returning: item)
            } else if finished {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                waiter = continuation
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
