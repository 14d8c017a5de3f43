import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// Undelivered messages, flush, purge and close.
extension ProducerCore {
    // MARK: Undelivered messages

    private func copyMessage(_ message: UnsafePointer<rd_kafka_message_t>) -> KafkaProducerMessage {
        let m = message.pointee
        let timestamp = Interop.timestamp(of: message)
        return KafkaProducerMessage(
            topic: topicName(m.rkt), partition: m.partition >= 0 ? m.partition : nil,
            key: m.key.map { KafkaPayload(Array(UnsafeRawBufferPointer(start: $0, count: m.key_len))) },
            value: m.payload.map { KafkaPayload(Array(UnsafeRawBufferPointer(start: $0, count: m.len))) },
            headers: Interop.headers(of: message),
            timestamp: timestamp?.kind == .createTime ? timestamp : nil)
    }

    func collectIfPurging(_ message: UnsafePointer<rd_kafka_message_t>) {
        let collecting = undelivered.withLock { $0.collecting != nil }
        guard collecting else { return }
        let copy = copyMessage(message)
        undelivered.withLock { $0.collecting?.append(copy) }
    }

    func keepUndelivered(_ message: UnsafePointer<rd_kafka_message_t>, error: KafkaError?) {
        let collecting = undelivered.withLock { $0.collecting != nil }
        if collecting { return }  // already handed to the purge or shutdown that caused it
        let copy = copyMessage(message)
        let overflowed = undelivered.withLock { store -> Bool in
            guard store.messages.count < UndeliveredStore.limit else { store.overflow += 1; return true }
            store.messages.append(copy)
            return false
        }
        if overflowed || failedDeliveries.load(ordering: .relaxed) <= 10 {
            handle.context.log(.error, "DELIVERY", "message to \(copy.topic) not delivered: \(error?.description ?? "unknown error")"
                + (overflowed ? " (undelivered store full: message dropped)" : "; kept in takeUndelivered()"))
        }
    }

    func takeUndelivered() -> [KafkaProducerMessage] {
        undelivered.withLock { store in
            defer { store.messages = [] }
            return store.messages
        }
    }

    // MARK: Flush, purge, close

    func outstandingCount() -> Int { Int(rd_kafka_outq_len(handle.pointer)) }

    /// `rd_kafka_flush` (which serves the callbacks here) in slices of at most 100 ms, so the
    /// delivery thread and the report stream are never held off longer than that.
    func flush(timeoutMs: Int32) -> KafkaError? {
        let deadline = timeoutMs < 0 ? nil : ContinuousClock.now + .milliseconds(timeoutMs)
        while true {
            var slice: Int32 = 100
            if let deadline {
                let left = deadline - ContinuousClock.now
                slice = min(slice, left.clampedMilliseconds)
            }
            let code = servingExclusively { rd_kafka_flush(handle.pointer, slice) }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
            if let deadline, ContinuousClock.now >= deadline { break }
        }
        var error = Interop.error(RD_KAFKA_RESP_ERR__TIMED_OUT, "\(outstandingCount()) messages still not delivered when the flush timed out")
        error.fix = "wait longer, or purge and keep the undelivered messages"
        return error
    }

    /// Removes queued (and optionally in-flight) messages and returns copies of them.
    /// Raises a fatal error as a broker fencing would (`rd_kafka_test_fatal_error`): tests
    /// only; librdkafka allows it on idempotent producers.
    func injectFatalError(_ code: KafkaError.Code, reason: String) throws(KafkaError) {
        let result = rd_kafka_test_fatal_error(handle.pointer, rd_kafka_resp_err_t(rawValue: code.rawValue), reason)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw Interop.error(result, "librdkafka refused to raise a fatal error (the producer must be idempotent)") }
    }

    func purge(queued: Bool, inFlight: Bool) -> [KafkaProducerMessage] {
        undelivered.withLock { if $0.collecting == nil { $0.collecting = [] } }
        var flags: Int32 = 0
        if queued { flags |= Int32(RD_KAFKA_PURGE_F_QUEUE) }
        if inFlight { flags |= Int32(RD_KAFKA_PURGE_F_INFLIGHT) }
        _ = rd_kafka_purge(handle.pointer, flags)
        // Purged messages' reports are on the main queue now; let the delivery thread serve them.
        let deadline = ContinuousClock.now + .seconds(10)
        var quiet = 0
        while ContinuousClock.now < deadline {
            let idle = rd_kafka_queue_length(mainQueue) == 0 && !pollBusy.load(ordering: .sequentiallyConsistent)
            quiet = idle ? quiet + 1 : 0
            if quiet >= 3 && (!inFlight || outstandingCount() == 0) { break }
            Syscalls.sleep(microseconds: 2_000)
        }
        return undelivered.withLock { store in
            defer { store.collecting = nil }
            return store.collecting ?? []
        }
    }

    /// Stops new sends, then waits until no call is inside `enqueue`.
    func close() {
        isClosed.store(true, ordering: .sequentiallyConsistent)
        while callsInside.load(ordering: .sequentiallyConsistent) > 0 { Syscalls.yieldThread() }
    }

    /// Stops the delivery thread after it has served what is queued.
    func stopDeliveryThread() {
        guard !stopRequested.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // A delivery thread waiting for room in an unread report stream must not hold this up.
        reports?.stopWaitingForReaders()
        // The thread may be about to wait: keep waking it until it has seen the request.
        while threadDone.wait(timeout: .now() + .milliseconds(1)) == .timedOut { wakeup.signal() }
        reports?.finish()
        room.signal()
        serveLock.lock()
        deliveryHandlerView = nil
        deliveryHandler = nil
        errorHandler = nil
        statisticsHandler = nil
        serveLock.unlock()
    }

    var isStopped: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }
}
