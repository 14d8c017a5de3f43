import CRdKafka
import Dispatch

/// Ends librdkafka 2.0.2's fetch pause.
///
/// When the consumer queue holds `queued.min.messages`, each broker thread takes its partitions
/// off the fetch list and sleeps until something wakes it, at the latest after a second
/// (`rd_kafka_max_block_ms`); draining the queue does not wake it, so a fast loop that empties
/// the queue then waits up to a second for the next message. Any request queued for a broker
/// thread wakes it, and it re-checks the queue first. So once the queue has been near the
/// threshold and has drained to a quarter of it, this waker asks the leaders of the assignment
/// for their end offsets (`rd_kafka_offsets_for_times`: one ListOffsets per leader) from its own
/// thread, and ignores the answer. At most one request per broker per refill of the queue.
///
/// Thread-safety: ``observe(queueLength:)`` is called only by the consumer's poll thread;
/// ``stop()`` once, by close, after the poll thread has ended and before the handle closes.
final class FetchWaker: @unchecked Sendable {
    private let client: OpaquePointer
    private let high: Int
    private let low: Int
    /// The queue has been near the threshold since the last wake-up (poll thread only).
    private var armed = false
    private let condition = Condition()
    private var pending = false
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    /// Starts the waker's thread for the consumer `client` whose queue threshold is `queuedMinMessages`.
    init(client: OpaquePointer, queuedMinMessages: Int) throws(KafkaError) {
        self.client = client
        high = Swift.max(1, queuedMinMessages * 3 / 4)
        low = Swift.max(1, queuedMinMessages / 4)
        try NativeThread.start("consumer fetch wake-up") { [self] in self.loop() }
    }

    /// The poll thread saw `queueLength` messages left in the consumer queue after a take.
    @inline(__always)
    func observe(queueLength: Int) {
        if queueLength >= high {
            armed = true
        } else if armed && queueLength < low {
            armed = false
            condition.lock()
            pending = true
            condition.signal()
            condition.unlock()
        }
    }

    /// Ends the thread and waits for it (a request in flight is waited for up to its timeout).
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        done.wait()
    }

    private func loop() {
        swift_rdkafka_name_thread("rdk:sdk-wakeup")
        defer { done.signal() }
        while true {
            condition.lock()
            while !pending && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            pending = false
            condition.unlock()
            wakeLeaders()
        }
    }

    private func wakeLeaders() {
        var assignment: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR, let list = assignment else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard list.pointee.cnt > 0, let elements = list.pointee.elems else { return }
        for i in 0..<Int(list.pointee.cnt) { elements[i].offset = -1 }  // timestamp -1: the end offset
        // The request has reached the broker threads when this returns or times out; the short
        // timeout bounds how long close waits for this thread.
        _ = rd_kafka_offsets_for_times(client, list, 5)
    }
}
