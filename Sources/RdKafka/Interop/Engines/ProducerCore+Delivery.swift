import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// The delivery thread and librdkafka's callbacks: reports, client errors, statistics.
extension ProducerCore {
    // MARK: Delivery thread

    func deliveryLoop() {
        swift_rdkafka_name_thread("rdk:sdk-deliver")  // visible in top, perf, gdb
        defer { threadDone.signal() }
        while true {
            if failing.load(ordering: .relaxed) { purgeWhileFailing() }
            let stopping = stopRequested.load(ordering: .sequentiallyConsistent)
            // While a producing thread serves reports itself (see serveInline), stay out of its
            // way: reports freed on the thread that allocated the messages are much cheaper, and
            // two threads taking turns cost a context switch per event. Look again in 5 ms.
            if !stopping && isProducerServing() {
                Syscalls.sleep(microseconds: 5_000)
                continue
            }
            if rd_kafka_queue_length(mainQueue) > 0 {
                servingExclusively { _ = rd_kafka_poll(handle.pointer, 0) }
                continue
            }
            if stopping { return }
            // Woken when an event lands in the empty queue; an idle wake-up lets senders that
            // wait for room look at their deadlines.
            if !wakeup.wait(milliseconds: 100) { room.signal() }
        }
    }

    private func isProducerServing() -> Bool {
        let last = lastInlineServe.load(ordering: .relaxed)
        return last != 0 && DispatchTime.now().uptimeNanoseconds &- last < 5_000_000
    }

    /// Whether a blocking send with `id` serves ready reports now: every 1,024th, and on each
    /// send after a try that found another thread serving. Trying again only 1,024 sends later
    /// missed every time when those took longer than the delivery thread stays away (it
    /// resumes serving 5 ms after a try).
    @inline(__always)
    func shouldServeInline(_ id: UInt64) -> Bool {
        id & 1023 == 0 || inlineServeWanted.load(ordering: .relaxed)
    }

    /// Serves ready callbacks on the calling (producing) thread, as a C producer calling
    /// `rd_kafka_poll` does, waiting up to `timeoutMs` for the first. Returns at once, and
    /// `false`, when another thread is serving (or this one may not); `true` once it polled.
    @discardableResult
    func serveInline(timeoutMs: Int32) -> Bool {
        // Not with the report stream on: a full stream buffer blocks whoever serves, and the
        // stream's reader may be the very task that is producing.
        guard reports == nil, !stopRequested.load(ordering: .relaxed) else { return false }
        // Before the lock: if the delivery thread holds it, this makes it leave the serving to
        // us once its current call returns (else the two would take turns).
        lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        guard serveLock.tryLock() else {
            inlineServeWanted.store(true, ordering: .relaxed)
            return false
        }
        if inlineServeWanted.load(ordering: .relaxed) { inlineServeWanted.store(false, ordering: .relaxed) }
        serving { _ = rd_kafka_poll(handle.pointer, timeoutMs) }
        lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        releaseServeLock()
        return true
    }

    /// Runs a librdkafka call that may call the delivery, error and statistics callbacks on
    /// this thread; the caller holds `serveLock`, and wakes senders waiting for room once it
    /// has let go of it. Afterwards hands the stream what is left.
    private func serving<T>(_ body: () -> T) -> T {
        servingThread.withLock { $0 = .current }
        defer { servingThread.withLock { $0 = nil } }
        pollBusy.store(true, ordering: .sequentiallyConsistent)
        let result = body()
        if let reports, !streamed.isEmpty {
            reports.append(&streamed)
        }
        pollBusy.store(false, ordering: .sequentiallyConsistent)
        return result
    }

    /// ``serving(_:)`` under `serveLock`, for the delivery thread and for calls that serve
    /// callbacks on an app's thread (flush, commit and abort of a transaction).
    func servingExclusively<T>(_ body: () -> T) -> T {
        serveLock.lock()
        let result = serving(body)
        releaseServeLock()
        return result
    }

    /// Senders waiting for room wake after the lock is free: a blocking sender that found it
    /// held tries to serve again then (woken before, it found the lock still held and waited
    /// for the next report, which the delivery thread then served: it never served while the
    /// queue was full).
    private func releaseServeLock() {
        serveLock.unlock()
        room.signal()
    }

    func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        if let name = topicNames[rkt] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        topicNames[rkt] = name
        return name
    }

    /// The delivery callback (`dr_msg_cb`): once per message, inside ``serving(_:)``.
    /// librdkafka frees the message when this returns.
    func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        let failed = code != RD_KAFKA_RESP_ERR_NO_ERROR
        if failed {
            failedDeliveries.add(1, ordering: .relaxed)
            collectIfPurging(message)
        } else if failing.load(ordering: .relaxed) {
            securityFailureOver()  // a broker took it
        }
        // The queue is full only while senders wait: room now, not at the end of a long flush.
        if room.hasWaiters { room.signal() }
        let opaque = DeliveryOpaque.decode(message.pointee._private)
        switch opaque {
        case .callback(let record):
            // Awaited and callback sends always carry their latency.
            fillSlot(message, code, failed: failed, messageID: 0, latency: true)
            DeliveryOpaque.complete(record, &slot)
            return
        case .pending(let pending):
            fillSlot(message, code, failed: failed, messageID: 0, latency: true)
            if pending.takeRetainedValue().complete(slot) { return }
            // A cancelled send's report goes where fire-and-forget reports go.
            handOver(&slot, message)
            return
        case .id, .none:
            break
        }
        guard deliveryHandlerView != nil || reports != nil || failed else { return }
        fillSlot(message, code, failed: failed, messageID: opaque.messageID, latency: measuresLatency)
        handOver(&slot, message)
    }

    /// Refills the one report every delivery is lent in (inout, or borrowed by a callback): a
    /// new report per message, copied into the call and destroyed, cost about 300 instructions
    /// a message more (callgrind).
    @inline(__always)
    private func fillSlot(
        _ message: UnsafePointer<rd_kafka_message_t>, _ code: rd_kafka_resp_err_t, failed: Bool, messageID: UInt64, latency: Bool
    ) {
        let rkt = message.pointee.rkt
        if rkt != slotTopic {
            slot.topic = topicName(rkt)
            slotTopic = rkt
        }
        slot.partition = message.pointee.partition
        slot.offset = Interop.offset(message.pointee.offset)
        slot.timestamp = Interop.timestamp(of: message)
        slot.messageID = messageID
        if latency {
            slot.latencyMicroseconds = rd_kafka_message_latency(message)
        } else if slot.latencyMicroseconds != nil {
            slot.latencyMicroseconds = nil
        }
        // `failure`, not `error`: reading `error` builds an optional KafkaError to compare.
        if failed || slot.failure != nil { slot.error = failed ? deliveryError(code) : nil }
    }

    /// Gives a fire-and-forget report to the handler and the stream; without either, a failed
    /// message is kept for ``takeUndelivered()``.
    @inline(__always)
    private func handOver(_ report: inout DeliveryReport, _ message: UnsafePointer<rd_kafka_message_t>) {
        guard let deliveryHandler = deliveryHandlerView else {
            if reports != nil {
                streamed.append(report)
            } else if !report.isDelivered {
                keepUndelivered(message, error: report.error)
            }
            return
        }
        deliveryHandler._withUnsafeGuaranteedRef { $0.call(report) }
        if reports != nil { streamed.append(report) }
    }

    private func deliveryError(_ code: rd_kafka_resp_err_t) -> KafkaError {
        var error = Interop.error(code)
        if code == RD_KAFKA_RESP_ERR__PURGE_QUEUE || code == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT {
            if let security = securityError.withLock({ $0 }) {
                error = security
                error.message = "not delivered: \(security.message)"
            } else {
                error.message = code == RD_KAFKA_RESP_ERR__PURGE_QUEUE
                    ? "purged from the producer queue before it was sent"
                    : "purged while in flight: the broker may or may not have written it"
            }
        } else if code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, let invalid = partitionerError() {
            error.message = invalid.message
            error.fix = invalid.fix
        } else if code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT {
            error.message = "not delivered within message.timeout.ms"
            if let security = securityError.withLock({ $0 }) { error.message += " (last client error: \(security.message))" }
            error.fix = "check that the brokers are reachable; raise message.timeout.ms to wait longer"
        }
        return error
    }

    /// The error callback (inside ``serving(_:)``). A fatal error arrives as `_FATAL`; the
    /// real one is `rd_kafka_fatal_error`'s.
    func clientError(_ code: rd_kafka_resp_err_t, _ reason: String) {
        var error = Interop.error(code, handle.context.scrub(reason))
        if code == RD_KAFKA_RESP_ERR__FATAL {
            error.isFatal = true
            if let fatal = handle.fatalError() { error = fatal }
        }
        handle.context.annotate(&error)
        errorHandler?(error)
        handle.context.log(error.isFatal ? .critical : .error, "ERROR", error.description)
        let isSecurity = ClientErrorAdvice.isSecurityFailure(error)
        if error.isFatal || (isSecurity && failFastOnSecurityErrors) {
            securityError.withLock { $0 = error }
            securityFailureReported(fatal: error.isFatal)
        }
    }
}
