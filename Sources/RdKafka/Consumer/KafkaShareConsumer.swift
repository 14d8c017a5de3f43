/// Reads records as a member of a share group (KIP-932, "Queues for Kafka"): members share the
/// same partitions, each record goes to one member at a time, and each is acknowledged on its
/// own. A released record, or one whose member failed, is delivered again (its
/// ``KafkaMessage/deliveryCount`` says how often); a rejected one never is.
///
/// ```swift
/// var config = KafkaConfiguration(bootstrapServers: ["localhost:9092"])
/// config.groupID = "resize-jobs"
/// config.shareAcknowledgementMode = .explicit
/// let jobs = try KafkaShareConsumer(configuration: config)
/// try await jobs.subscribe(topics: ["images"])
/// for try await job in jobs.messages {
///     do {
///         try await resize(job)
///         try jobs.acknowledge(job, .accept)
///     } catch where job.deliveryCount ?? 1 >= 3 {
///         try jobs.acknowledge(job, .reject)   // a poison job: never again
///     } catch {
///         try jobs.acknowledge(job, .release)  // another try, perhaps by another worker
///     }
/// }
/// ```
///
/// Needs librdkafka 2.15 or later, where share consumers are a preview, and a broker with
/// share groups (Kafka 4.2). On an older librdkafka, creating one throws the error naming the
/// release it needs. A share group starts at the latest offset unless the group's
/// `share.auto.offset.reset` says otherwise (a broker-side group setting).
///
/// Acknowledgement (`share.acknowledgement.mode`, ``KafkaConfiguration/shareAcknowledgementMode``):
/// - implicit (the default): a record is accepted once the loop has taken it and asks for the
///   next one; at ``close(timeout:)``, records of the batch the loop never took are released.
/// - explicit: the app acknowledges every record of a batch before the loop asks for the next
///   batch; one left out fails the loop with an error naming it. At close, records not
///   acknowledged are released.
///
/// Acknowledgements reach the broker with the next fetch, ``commit(timeout:)``,
/// ``commitAsync()`` or the close; the broker's answers go to ``Options/eventHandler``.
///
/// A thread of the consumer makes every librdkafka call (its share handle takes one caller at
/// a time), so nothing here blocks a Swift concurrency thread. `KafkaShareConsumer` is
/// `Sendable`; iterate ``messages`` from one task at a time.
public final class KafkaShareConsumer: Sendable {
    /// SDK behaviour that is not a librdkafka property.
    public struct Options: Sendable {
        /// Receives librdkafka's log lines (default: warnings and errors to standard error).
        public var logHandler: KafkaLogHandler
        /// Receives acknowledgement outcomes and non-fatal errors, on the consumer's thread:
        /// keep it short.
        public var eventHandler: (@Sendable (Event) -> Void)?

        public init(logHandler: @escaping KafkaLogHandler = KafkaLog.standardError, eventHandler: (@Sendable (Event) -> Void)? = nil) {
            self.logHandler = logHandler
            self.eventHandler = eventHandler
        }
    }

    let core: ShareConsumerCore

    /// Creates a share consumer after checking the configuration (`rd_kafka_share_consumer_new`).
    ///
    /// - Throws: `KafkaError` naming the property and the fix when the configuration is wrong
    ///   (`group.id` is required), or naming the release needed when the loaded librdkafka has
    ///   no share consumer.
    public init(configuration: KafkaConfiguration, options: Options = Options()) throws(KafkaError) {
        core = try ShareConsumerCore(configuration: configuration, logHandler: options.logHandler, eventHandler: options.eventHandler)
    }

    deinit {
        core.closeInBackground { _ in }
    }

    /// How records are acknowledged.
    public var acknowledgementMode: ShareAcknowledgementMode { core.mode }

    /// Joins the share group for `topics` (`rd_kafka_share_subscribe`); the broker decides
    /// which partitions this member reads. Exact names only: share groups take no patterns.
    public func subscribe(topics: [String]) async throws(KafkaError) {
        guard !topics.isEmpty else { throw KafkaError.invalidArgument("no topics to subscribe to", fix: "name at least one topic") }
        for topic in topics {
            if topic.isEmpty { throw KafkaError.invalidArgument("empty topic name in \(topics)") }
            if topic.hasPrefix("^") {
                throw KafkaError.invalidArgument("'\(topic)' is a pattern; share groups subscribe to exact topic names only",
                    fix: "name the topics")
            }
        }
        guard Set(topics).count == topics.count else {
            throw KafkaError.invalidArgument("\(topics) names a topic twice", fix: "name each topic once")
        }
        try await core.subscribe(topics)
    }

    /// Leaves the share group's subscription (`rd_kafka_share_unsubscribe`).
    public func unsubscribe() async throws(KafkaError) {
        try await core.unsubscribe()
    }

    /// The records, handed over in batches (`rd_kafka_share_poll`). Throws on fatal and
    /// security errors, on a consumer that is not subscribed, and (explicit mode) when a
    /// record of the previous batch was not acknowledged. Ends when the consumer is closed or
    /// the iterating task is cancelled (within a tenth of a second while it waits for records).
    public var messages: Messages { Messages(core: core) }

    /// Acknowledges `message`, a record of the batch in hand, with `acknowledgement`
    /// (explicit mode). It reaches the broker with the next fetch, commit or the close.
    ///
    /// - Throws: `KafkaError` when the consumer acknowledges implicitly, when `message` is not
    ///   a record of this consumer's current batch, or when it was acknowledged already.
    public func acknowledge(_ message: KafkaMessage, _ acknowledgement: Acknowledgement = .accept) throws(KafkaError) {
        try core.acknowledge(message, acknowledgement)
    }

    /// Sends the acknowledgements made so far and waits for the broker's answers
    /// (`rd_kafka_share_commit_sync`); in implicit mode, every record the loop has taken counts
    /// as accepted. Each partition's answer also goes to ``Options/eventHandler``.
    ///
    /// - Throws: `KafkaError` naming the partitions whose acknowledgements failed, or
    ///   `_TIMED_OUT` when the broker did not answer within `timeout`.
    public func commit(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try await core.commit(timeout: timeout)
    }

    /// Sends the acknowledgements made so far without waiting (`rd_kafka_share_commit_async`);
    /// the answers go to ``Options/eventHandler``.
    public func commitAsync() async throws(KafkaError) {
        try await core.commitAsync()
    }

    /// Sends what is acknowledged, releases records of the batch in hand that are not (in
    /// implicit mode: those the loop never took), and leaves the group
    /// (`rd_kafka_share_consumer_close`), on the consumer's thread. A loop iterating
    /// ``messages`` ends.
    ///
    /// Returns by `timeout`: when the close has not finished by then it throws `_TIMED_OUT` and
    /// goes on in the background (librdkafka bounds it by `socket.timeout.ms`). Cancelling the
    /// calling task does the same at once.
    public func close(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let core = self.core
        let outcome = await CloseOutcome.race(timeout: timeout) { core.closeInBackground($0) }
        switch outcome {
        case .closed(let error?): throw error
        case .closed(nil): return
        case .timedOut:
            throw KafkaError(code: .timedOut, message: "the share consumer did not close within \(timeout); the close goes on in the background",
                fix: "give close a longer timeout, or check that the brokers are reachable")
        case .cancelled:
            throw KafkaError(code: .timedOut, message: "the task was cancelled before the share consumer closed; the close goes on in the background")
        }
    }
}

extension KafkaShareConsumer {
    /// The records of a share consumer, handed over in batches without a task hop per record.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = KafkaMessage
        public typealias Failure = KafkaError
        let core: ShareConsumerCore

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(core: core) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            public typealias Failure = KafkaError
            let core: ShareConsumerCore
            var batch: MessageBatch?
            var index = 0

            public mutating func next() async throws(KafkaError) -> KafkaMessage? {
                try await next(isolation: nil)
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> KafkaMessage? {
                while true {
                    if core.isClosed { return nil }
                    if let batch, index < batch.count {
                        let message = KafkaMessage(batch: batch, index: index)
                        index += 1
                        batch.taken.store(index, ordering: .releasing)
                        return message
                    }
                    if Task.isCancelled { return nil }
                    switch await core.fetch() {
                    case .batch(let next):
                        batch = next
                        index = 0
                    case .empty:
                        if Task.isCancelled { return nil }
                    case .failed(let error):
                        throw error
                    case .closed:
                        return nil
                    }
                }
            }
        }
    }
}
