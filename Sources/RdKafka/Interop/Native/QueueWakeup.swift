import CRdKafka
import Dispatch
import Synchronization

/// Wakes a thread waiting in ``wait(milliseconds:)`` when an event lands in an empty librdkafka
/// queue (`rd_kafka_queue_cb_event_enable`). Unlike waiting inside `rd_kafka_queue_poll`, the
/// thread is woken without taking the event, so it can leave it to another thread; and only a
/// thread that is actually waiting is woken (one futex wake, not one per event).
///
/// The owner calls ``disable()`` before it destroys the queue; librdkafka calls the trigger
/// under the queue's lock, so no call is running or can start once ``disable()`` returns.
final class QueueWakeup: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let waiting = Atomic<Bool>(false)
    private let queue: OpaquePointer

    init(queue: OpaquePointer) {
        self.queue = queue
        rd_kafka_queue_cb_event_enable(queue, { _, opaque in
            guard let opaque else { return }
            Unmanaged<QueueWakeup>.fromOpaque(opaque).takeUnretainedValue().signal()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    func disable() { rd_kafka_queue_cb_event_enable(queue, nil, nil) }

    /// Wakes the thread if it is waiting (also used to stop it).
    func signal() {
        if waiting.exchange(false, ordering: .sequentiallyConsistent) { semaphore.signal() }
    }

    /// Waits until an event arrives in the queue or `milliseconds` pass; returns at once when the
    /// queue is not empty. `false` on timeout.
    func wait(milliseconds: Int) -> Bool {
        waiting.store(true, ordering: .sequentiallyConsistent)
        if rd_kafka_queue_length(queue) > 0 {
            // Arrived before we were waiting. Disarm; if a trigger beat us to it, take its signal
            // so that the next wait does not return early.
            if !waiting.exchange(false, ordering: .sequentiallyConsistent) { semaphore.wait() }
            return true
        }
        if semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success { return true }
        if !waiting.exchange(false, ordering: .sequentiallyConsistent) {
            semaphore.wait()  // a trigger raced with the timeout
            return true
        }
        return false
    }
}
