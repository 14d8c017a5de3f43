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
    let mainQueue: OpaquePointer
    let wakeup: QueueWakeup
    private let topics: TopicHandleCache
    let room = RoomSignal()
    let reports: DeliveryReportBuffer?
    // Dropped once the delivery thread has stopped, so handlers that capture their producer
    // do not keep it alive. Read only while serving, under serveLock.
    var errorHandler: (@Sendable (KafkaError) -> Void)?
    var statisticsHandler: (@Sendable (String) -> Void)?
    let failFastOnSecurityErrors: Bool

    let isClosed = Atomic<Bool>(false)
    let stopRequested = Atomic<Bool>(false)
    let pollBusy = Atomic<Bool>(false)
    /// The next message id (0 is none).
    private let nextID = Atomic<UInt64>(1)
    /// Calls inside ``enqueue(_:opaque:)``, which ``close()`` waits for.
    let callsInside = Atomic<Int>(0)
    /// Whether fire-and-forget messages carry an id for their report (fixed at creation; read
    /// on the produce path without a lock).
    let wantsReports: Bool
    /// Whether fire-and-forget reports carry their latency (``KafkaProducer/Options/measuresLatency``).
    let measuresLatency: Bool
    let failedDeliveries = Atomic<Int>(0)
    let threadDone = DispatchSemaphore(value: 0)

    /// Failed messages waiting for the app (`takeUndelivered`), and purge collection.
    let undelivered = Locked<UndeliveredStore>(UndeliveredStore())
    /// The last authentication/SSL error, used to explain purged messages.
    let securityError = Locked<KafkaError?>(nil)
    /// The fail-fast security failure and what is known of it (ProducerCore+SecurityFailure).
    let securityFailure = Locked(SecurityFailure())
    /// Whether a security failure is current: read once per delivered message, written under
    /// `securityFailure`'s lock.
    let failing = Atomic<Bool>(false)
    /// How long a failure stays current unreported, and how often it purges (nanoseconds).
    let failureTimes: SecurityFailure.Times

    struct UndeliveredStore {
        var messages: [KafkaProducerMessage] = []
        var overflow = 0
        var collecting: [KafkaProducerMessage]? = nil
        static let limit = 1_000_000
    }

    /// Held by whichever thread serves callbacks (the delivery thread, a producing thread in
    /// `serveInline`, or a flush or transaction call), so reports are handled one at a time.
    let serveLock = Condition()
    let lastInlineServe = Atomic<UInt64>(0)
    /// Set when a producing thread wanted to serve but another held `serveLock`: it tries again
    /// on its next send rather than 1,024 sends later (see ``shouldServeInline(_:)``).
    let inlineServeWanted = Atomic<Bool>(false)
    /// The thread inside ``serving(_:)``, if any.
    let servingThread = Locked<NativeThread.Identity?>(nil)

    /// Whether the calling thread is serving callbacks (it holds `serveLock`): a producer
    /// released by a handler there must not be shut down on this thread, which would wait for
    /// the lock it holds.
    var isServingOnCurrentThread: Bool { servingThread.withLock { $0 == .current } }

    // What the delivery callback works with, touched only under serveLock: that lock is the
    // exclusivity, so the per-access runtime checks are off (callgrind: 49 instructions a message).
    @exclusivity(unchecked) var deliveryHandler: DeliveryHandler?
    /// The same box, unretained: calling the handler costs no retain and release per message.
    @exclusivity(unchecked) var deliveryHandlerView: Unmanaged<DeliveryHandler>?
    final class DeliveryHandler {
        let call: @Sendable (DeliveryReport) -> Void
        init(_ call: @escaping @Sendable (DeliveryReport) -> Void) { self.call = call }
    }
    /// Reports for the stream, handed over in batches (one lock per batch).
    @exclusivity(unchecked) var streamed: [DeliveryReport] = []
    @exclusivity(unchecked) var topicNames: [OpaquePointer: String] = [:]
    /// The fire-and-forget report being handed over (see ``delivered(_:)``).
    @exclusivity(unchecked) var slot = DeliveryReport(
        topic: "", partition: -1, offset: nil, timestamp: nil, latencyMicroseconds: nil, messageID: 0, error: nil)
    /// The topic handle whose name `slot` holds: a run of one topic's reports costs no lookup.
    @exclusivity(unchecked) var slotTopic: OpaquePointer?
    static let streamBatch = 512

    init(
        configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, reportCapacity: Int?,
        deliveryHandler: (@Sendable (DeliveryReport) -> Void)?, errorHandler: (@Sendable (KafkaError) -> Void)?, statisticsHandler: (@Sendable (String) -> Void)?,
        failFastOnSecurityErrors: Bool, measuresLatency: Bool, partitioner: KafkaPartitioner? = nil
    ) throws(KafkaError) {
        handle = try NativeHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, logHandler: logHandler, partitioner: partitioner) { conf in
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
        failureTimes = SecurityFailure.Times(configuration)
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
    /// of blocking `produce` and callback sends (every 1024th call), which take one each.
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

    /// What the custom partitioner did wrong last, if it did.
    func partitionerError() -> (message: String, fix: String)? {
        guard let (chosen, count) = handle.context.invalidPartition.withLock({ $0 }) else { return nil }
        return ("the custom partitioner chose partition \(chosen), but the topic has \(count) partitions",
                "return a partition in 0..<partitionCount from KafkaPartitioner (use isAvailable to skip partitions without a leader)")
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
            if message.partition == nil, let invalid = partitionerError() {
                kafkaError.message = "\(invalid.message) for \(message.topic)"
                kafkaError.fix = invalid.fix
            } else {
                kafkaError.fix = "partition \(message.partition ?? -1) does not exist in \(message.topic)"
            }
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
}
