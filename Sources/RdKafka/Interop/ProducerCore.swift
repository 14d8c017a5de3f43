#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// The producer's C side: owns the librdkafka producer, enqueues messages with
/// `rd_kafka_produceva`, and runs the delivery thread that serves delivery-report and error
/// events from the main queue in batches (`rd_kafka_queue_poll` +
/// `rd_kafka_event_message_array`).
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
    private var deliveryHandler: (@Sendable (DeliveryReport) -> Void)?
    private var errorHandler: (@Sendable (KafkaError) -> Void)?
    private var statisticsHandler: (@Sendable (String) -> Void)?
    private let failFastOnSecurityErrors: Bool

    private let callsInside = Atomic<Int>(0)
    private let isClosed = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let pollBusy = Atomic<Bool>(false)
    private let nextID = Atomic<UInt64>(1)
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

    /// Held by whichever thread serves events (the delivery thread, or a producing thread in
    /// `serveInline`), so reports are handled one batch at a time.
    private let serveLock = Condition()
    private let lastInlineServe = Atomic<UInt64>(0)
    private static let reportBatchCapacity = 10_000
    // Touched only under serveLock. Allocated once init can no longer throw (deinit frees it).
    private let reportBatch: UnsafeMutablePointer<UnsafePointer<rd_kafka_message_t>?>
    private var topicNames: [OpaquePointer: String] = [:]

    init(
        configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, reportCapacity: Int?,
        deliveryHandler: (@Sendable (DeliveryReport) -> Void)?, errorHandler: (@Sendable (KafkaError) -> Void)?, statisticsHandler: (@Sendable (String) -> Void)?,
        failFastOnSecurityErrors: Bool, measuresLatency: Bool
    ) throws(KafkaError) {
        handle = try NativeHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, logHandler: logHandler) { conf in
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_STATS))
        }
        guard let queue = rd_kafka_queue_get_main(handle.pointer) else {
            throw KafkaError(code: .criticalSystemResource, message: "librdkafka returned no main queue")
        }
        mainQueue = queue
        wakeup = QueueWakeup(queue: queue)
        topics = TopicHandleCache(client: handle.pointer)
        reportBatch = .allocate(capacity: Self.reportBatchCapacity)
        reports = reportCapacity.map { DeliveryReportBuffer(capacity: max(1, $0)) }
        self.deliveryHandler = deliveryHandler
        wantsReports = reportCapacity != nil || deliveryHandler != nil
        self.errorHandler = errorHandler
        self.statisticsHandler = statisticsHandler
        self.failFastOnSecurityErrors = failFastOnSecurityErrors
        self.measuresLatency = measuresLatency
        try NativeThread.start("delivery") { [self] in self.deliveryLoop() }
    }

    deinit {
        // The delivery thread holds a strong reference, so it has stopped before we get here.
        wakeup.disable()
        topics.destroyAll()
        rd_kafka_queue_destroy(mainQueue)
        reportBatch.deallocate()
    }

    var closed: Bool { isClosed.load(ordering: .sequentiallyConsistent) }

    // MARK: Enqueue (hot path: no lock, no allocation beyond librdkafka's own)

    /// A fresh message id; ids also pace the inline serving of fire-and-forget reports.
    func makeID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func enqueue(_ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?) -> EnqueueResult {
        // Wrapping: one `lock xadd`; the overflow-checked forms compile to a compare-and-swap loop.
        callsInside.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { callsInside.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        if isClosed.load(ordering: .sequentiallyConsistent) { return .failed(RD_KAFKA_RESP_ERR__DESTROY) }
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
                                valueBytes.baseAddress ?? ProducerCore.emptyBytes, valueBytes.count)
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
            code = Self.produce(client, rkt, nil, partition, message.key, message.value, timestamp, headers, opaque)
        } else {
            code = message.topic.withCString { topic in
                Self.produce(client, nil, topic, partition, message.key, message.value, timestamp, headers, opaque)
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

    nonisolated(unsafe) static let emptyBytes = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    /// A static function, not a local one: a local function capturing the message cost a heap
    /// allocation per call (measured with the malloc counter). Borrows the payloads' bytes in
    /// place; no copy of a payload (and so no retain) on this path.
    @inline(__always)
    private static func produce(
        _ client: OpaquePointer, _ rkt: OpaquePointer?, _ topic: UnsafePointer<CChar>?, _ partition: Int32,
        _ key: borrowing KafkaPayload?, _ value: borrowing KafkaPayload?, _ timestamp: Int64, _ headers: OpaquePointer?,
        _ opaque: UnsafeMutableRawPointer?
    ) -> rd_kafka_resp_err_t {
        switch key {
        case .none:
            switch value {
            case .none:
                return swift_rdkafka_produce(client, rkt, topic, partition, nil, 0, nil, 0, timestamp, headers, opaque)
            case .some(let value):
                return value.withBytes { v, vn in
                    swift_rdkafka_produce(client, rkt, topic, partition, nil, 0, v, vn, timestamp, headers, opaque)
                }
            }
        case .some(let key):
            return key.withBytes { k, kn in
                switch value {
                case .none:
                    return swift_rdkafka_produce(client, rkt, topic, partition, k, kn, nil, 0, timestamp, headers, opaque)
                case .some(let value):
                    return value.withBytes { v, vn in
                        swift_rdkafka_produce(client, rkt, topic, partition, k, kn, v, vn, timestamp, headers, opaque)
                    }
                }
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
                usleep(5_000)
                continue
            }
            while stopping || !isProducerServing(), let event = rd_kafka_queue_poll(mainQueue, 0) {
                serveLock.lock()
                handle(event)
                serveLock.unlock()
            }
            if rd_kafka_queue_length(mainQueue) > 0 { continue }  // left to a producing thread
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

    /// Serves ready events on the calling (producing) thread, as a C producer calling
    /// `rd_kafka_poll` does, waiting up to `timeoutMs` for the first. Returns at once when
    /// another thread is serving.
    @discardableResult
    func serveInline(timeoutMs: Int32) -> Bool {
        // Not with the report stream on: a full stream buffer blocks whoever serves, and the
        // stream's reader may be the very task that is producing.
        guard reports == nil, !stopRequested.load(ordering: .relaxed), serveLock.tryLock() else { return false }
        defer {
            lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            serveLock.unlock()
        }
        lastInlineServe.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        var served = 0
        while served < 64, let event = rd_kafka_queue_poll(mainQueue, served == 0 ? timeoutMs : 0) {
            handle(event)
            served += 1
        }
        return served > 0
    }

    /// Handles one event; the caller holds `serveLock`.
    private func handle(_ event: OpaquePointer) {
        pollBusy.store(true, ordering: .sequentiallyConsistent)
        defer { pollBusy.store(false, ordering: .sequentiallyConsistent) }
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            var n = rd_kafka_event_message_array(event, reportBatch, Self.reportBatchCapacity)
            while n > 0 {
                deliver(reportBatch, count: n)
                n = rd_kafka_event_message_array(event, reportBatch, Self.reportBatchCapacity)
            }
            rd_kafka_event_destroy(event)
            room.signal()
        case RD_KAFKA_EVENT_ERROR:
            handleError(event)
            rd_kafka_event_destroy(event)
        case RD_KAFKA_EVENT_STATS:
            if let statisticsHandler, let json = rd_kafka_event_stats(event) { statisticsHandler(String(cString: json)) }
            rd_kafka_event_destroy(event)
        default:
            rd_kafka_event_destroy(event)
        }
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

    private func deliver(_ batch: UnsafeMutablePointer<UnsafePointer<rd_kafka_message_t>?>, count: Int) {
        // Read once per batch, not per message (each read of a closure property retains it).
        let handler = deliveryHandler
        let stream = reports
        let latency = measuresLatency
        if let handler, stream == nil {
            deliver(batch, count: count, to: handler, latency: latency)
            return
        }
        var streamed: [DeliveryReport] = []
        if stream != nil { streamed.reserveCapacity(count) }
        // Batches are mostly for one topic: look its name up once per run, not per message.
        var lastTopic: (rkt: OpaquePointer?, name: String) = (nil, "")
        for i in 0..<count {
            guard let message = batch[i] else { continue }
            let m = message.pointee
            let failed = m.err != RD_KAFKA_RESP_ERR_NO_ERROR
            let error: KafkaError? = failed ? deliveryError(m.err) : nil
            if failed {
                failedDeliveries.add(1, ordering: .relaxed)
                collectIfPurging(message)
            }
            let opaque = DeliveryOpaque.decode(m._private)
            if completeSend(opaque, m, message, error: error) { continue }
            if stream != nil || handler != nil {
                if m.rkt != lastTopic.rkt { lastTopic = (m.rkt, topicName(m.rkt)) }
                let report = report(m, message, topic: lastTopic.name, id: opaque.messageID, error: error, latency: latency)
                if let handler { handler(report) }
                if stream != nil { streamed.append(report) }
            } else if failed {
                keepUndelivered(message, error: error)
            }
        }
        if let stream, !streamed.isEmpty { stream.append(streamed) }
    }

    /// The common fire-and-forget case, a handler and no stream: one report value is updated
    /// in place per message (only trivial fields change; the topic only when it does), so a
    /// report costs no copy, retain or release of its own.
    private func deliver(
        _ batch: UnsafeMutablePointer<UnsafePointer<rd_kafka_message_t>?>, count: Int,
        to handler: (DeliveryReport) -> Void, latency: Bool
    ) {
        var lastTopic: OpaquePointer? = nil
        var report = DeliveryReport(
            topic: "", partition: -1, offset: -1, timestamp: nil, latencyMicroseconds: nil, messageID: 0, error: nil)
        for i in 0..<count {
            guard let message = batch[i] else { continue }
            let m = message.pointee
            let failed = m.err != RD_KAFKA_RESP_ERR_NO_ERROR
            if failed {
                failedDeliveries.add(1, ordering: .relaxed)
                collectIfPurging(message)
            }
            let opaque = DeliveryOpaque.decode(m._private)
            if completeSend(opaque, m, message, error: failed ? deliveryError(m.err) : nil) { continue }
            if m.rkt != lastTopic {
                lastTopic = m.rkt
                report.topic = topicName(m.rkt)
            }
            report.partition = m.partition
            report.offset = m.offset
            report.timestamp = Self.timestamp(message)
            report.messageID = opaque.messageID
            if latency { report.latencyMicroseconds = rd_kafka_message_latency(message) }
            if failed {
                report.error = deliveryError(m.err)
                handler(report)
                report.error = nil
            } else {
                handler(report)
            }
        }
    }

    /// Completes an awaited or callback send (one report per message: the clock read for its
    /// latency is small next to resuming a task); `false` for fire-and-forget messages.
    private func completeSend(
        _ opaque: DeliveryOpaque, _ m: rd_kafka_message_t, _ message: UnsafePointer<rd_kafka_message_t>, error: KafkaError?
    ) -> Bool {
        switch opaque {
        case .continuation(let continuation):
            PendingDelivery.resume(continuation, with: report(m, message, topic: topicName(m.rkt), id: 0, error: error, latency: true))
            return true
        case .pending(let unmanaged):
            let pending = unmanaged.takeRetainedValue()
            pending.complete(report(m, message, topic: pending.topic, id: 0, error: error, latency: true))
            return true
        case .id, .none:
            return false
        }
    }

    private static func timestamp(_ message: UnsafePointer<rd_kafka_message_t>) -> KafkaTimestamp? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ms = rd_kafka_message_timestamp(message, &type)
        if type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE { return nil }
        return KafkaTimestamp(millisecondsSinceEpoch: ms, kind: type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime : .createTime)
    }

    /// `latency`: whether to read the clock for ``DeliveryReport/latencyMicroseconds``
    /// (`rd_kafka_message_latency`), about a tenth of the cost of a fire-and-forget report.
    private func report(
        _ m: rd_kafka_message_t, _ message: UnsafePointer<rd_kafka_message_t>, topic: String, id: UInt64, error: KafkaError?,
        latency: Bool
    ) -> DeliveryReport {
        DeliveryReport(
            topic: topic, partition: m.partition, offset: m.offset, timestamp: Self.timestamp(message),
            latencyMicroseconds: latency ? rd_kafka_message_latency(message) : nil, messageID: id, error: error)
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

    private func handleError(_ event: OpaquePointer) {
        let code = rd_kafka_event_error(event)
        let text = handle.context.scrub(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")
        var error = Interop.error(code, text)
        error.isFatal = rd_kafka_event_error_is_fatal(event) != 0
        if error.isFatal, let fatal = handle.fatalError() { error = fatal }
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
        var headers: [KafkaHeader] = []
        var list: OpaquePointer? = nil
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var value: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
                index += 1
            }
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ms = rd_kafka_message_timestamp(message, &type)
        return KafkaProducerMessage(
            topic: topicName(m.rkt), partition: m.partition >= 0 ? m.partition : nil,
            key: m.key.map { KafkaPayload(Array(UnsafeRawBufferPointer(start: $0, count: m.key_len))) },
            value: m.payload.map { KafkaPayload(Array(UnsafeRawBufferPointer(start: $0, count: m.len))) },
            headers: headers,
            timestamp: type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? KafkaTimestamp(millisecondsSinceEpoch: ms) : nil)
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

    func flush(timeoutMs: Int32) -> KafkaError? {
        let code = rd_kafka_flush(handle.pointer, timeoutMs)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = Interop.error(code, "\(outstandingCount()) messages still not delivered when the flush timed out")
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
            usleep(2_000)
        }
        return undelivered.withLock { store in
            defer { store.collecting = nil }
            return store.collecting ?? []
        }
    }

    /// Stops new sends, then waits until no call is inside `enqueue`.
    func close() {
        isClosed.store(true, ordering: .sequentiallyConsistent)
        while callsInside.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }

    /// Stops the delivery thread after it has served what is queued.
    func stopDeliveryThread() {
        guard !stopRequested.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // The thread may be about to wait: keep waking it until it has seen the request.
        while threadDone.wait(timeout: .now() + .milliseconds(1)) == .timedOut { wakeup.signal() }
        reports?.finish()
        room.signal()
        serveLock.lock()
        deliveryHandler = nil
        errorHandler = nil
        statisticsHandler = nil
        serveLock.unlock()
    }

    var isStopped: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }
}
