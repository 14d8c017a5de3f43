#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import Dispatch

/// Consumes messages from Kafka through librdkafka, in a consumer group (``subscribe(topics:startingAt:)``)
/// or from partitions you choose (``assign(_:timeout:)``).
///
/// ```swift
/// var config = KafkaConfiguration(bootstrapServers: ["localhost:9092"])
/// config.groupID = "inventory"
/// let consumer = try KafkaConsumer(configuration: config)
/// try consumer.subscribe(topics: ["product-price"])
/// for try await message in consumer.messages { print(message.valueString ?? "") }
/// ```
///
/// Polling is the SDK's job: a poll thread fetches batches when the app asks for messages, and
/// runs rebalance hooks. Nothing is fetched into Swift before the loop asks for it.
///
/// Offsets: with `enable.auto.offset.store` left on (the default), a message's offset is
/// stored once the loop has taken it and asked for the next one (or calls ``commit()``), and
/// auto commit (`enable.auto.commit`, default on) commits stored offsets in the background and
/// at ``close(timeout:)``: at-least-once. With `enable.auto.offset.store=false`, only
/// ``storeOffset(_:)`` stores them.
///
/// `max.poll.interval.ms` (default 300 s) is honoured as in every librdkafka client: if the loop
/// body takes longer than that between two messages, the consumer leaves the group, its
/// partitions go to others (reported as ``RebalanceEvent/lost(_:)``), and it rejoins on its
/// next request.
///
/// `KafkaConsumer` is `Sendable`; iterate ``messages`` from one task at a time.
public final class KafkaConsumer: Sendable {
    /// SDK behaviour that is not a librdkafka property.
    ///
    /// The handlers may capture the consumer (to commit in a revoke hook): ``close(timeout:)``
    /// releases them, which breaks that reference cycle.
    public struct Options: Sendable {
        /// Most messages handed over per batch.
        public var maxBatchSize: Int
        /// Receives librdkafka's log lines (default: warnings and errors to standard error).
        public var logHandler: KafkaLogHandler
        /// Receives partition EOF, non-fatal errors, rebalances and statistics, on the poll
        /// thread: keep it short.
        public var eventHandler: (@Sendable (KafkaConsumerEvent) -> Void)?
        /// Runs before partitions are revoked (commit or flush work here) and after they are
        /// assigned, before consumption starts. Consumption waits for it.
        public var rebalanceHandler: (@Sendable (RebalanceEvent) async -> Void)?
        /// Where newly assigned partitions start, when the app keeps its offsets outside Kafka
        /// (in its database, next to the results of processing). Called in the rebalance, after
        /// ``rebalanceHandler``'s `.assigned` and before consumption starts, with the partitions
        /// just assigned. Partitions it leaves out start from the group's committed offset (or
        /// `auto.offset.reset`); if it throws, all of them do, and the error goes to
        /// ``eventHandler``. Consumption waits for it.
        public var startPositions: (@Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset])?
        /// Ends librdkafka 2.0.2's fetch pause (default `true`). When the local queue has held
        /// `queued.min.messages`, librdkafka's broker threads stop fetching and nothing wakes them
        /// when the queue drains: the loop then waits up to a second for its next message. With
        /// this on, once the queue has drained to a quarter of `queued.min.messages`, a thread of
        /// the consumer sends one ListOffsets request (`rd_kafka_offsets_for_times`) to each
        /// leader of the assignment, which wakes the broker threads; the answer is discarded.
        /// librdkafka 2.2 and later make that pause a setting, `fetch.queue.backoff.ms`: there
        /// the SDK sets it to a few milliseconds (unless the configuration sets it) and sends
        /// nothing. `false` leaves librdkafka's behaviour as it is.
        public var wakesPausedFetchers: Bool

        public init(
            maxBatchSize: Int = 10_000, logHandler: @escaping KafkaLogHandler = KafkaLog.standardError,
            eventHandler: (@Sendable (KafkaConsumerEvent) -> Void)? = nil,
            rebalanceHandler: (@Sendable (RebalanceEvent) async -> Void)? = nil,
            wakesPausedFetchers: Bool = true,
            startPositions: (@Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset])? = nil
        ) {
            self.startPositions = startPositions
            self.maxBatchSize = maxBatchSize
            self.logHandler = logHandler
            self.eventHandler = eventHandler
            self.rebalanceHandler = rebalanceHandler
            self.wakesPausedFetchers = wakesPausedFetchers
        }
    }

    let core: ConsumerCore

    /// Creates a consumer after checking the configuration.
    ///
    /// - Throws: `KafkaError` naming the property and the fix when the configuration is wrong.
    public init(configuration: KafkaConfiguration, options: Options = Options()) throws(KafkaError) {
        core = try ConsumerCore(
            configuration: configuration, logHandler: options.logHandler, maxBatch: options.maxBatchSize,
            wakesFetchers: options.wakesPausedFetchers, eventHandler: options.eventHandler, rebalanceHandler: options.rebalanceHandler,
            startPositionsHandler: options.startPositions)
    }

    deinit {
        // Inside a task this may be a cooperative thread, which must not wait for the network
        // (leaving the group, the final commit, a revoke hook): an SDK thread closes instead.
        // So does a release on the poll thread (an event handler's), which close waits for.
        if withUnsafeCurrentTask(body: { $0 != nil }) || core.isPollThread {
            core.closeInBackground { _ in }
        } else {
            _ = core.close()
        }
    }

    /// librdkafka's name for this client (`rd_kafka_name`).
    public var name: String { core.handle.name }

    func ensureOpen() throws(KafkaError) {
        if core.closeFinished.load(ordering: .sequentiallyConsistent) { throw KafkaError.closed("The consumer") }
    }

    // MARK: Subscription and assignment

    /// Joins the group (`group.id`) and consumes `topics`; names starting with `^` are regular
    /// expressions (`rd_kafka_subscribe`).
    ///
    /// - Parameters:
    ///   - topics: Topic names or `^` patterns.
    ///   - startingAt: Where to start partitions for which the group has no committed
    ///     offset (otherwise `auto.offset.reset` applies); a restarted app resumes from its
    ///     committed offsets.
    public func subscribe(topics: [String], startingAt: [TopicPartition: KafkaOffset] = [:]) throws(KafkaError) {
        try ensureOpen()
        guard !topics.isEmpty else { throw KafkaError.invalidArgument("no topics to subscribe to", fix: "name at least one topic") }
        for topic in topics {
            if topic.isEmpty { throw KafkaError.invalidArgument("empty topic name in \(topics)") }
            if topic.hasPrefix("^") {
                if let problem = Interop.regexProblem(topic) {
                    throw KafkaError.invalidArgument("'\(topic)' is not a valid regular expression (\(problem))",
                        fix: "fix the pattern, or drop the leading ^ for a plain topic name")
                }
            }
        }
        core.startPositions.withLock { $0 = startingAt }
        try core.subscribe(topics)
    }

    /// Leaves the group's subscription (`rd_kafka_unsubscribe`).
    public func unsubscribe() throws(KafkaError) {
        try ensureOpen()
        try core.unsubscribe()
    }

    /// The subscribed topics (`rd_kafka_subscription`).
    public var subscription: [String] {
        get throws(KafkaError) { try core.subscription() }
    }

    /// The partitions currently assigned (`rd_kafka_assignment`).
    public var assignment: [TopicPartition] {
        get throws(KafkaError) { try core.assignment() }
    }

    /// This member's id in the group (`rd_kafka_memberid`), once it has joined.
    public var memberID: String? { core.memberID() }

    /// The group membership, for ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)``.
    public func groupMetadata() throws(KafkaError) -> KafkaConsumerGroupMetadata {
        KafkaConsumerGroupMetadata(native: try core.groupMetadata())
    }

    // MARK: Consuming

    /// The messages, as the loop asks for them. Throws on fatal and security errors (wrong
    /// password, untrusted certificate); other errors and partition EOF go to
    /// ``Options/eventHandler``. Ends when the consumer is closed, or, once the iterating task
    /// is cancelled, when the batch in hand has been handed out (no wait: a batch is already
    /// in memory, and checking per message would cost every message). A loop that stops early
    /// (`break`) leaves the rest of its batch to the next loop or ``poll(maxMessages:timeout:)``.
    public var messages: Messages { Messages(consumer: self) }

    /// Up to `maxMessages` messages, waiting at most `timeout` for the first one.
    ///
    /// Every message returned counts as taken: its offset is stored (and so committed) on the
    /// next call, whether or not the app looks at it. Ask for no more than you will process.
    /// - Returns: The messages (empty when none arrived in time).
    public func poll(maxMessages: Int = 1_000, timeout: Duration = .seconds(1)) async throws(KafkaError) -> [KafkaMessage] {
        try ensureOpen()
        if let (batch, left) = core.takeLeftover(max: maxMessages), !left.isEmpty {  // a loop stopped early
            return left.map { KafkaMessage(batch: batch, index: $0) }
        }
        switch await core.fetch(max: maxMessages, deadline: ContinuousClock.Instant.after(timeout)) {
        case .batch(let batch):
            core.handOver(batch)
            batch.taken.store(batch.count, ordering: .releasing)
            return (0..<batch.count).map { KafkaMessage(batch: batch, index: $0) }
        case .empty:
            return []
        case .failed(let error):
            throw error
        case .closed:
            throw KafkaError.closed("The consumer")
        }
    }

    // MARK: Close

    /// Stops consuming, commits (when auto commit is on), and leaves the group
    /// (`rd_kafka_consumer_close`), on an SDK thread. A loop iterating ``messages`` ends.
    ///
    /// Returns by `timeout` whatever the brokers or the rebalance hook do: when the close has
    /// not finished by then, it throws `_TIMED_OUT` saying what was still under way, cancels
    /// the task of a rebalance hook that is still running, and the close goes on in the
    /// background (the client is destroyed there once it ends). Cancelling the calling task
    /// does the same at once.
    ///
    /// What is stored, and so committed here or by a revoke hook, ends at the last message the
    /// loop took: messages of the current batch that it never took go to the partition's next
    /// owner.
    public func close(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let core = self.core
        let outcome = await CloseOutcome.race(timeout: timeout) { core.closeInBackground($0) }
        switch outcome {
        case .closed(let error?):
            throw error
        case .closed(nil):
            return
        case .timedOut:
            throw KafkaError(code: .timedOut,
                message: "the consumer did not close within \(timeout): \(core.abandonClose()); the close goes on in the background",
                fix: "give close a longer timeout, keep rebalance hooks shorter than it, or check that the brokers are reachable")
        case .cancelled:
            throw KafkaError(code: .timedOut,
                message: "the task was cancelled before the consumer closed: \(core.abandonClose()); the close goes on in the background")
        }
    }
}

extension KafkaConsumer {
    /// The messages of a consumer, handed over in batches without a task hop per message.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = KafkaMessage
        public typealias Failure = KafkaError
        let consumer: KafkaConsumer

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(core: consumer.core) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            public typealias Failure = KafkaError
            @usableFromInline let core: ConsumerCore
            @usableFromInline var batch: MessageBatch?
            @usableFromInline var index = 0

            init(core: ConsumerCore) { self.core = core }

            public mutating func next() async throws(KafkaError) -> KafkaMessage? {
                try await next(isolation: nil)
            }

            /// Runs on the caller's actor: a loop on the main actor takes messages without a hop
            /// per message (only fetching a new batch leaves the actor).
            @inlinable
            public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> KafkaMessage? {
                // The common case, inlined into the caller's loop: the next message of the batch.
                // After close, messages left in the batch belong to whoever owns the partition next.
                if let batch, index < batch.count, !core.isClosed.load(ordering: .relaxed), !batch.hasCuts.load(ordering: .relaxed) {
                    let message = KafkaMessage(batch: batch, index: index)
                    index += 1
                    batch.taken.store(index, ordering: .releasing)
                    return message
                }
                return try await nextBatch(isolation: actor)
            }

            @usableFromInline
            mutating func nextBatch(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> KafkaMessage? {
                while true {
                    if core.isClosed.load(ordering: .relaxed) { return nil }
                    if let batch, index < batch.count {
                        if batch.isCut(index) {  // its partition was sought elsewhere
                            index += 1
                            batch.taken.store(index, ordering: .releasing)
                            continue
                        }
                        let message = KafkaMessage(batch: batch, index: index)
                        index += 1
                        batch.taken.store(index, ordering: .releasing)
                        return message
                    }
                    if Task.isCancelled { return nil }
                    if batch == nil, let (left, taken) = core.leftover() {  // a loop before this one stopped early
                        batch = left
                        index = taken
                        continue
                    }
                    switch await core.fetch(max: core.maxBatch, deadline: nil) {
                    case .batch(let next):
                        core.handOver(next)
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
