import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// The producer's C side: owns the librdkafka producer, enqueues messages with
/// `rd_kafka_produce` or `rd_kafka_produceva` (see `swift_rdkafka_produce`), and runs the
/// delivery thread that serves librdkafka's main queue with `rd_kafka_poll`, which calls the
/// delivery-report (`dr_msg_cb`), error and statistics callbacks.
///
/// Callbacks, not events (`rd_kafka_event_message_array`): the callback path frees each
/// message right after its report, while an event keeps the whole batch until it is
/// destroyed; plain C measured 7 % slower with events (`Benchmarks/README.md`). librdkafka
/// calls the callbacks on whichever thread polls or flushes, so every call that can serve
/// them (`rd_kafka_poll`, `rd_kafka_flush`, committing or aborting a transaction) runs inside
/// ``serving(_:)``, under `serveLock`: reports are handled by one thread at a time.
final class ProducerCore: @unchecked Sendable {
    /// Small and trivial on purpose: the hot path returns it; ``enqueueError(_:for:)`` makes the
    /// `KafkaError` off that path.
    enum EnqueueResult {
        case enqueued
        case queueFull
        case failed(rd_kafka_resp_err_t)
    }

    let handle: NativeHandle
    private let mainQueue: OpaquePointer
    private let wakeup: QueueWakeup
    private let topics: TopicHandleCache
    let room = RoomSignal()
    let reports: DeliveryReportBuffer?
    // Dropped once the delivery thread has stopped, so handlers that capture their producer
    // do not keep it alive. Read only while serving, under serveLock.
    private var errorHandler: (@Sendable (KafkaError) -> Void)?
    private var statisticsHandler: (@Sendable (String) -> Void)?
    private let failFastOnSecurityErrors: Bool

    private let isClosed = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let pollBusy = Atomic<Bool>(false)
    /// The next message id (0 is none).
    private let nextID = Atomic<UInt64>(1)
    /// Calls inside ``enqueue(_:opaque:)``, which ``close()`` waits for.
    private let callsInside = Atomic<Int>(0)
    let failedDeliveries = Atomic<Int>(0)
    private let threadDone = DispatchSemaphore(value: 0)

    /// Failed messages waiting for the app (`takeUndelivered`), and purge collection.
    private let undelivered = Locked<UndeliveredStore>(UndeliveredStore())
    /// The last authentication/SSL error, used to explain purged messages.
    private let securityError = Locked<KafkaError?>(nil)

    struct UndeliveredStore {
        var messages: [KafkaProducerMessage] = []
        var overflow = 0
        var collecting: [KafkaProducerMessage]? = nil
        static let limit = 1_000_000
    }

    /// Held by whichever thread serves callbacks (the delivery thread, a producing thread in
    /// `serveInline`, or a flush or transaction call), so reports are handled one at a time.
    private let serveLock = Condition()
    private let lastInlineServe = Atomic<UInt64>(0)
    /// The thread inside ``serving(_:)``, if any.
    private let servingThread = Locked<NativeThread.Identity?>(nil)

    /// Whether the calling thread is serving callbacks (it holds `serveLock`): a producer
    /// released by a handler there must not be shut down on this thread, which would wait for
    /// the lock it holds.
    var isServingOnCurrentThread: Bool { servingThread.withLock { $0 == .current } }

    // What the delivery callback works with, touched only under serveLock: that lock is the
    // exclusivity, so the per-access runtime checks are off (callgrind: 49 instructions a message).
    @exclusivity(unchecked) private var deliveryHandler: DeliveryHandler?
    /// The same box, unretained: calling the handler costs no retain and release per message.
    @exclusivity(unchecked) private var deliveryHandlerView: Unmanaged<DeliveryHandler>?
    private final class DeliveryHandler {
        let call: @Sendable (DeliveryReport) -> Void
        init(_ call: @escaping @Sendable (DeliveryReport) -> Void) { self.call = call }
    }
    /// Reports for the stream, handed over in batches (one lock per batch).
    @exclusivity(unchecked) private var streamed: [DeliveryReport] = []
    @exclusivity(unchecked) private var topicNames: [OpaquePointer: String] = [:]
    /// The fire-and-forget report being handed over (see ``delivered(_:)``).
    @exclusivity(unchecked) private var slot = DeliveryReport(
        topic: "", partition: -1, offset: nil, timestamp: nil, latencyMicroseconds: nil, messageID: 0, error: nil)
    /// The topic handle whose name `slot` holds: a run of one topic's reports costs no lookup.
    @exclusivity(unchecked) private var slotTopic: OpaquePointer?
    private static let streamBatch = 512

    init(
        configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, reportCapacity: Int?,
        deliveryHandler: (@Sendable (DeliveryReport) -> Void)?, errorHandler: (@Sendable (KafkaError) -> Void)?, statisticsHandler: (@Sendable (String) -> Void)?,
        failFastOnSecurityErrors: Bool, measuresLatency: Bool
    ) throws(KafkaError) {
        handle = try NativeHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, logHandler: logHandler) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let opaque else { return }
                // Unretained on purpose: this runs once per message (see ClientContext.producer).
                Unmanaged<ClientContext>.fromOpaque(opaque)._withUnsafeGuaranteedRef { context in
                    context.producer?._withUnsafeGuaranteedRef { $0.delivered(message) }
                }
            }
            rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
                guard let opaque else { return }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                context.producer?.takeUnretainedValue().clientError(
                    rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
            }
            rd_kafka_conf_set_stats_cb(conf) { _, json, _, opaque in
                guard let opaque, let json else { return 0 }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                context.producer?.takeUnretainedValue().statisticsHandler?(String(cString: json))
                return 0  // librdkafka frees the JSON
            }
        }
        guard let queue = rd_kafka_queue_get_main(handle.pointer) else {
            throw KafkaError(code: .criticalSystemResource, message: "librdkafka returned no main queue")
        }
        mainQueue = queue
        wakeup = QueueWakeup(queue: queue)
        topics = TopicHandleCache(client: handle.pointer)
        reports = reportCapacity.map { DeliveryReportBuffer(capacity: max(1, $0)) }
        self.deliveryHandler = deliveryHandler.map(DeliveryHandler.init)
        deliveryHandlerView = self.deliveryHandler.map { Unmanaged.passUnretained($0) }
        if reports != nil { streamed.reserveCapacity(Self.streamBatch) }
        wantsReports = reportCapacity != nil || deliveryHandler != nil
        self.errorHandler = errorHandler
        self.statisticsHandler = statisticsHandler
        self.failFastOnSecurityErrors = failFastOnSecurityErrors
        self.measuresLatency = measuresLatency
        // From here on librdkafka's callbacks reach this core; nothing calls them before the
        // first poll, and the delivery thread starts after this line.
        handle.context.producer = Unmanaged.passUnretained(self)
        try NativeThread.start("delivery") { [self] in self.deliveryLoop() }  // on failure deinit clears it
    }

    deinit {
        // The delivery thread and every serving call hold a strong reference, so no callback
        // runs now; none may run once this core is gone (rd_kafka_destroy comes after).
        handle.context.producer = nil
        wakeup.disable()
        topics.destroyAll()
        rd_kafka_queue_destroy(mainQueue)
    }

    var closed: Bool { isClosed.load(ordering: .sequentiallyConsistent) }

    // MARK: Enqueue (hot path: no lock, no allocation beyond librdkafka's own)

    /// A fresh message id, unique in this producer and rising. Ids also pace the inline serving
    /// of fire-and-forget reports (every 1024th message).
    @inline(__always)
    func makeID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Hands `message` to librdkafka. ``close()`` waits for calls under way here.
    func enqueue(_ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?) -> EnqueueResult {
        inside { closed in closed ? .failed(RD_KAFKA_RESP_ERR__DESTROY) : enqueueOpen(message, opaque: opaque) }
    }

    /// Runs `body` as a call that ``close()`` waits for, telling it whether close has begun.
    /// Counted before the flag is read, and close() sets the flag before it reads the count: one
    /// of the two sees the other (both sequentially consistent).
    @inline(__always)
    func inside<T>(_ body: (_ closed: Bool) -> T) -> T {
        callsInside.add(1, ordering: .sequentiallyConsistent)
        defer { callsInside.subtract(1, ordering: .releasing) }
        return body(isClosed.load(ordering: .sequentiallyConsistent))
    }

    private func enqueueOpen(_ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?) -> EnqueueResult {
        if message.topic.isEmpty { return .failed(RD_KAFKA_RESP_ERR__INVALID_ARG) }
        if let partition = message.partition, partition < 0 { return .failed(RD_KAFKA_RESP_ERR__INVALID_ARG) }
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                let name = header.name
                var nameCopy = name
                nameCopy.withUTF8 { nameBytes in
                    if let value = header.value {
                        value.withUnsafeBytes { valueBytes in
                            _ = rd_kafka_header_add(headers, nameBytes.baseAddress, nameBytes.count,
                                valueBytes.baseAddress ?? KafkaPayload.emptyBytes, valueBytes.count)
                        }
                    } else {
                        _ = rd_kafka_header_add(headers, nameBytes.baseAddress, nameBytes.count, nil, 0)
                    }
                }
            }
        }
        let partition = message.partition ?? -1  // RD_KAFKA_PARTITION_UA
        let timestamp = message.timestamp?.millisecondsSinceEpoch ?? 0  // 0: librdkafka's now
        let client = handle.pointer
        let code: rd_kafka_resp_err_t
        if let rkt = topics.handle(for: message.topic) {
            if headers == nil && timestamp == 0 {
                code = Self.produce(rkt, partition, message.storedKey, message.storedValue, opaque)
            } else {
                code = Self.produce(client, rkt, nil, partition, message.storedKey, message.storedValue, timestamp, headers, opaque)
            }
        } else {
            code = message.topic.withCString { topic in
                Self.produce(client, nil, topic, partition, message.storedKey, message.storedValue, timestamp, headers, opaque)
            }
        }
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return .enqueued }
        if let headers { rd_kafka_headers_destroy(headers) }  // not taken over on failure
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        return .failed(code)
    }

    /// The error for a `.failed` enqueue of `message`, with what to do about it.
    func enqueueError(_ code: rd_kafka_resp_err_t, for message: KafkaProducerMessage) -> KafkaError {
        if code == RD_KAFKA_RESP_ERR__DESTROY && closed { return KafkaError.closed("The producer") }
        if message.topic.isEmpty {
            return .invalidArgument("the message has an empty topic name", fix: "set KafkaProducerMessage.topic")
        }
        if let partition = message.partition, partition < 0 {
            return .invalidArgument("partition \(partition) is negative", fix: "use nil to let the partitioner choose")
        }
        var kafkaError = Interop.error(code)
        switch kafkaError.code {
        case .messageSizeTooLarge, .invalidMessageSize:
            kafkaError.fix = "the message is \(message.value?.count ?? 0) bytes; raise message.max.bytes (and the topic's max.message.bytes) or send smaller messages"
        case .unknownPartition:
            kafkaError.fix = "partition \(message.partition ?? -1) does not exist in \(message.topic)"
        case .unknownTopic:
            kafkaError.fix = "create topic \(message.topic) first, or enable auto-creation on the broker"
        default: break
        }
        if let fatal = handle.fatalError() { kafkaError = fatal }
        return kafkaError
    }

    /// The common message (by topic handle, no headers, no timestamp) through librdkafka's
    /// plain `rd_kafka_produce`, which makes the message directly; `rd_kafka_produceva` also
    /// takes and drops a reference on the topic per message, two atomic operations on a counter
    /// the broker threads share (measured: Benchmarks/README.md). Called from Swift, not the
    /// shim, so that it inlines: through the shim it was a call of its own per message. On
    /// failure librdkafka returns -1 and sets the thread-local `rd_kafka_last_error()`.
    ///
    /// A static function, not a local one: a local function capturing the message cost a heap
    /// allocation per call (measured with the malloc counter). Borrows the payloads' bytes in
    /// place; no copy of a payload (and so no retain) on this path.
    @inline(__always)
    private static func produce(
        _ rkt: OpaquePointer, _ partition: Int32, _ key: borrowing KafkaPayload, _ value: borrowing KafkaPayload,
        _ opaque: UnsafeMutableRawPointer?
    ) -> rd_kafka_resp_err_t {
        key.withBytes { k, kn in
            value.withBytes { v, vn in
                // RD_KAFKA_MSG_F_COPY: librdkafka copies the value and never writes to it.
                rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: v), vn, k, kn, opaque) == 0
                    ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error()
            }
        }
    }

    /// Any other message, through `rd_kafka_produceva` (see `swift_rdkafka_produce`).
    @inline(__always)
    private static func produce(
        _ client: OpaquePointer, _ rkt: OpaquePointer?, _ topic: UnsafePointer<CChar>?, _ partition: Int32,
        _ key: borrowing KafkaPayload, _ value: borrowing KafkaPayload, _ timestamp: Int64, _ headers: OpaquePointer?,
        _ opaque: UnsafeMutableRawPointer?
    ) -> rd_kafka_resp_err_t {
        key.withBytes { k, kn in
            value.withBytes { v, vn in
                swift_rdkafka_produce(client, rkt, topic, partition, k, kn, v, vn, timestamp, headers, opaque)
            }
        }
    }

    // MARK: Delivery thread

    private func deliveryLoop() {
        swift_rdkafka_name_thread("rdk:sdk-deliver")  // visible in top, perf, gdb
        defer { threadDone.signal() }
        while true {
            let stopping = stopRequested.load(ordering: .sequentiallyConsistent)
            // While a producing thread serves reports itself (see serveInline), stay out of its
            // way: reports freed on the thread that allocated the messages are much cheaper, and
            // two threads taking turns cost a context switch per event. Look again in 5 ms.
            if !stopping && isProducerServing() {
                Syscalls.sleep(microseconds: 5_000)
                continue
            }
            if rd_kafka_queue_length(mainQueue) > 0 {
                serveLock.lock()
                serving { _ = rd_kafka_poll(handle.pointer, 0) }
                serveLock.unlock()
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

    /// Serves ready callbacks on the calling (producing) thread, as a C producer calling
    /// `rd_kafka_poll` does, waiting up to `timeoutMs` for the first. Returns at once when
    /// another thread is serving.
    @discardableResult
    func serveInline(timeoutMs: Int32) -> Bool {
        // Not with the report stream on: a full stream buffer blocks whoever serves, and the
        // stream's reader may be the very task that is producing.
        guard reports == nil, !stopRequested.load(ordering: .relaxed) else { return false }
        // Before the lock: if the delivery thread holds it, this makes it leave the serving to
        // us once its current call returns (else the two would take turns).
        lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        guard serveLock.tryLock() else { return false }
        defer {
            lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            serveLock.unlock()
        }
        return serving { rd_kafka_poll(handle.pointer, timeoutMs) } > 0
    }

    /// Runs a librdkafka call that may call the delivery, error and statistics callbacks on
    /// this thread; the caller holds `serveLock`. Afterwards hands the stream what is left and
    /// wakes senders waiting for room.
    private func serving<T>(_ body: () -> T) -> T {
        servingThread.withLock { $0 = .current }
        defer { servingThread.withLock { $0 = nil } }
        pollBusy.store(true, ordering: .sequentiallyConsistent)
        let result = body()
        reportDelivered()
        if let reports, !streamed.isEmpty {
            reports.append(streamed)
            streamed.removeAll(keepingCapacity: true)
        }
        pollBusy.store(false, ordering: .sequentiallyConsistent)
        room.signal()
        return result
    }

    /// ``serving(_:)`` under `serveLock`, for calls that serve callbacks on an app's thread
    /// (flush, commit and abort of a transaction).
    func servingExclusively<T>(_ body: () -> T) -> T {
        serveLock.lock()
        defer { serveLock.unlock() }
        return serving(body)
    }

    private func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        if let name = topicNames[rkt] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        topicNames[rkt] = name
        return name
    }

    /// Whether fire-and-forget messages carry an id for their report (fixed at creation; read
    /// on the produce path without a lock).
    let wantsReports: Bool
    /// Whether fire-and-forget reports carry their latency (``KafkaProducer/Options/measuresLatency``).
    let measuresLatency: Bool

    /// The delivery callback (`dr_msg_cb`): once per message, inside ``serving(_:)``.
    /// librdkafka frees the message when this returns.
    fileprivate func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        let failed = code != RD_KAFKA_RESP_ERR_NO_ERROR
        if failed {
            failedDeliveries.add(1, ordering: .relaxed)
            collectIfPurging(message)
        }
        // The queue is full only while senders wait: room now, not at the end of a long flush.
        if room.hasWaiters { room.signal() }
        let opaque = DeliveryOpaque.decode(message.pointee._private)
        if case .pending(let unmanaged) = opaque {
            let pending = unmanaged.takeRetainedValue()
            let error = failed ? deliveryError(code) : nil
            let report = report(message, topic: pending.topic, error: error)
            // A cancelled send's report goes where fire-and-forget reports go.
            if pending.complete(report) { return }
            var cancelled = report
            handOver(&cancelled, message)
            return
        }
        guard deliveryHandlerView != nil || reports != nil || failed else { return }
        // One report, refilled field by field and lent to the handler in place (inout): a new
        // report per message, copied into the call and destroyed, cost about 300 instructions a
        // message more (callgrind).
        let rkt = message.pointee.rkt
        if rkt != slotTopic {
            slot.topic = topicName(rkt)
            slotTopic = rkt
        }
        slot.partition = message.pointee.partition
        slot.offset = Interop.offset(message.pointee.offset)
        slot.timestamp = Interop.timestamp(of: message)
        slot.messageID = opaque.messageID
        if measuresLatency { slot.latencyMicroseconds = rd_kafka_message_latency(message) }
        if failed || slot.error != nil { slot.error = failed ? deliveryError(code) : nil }
        handOver(&slot, message)
    }

    /// Gives a fire-and-forget report to the handler and the stream; without either, a failed
    /// message is kept for ``takeUndelivered()``.
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

    /// Hands the stream its batch once it is full; under `serveLock`.
    private func reportDelivered() {
        if let reports, streamed.count >= Self.streamBatch {
            reports.append(streamed)
            streamed.removeAll(keepingCapacity: true)
        }
    }

    /// The report of an awaited or callback send, with its latency (`rd_kafka_message_latency`).
    private func report(_ message: UnsafePointer<rd_kafka_message_t>, topic: String, error: KafkaError?) -> DeliveryReport {
        DeliveryReport(
            topic: topic, partition: message.pointee.partition, offset: Interop.offset(message.pointee.offset), timestamp: Interop.timestamp(of: message),
            latencyMicroseconds: rd_kafka_message_latency(message), messageID: 0, error: error)
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
        } else if code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT {
            error.message = "not delivered within message.timeout.ms"
            if let security = securityError.withLock({ $0 }) { error.message += " (last client error: \(security.message))" }
            error.fix = "check that the brokers are reachable; raise message.timeout.ms to wait longer"
        }
        return error
    }

    /// The error callback (inside ``serving(_:)``). A fatal error arrives as `_FATAL`; the
    /// real one is `rd_kafka_fatal_error`'s.
    fileprivate func clientError(_ code: rd_kafka_resp_err_t, _ reason: String) {
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
            // Messages would otherwise wait for message.timeout.ms: give them back now.
            _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE))
        }
    }

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

    private func collectIfPurging(_ message: UnsafePointer<rd_kafka_message_t>) {
        let collecting = undelivered.withLock { $0.collecting != nil }
        guard collecting else { return }
        let copy = copyMessage(message)
        undelivered.withLock { $0.collecting?.append(copy) }
    }

    private func keepUndelivered(_ message: UnsafePointer<rd_kafka_message_t>, error: KafkaError?) {
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
