import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// The consumer's C side: owns the librdkafka consumer and its poll thread.
///
/// The poll thread fetches only when the app asks (``fetch(max:deadline:)``), in batches
/// (`rd_kafka_consumer_poll` for the first message, then `rd_kafka_consume_batch_queue` for
/// what is already there), and serves rebalance, error and statistics callbacks while it does.
/// Between requests it sleeps on a condition: no busy loop and no fetching ahead of the app.
@usableFromInline
final class ConsumerCore: @unchecked Sendable {
    enum FetchResult: Sendable {
        case batch(MessageBatch)
        case empty
        case failed(KafkaError)
        case closed
    }

    private struct Request {
        let id: UInt64
        let max: Int
        let deadline: ContinuousClock.Instant?
        /// Resumed with nothing: the result travels through `results` (see ``fetch(max:deadline:)``).
        let continuation: UnsafeContinuation<Void, Never>
    }

    let handle: NativeHandle
    let queue: OpaquePointer
    /// Wakes broker threads that stopped fetching at `queued.min.messages` (nil when the app
    /// turned it off).
    let fetchWaker: FetchWaker?
    let maxBatch: Int
    /// The SDK stores offsets itself when the app has taken messages (see `storeTaken`).
    let sdkStoresOffsets: Bool
    // Dropped by close(): a hook that captures its consumer (to commit on revoke) would
    // otherwise keep consumer, core and handle alive forever. Read only on the poll thread
    // or inside close(), before they are dropped.
    var eventHandler: (@Sendable (KafkaConsumerEvent) -> Void)?
    var rebalanceHandler: (@Sendable (RebalanceEvent) async -> Void)?
    var startPositionsHandler: (@Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset])?

    let condition = Condition()
    private var requests: [Request] = []
    /// Results of served requests by id, until their task picks them up (under `condition`).
    private var results: [UInt64: FetchResult] = [:]
    private var cancelledRequests: Set<UInt64> = []
    var stopRequested = false
    private let nextRequestID = Atomic<UInt64>(1)
    let threadDone = DispatchSemaphore(value: 0)
    /// Set when close starts: no more messages are handed out.
    @usableFromInline let isClosed = Atomic<Bool>(false)
    /// Set when close has finished: calls fail from then on (the revoke hook may still commit
    /// while closing).
    let closeFinished = Atomic<Bool>(false)
    /// A rebalance hook is running (commits there must not wait for the rebalance to end).
    let inRebalanceHook = Atomic<Bool>(false)
    /// The poll thread, where event handlers run: a consumer released there closes elsewhere.
    private let pollThread = Locked<NativeThread.Identity?>(nil)
    var isPollThread: Bool { pollThread.withLock { $0 == .current } }
    /// The running rebalance hook (what it is for, and its task), for a close that times out.
    let runningHook = Locked<(event: String, task: Task<Void, Never>)?>(nil)
    /// What ``close()`` is doing now, and who waits for it to finish (see ``closeInBackground(_:)``).
    let closing = Locked<(step: String, result: KafkaError??, waiters: [@Sendable (KafkaError?) -> Void])>(("", nil, []))

    /// Fatal or security error to fail the next fetch with.
    let pendingError = Locked<KafkaError?>(nil)
    /// The batch the app is taking messages from, and how far its offsets are stored.
    let current = Locked<(batch: MessageBatch?, stored: Int)>((nil, 0))
    /// Start positions for partitions assigned by the group without a committed offset.
    let startPositions = Locked<[TopicPartition: KafkaOffset]>([:])
    /// The next offset per partition after what the app has processed, kept across
    /// rebalances: when a group rebalances, brokers may refuse commits (REBALANCE_IN_PROGRESS),
    /// and a partition given back to this member must not restart from an older commit.
    let processed = Locked<[TopicPartition: Int64]>([:])

    init(
        configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, maxBatch: Int, wakesFetchers: Bool,
        eventHandler: (@Sendable (KafkaConsumerEvent) -> Void)?, rebalanceHandler: (@Sendable (RebalanceEvent) async -> Void)?,
        startPositionsHandler: (@Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset])? = nil
    ) throws(KafkaError) {
        var configuration = configuration
        // librdkafka stores an offset when it hands a message over; the SDK hands over batches,
        // so it stores offsets itself once the app has taken the messages.
        sdkStoresOffsets = configuration.enableAutoOffsetStore != false
        if configuration.groupID == nil {
            // librdkafka's consumer API needs a group even for assign-only use; commits to a
            // made-up group would be noise, so they are off.
            configuration.set("group.id", "swift-rdkafka-\(UInt64.random(in: 0...UInt64.max))", origin: .sdk(reason: "no group.id: assign-only consumer"))
            configuration.set("enable.auto.commit", "false", origin: .sdk(reason: "no group.id: assign-only consumer"))
        }
        if sdkStoresOffsets { configuration.set("enable.auto.offset.store", "false", origin: .sdk(reason: "offsets stored as the app takes messages")) }
        // librdkafka 2.2+ has its own setting for the pause the waker works around: a short one
        // (the app's own value wins) replaces the waker's extra requests.
        let ownBackoff = wakesFetchers && Librdkafka.supports(.fetchQueueBackoff)
        if ownBackoff, configuration["fetch.queue.backoff.ms"] == nil {
            configuration.set("fetch.queue.backoff.ms", String(Self.fetchQueueBackoffMs),
                origin: .sdk(reason: "a short pause when the fetch queue is full, instead of librdkafka's second"))
        }
        self.maxBatch = max(1, maxBatch)
        self.eventHandler = eventHandler
        self.rebalanceHandler = rebalanceHandler
        self.startPositionsHandler = startPositionsHandler
        handle = try NativeHandle(type: RD_KAFKA_CONSUMER, configuration: configuration, logHandler: logHandler) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let opaque else { return }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                if let consumer = context.consumer {
                    consumer.rebalance(err, partitions)
                } else {
                    _ = rd_kafka_assign(rk, err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nil)
                }
            }
            rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
                guard let opaque else { return }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                context.consumer?.clientError(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
            }
            rd_kafka_conf_set_stats_cb(conf) { _, json, _, opaque in
                guard let opaque, let json else { return 0 }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                context.consumer?.eventHandler?(.statistics(String(cString: json)))
                return 0
            }
        }
        guard let consumerQueue = rd_kafka_queue_get_consumer(handle.pointer) else {
            throw KafkaError(code: .invalidArgument, message: "librdkafka created no consumer queue")
        }
        queue = consumerQueue
        fetchWaker = wakesFetchers && !ownBackoff
            ? try FetchWaker(client: handle.pointer, queuedMinMessages: configuration.queuedMinMessages ?? Self.librdkafkaQueuedMinMessages)
            : nil
        _ = rd_kafka_poll_set_consumer(handle.pointer)
        handle.context.consumer = self
        do {
            try NativeThread.start("consumer poll") { [self] in self.pollLoop() }
        } catch {
            fetchWaker?.stop()
            throw error
        }
    }

    deinit {
        rd_kafka_queue_destroy(queue)
    }

    /// librdkafka's default `queued.min.messages`.
    static let librdkafkaQueuedMinMessages = 100_000
    /// `fetch.queue.backoff.ms` where the SDK sets it (librdkafka's default is a second).
    static let fetchQueueBackoffMs = 10

    // MARK: Fetching

    func fetch(max: Int, deadline: ContinuousClock.Instant?) async -> FetchResult {
        let id = nextRequestID.add(1, ordering: .relaxed).oldValue
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                condition.lock()
                if stopRequested {
                    results[id] = .closed
                    continuation.resume()
                    condition.unlock()
                    return
                }
                requests.append(Request(id: id, max: Swift.max(1, Swift.min(max, maxBatch)), deadline: deadline, continuation: continuation))
                condition.signal()
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            cancelledRequests.insert(id)
            condition.unlock()
            rd_kafka_queue_yield(queue)
        }
        // The result is handed over under the condition's lock (and the continuation resumed
        // under it), not inside the continuation: the poll thread often resumes before this task
        // has suspended, and the runtime's hand-off for that case is invisible to
        // ThreadSanitizer, while a pthread mutex is not.
        return takeResult(id)
    }

    private func takeResult(_ id: UInt64) -> FetchResult {
        condition.lock()
        defer { condition.unlock() }
        return results.removeValue(forKey: id) ?? .closed
    }

    /// The app has taken this batch; its messages' offsets are stored as it takes them.
    func handOver(_ batch: MessageBatch) {
        current.withLock { $0 = (batch, 0) }
    }

    /// The batch in hand and how far the app took it, when a loop stopped before its end:
    /// librdkafka has handed those messages over already, so the next loop starts with them.
    func leftover() -> (batch: MessageBatch, taken: Int)? {
        current.withLock { state in
            guard let batch = state.batch else { return nil }
            let taken = batch.taken.load(ordering: .acquiring)
            return taken < batch.count ? (batch, taken) : nil
        }
    }

    /// Up to `max` messages left in the batch in hand (see ``leftover()``), taken now, for `poll`.
    func takeLeftover(max: Int) -> (batch: MessageBatch, indices: [Int])? {
        current.withLock { state in
            guard let batch = state.batch else { return nil }
            let taken = batch.taken.load(ordering: .acquiring)
            guard taken < batch.count else { return nil }
            var next = taken, picked: [Int] = []
            while next < batch.count, picked.count < Swift.max(1, max) {
                if !batch.isCut(next) { picked.append(next) }
                next += 1
            }
            batch.taken.store(next, ordering: .releasing)
            return (batch, picked)
        }
    }

    private func pollLoop() {
        swift_rdkafka_name_thread("rdk:sdk-consume")
        pollThread.withLock { $0 = .current }
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: maxBatch)
        defer {
            buffer.deallocate()
            threadDone.signal()
        }
        while true {
            condition.lock()
            while requests.isEmpty && !stopRequested { condition.wait() }
            if stopRequested {
                let waiting = requests
                requests = []
                for request in waiting {
                    results[request.id] = .closed
                    request.continuation.resume()
                }
                condition.unlock()
                return
            }
            let request = requests.removeFirst()
            condition.unlock()
            storeTaken(all: true)
            let result = serve(request, buffer: buffer)
            condition.lock()
            cancelledRequests.remove(request.id)
            results[request.id] = result
            request.continuation.resume()  // under the lock: see fetch(max:deadline:)
            condition.unlock()
        }
    }

    private func isCancelled(_ request: Request) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelledRequests.contains(request.id) || stopRequested
    }

    private func serve(_ request: Request, buffer: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>) -> FetchResult {
        while true {
            if let error = pendingError.withLock({ e -> KafkaError? in defer { e = nil }; return e }) { return .failed(error) }
            if isCancelled(request) { return .empty }
            var count = rd_kafka_consume_batch_queue(queue, 0, buffer, request.max)
            if count == 0 {
                var waitMs: Int32 = 100
                if let deadline = request.deadline {
                    let left = deadline - ContinuousClock.now
                    if left <= .zero { return .empty }
                    waitMs = Swift.min(100, Swift.max(1, left.clampedMilliseconds))
                }
                if let first = rd_kafka_consumer_poll(handle.pointer, waitMs) {
                    buffer[0] = first
                    count = 1
                    if request.max > 1 {
                        let more = rd_kafka_consume_batch_queue(queue, 0, buffer + 1, request.max - 1)
                        if more > 0 { count += more }
                    }
                }
            }
            if count < 0 {
                return .failed(Interop.error(rd_kafka_last_error(), "consume failed"))
            }
            if let fetchWaker, count > 0 { fetchWaker.observe(queueLength: Int(rd_kafka_queue_length(queue))) }
            if let batch = MessageBatch.take(owner: handle, from: buffer, count: count, onError: consumeError) {
                return .batch(batch)
            }
        }
    }

    /// Turns an error "message" (partition EOF, consumer error) into an event, and destroys it.
    private func consumeError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            eventHandler?(.partitionEOF(TopicPartition(topic, m.partition), offset: m.offset))
            return
        }
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? Interop.errorText(Int32(m.err.rawValue))
        var error = Interop.error(m.err, topic.isEmpty ? text : "\(topic)[\(m.partition)]: \(text)")
        if m.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET {
            error.fix = "the group has no valid committed offset and auto.offset.reset=error: seek, or set auto.offset.reset"
        }
        if let fatal = handle.fatalError() {
            pendingError.withLock { $0 = fatal }
        } else if m.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || m.err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED {
            pendingError.withLock { $0 = error }
        }
        eventHandler?(.error(error))
        handle.context.log(.warning, "CONSUME", error.description)
    }
}
