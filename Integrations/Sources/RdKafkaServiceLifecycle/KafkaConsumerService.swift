import RdKafka
import ServiceLifecycle
import Synchronization

/// A `KafkaConsumer` as a ServiceLifecycle `Service` that hands each message to a closure.
///
/// ```swift
/// let orders = try KafkaConsumerService(configuration: config, topics: ["orders"]) { message in
///     try await store.save(try message.decode(Order.self))
/// }
/// ```
///
/// Offsets: the service stores a message's offset when the closure returns for it, so what is
/// committed (by auto commit, in a rebalance, at shutdown) never covers a message the closure
/// has not finished: at-least-once (a `consumer.commit()` inside the closure covers the messages
/// before the one in hand). It sets `enable.auto.offset.store=false` to do so; set that yourself
/// and the closure stores offsets (``KafkaConsumer/storeOffset(_:)``) instead.
///
/// On graceful shutdown the service lets the message in hand finish (a message the closure has
/// not started is left for the next owner), commits, and leaves the group (`close`). An error
/// thrown by the closure, or a fatal or security error of the consumer, ends ``run()`` with that
/// error after the same close, so the `ServiceGroup` stops the other services. Cancelling
/// ``run()`` cancels the closure's task and closes the consumer. A message whose processing was
/// cut short comes again.
public final class KafkaConsumerService: Service, Sendable {
    /// The consumer; the service subscribes it to ``topics`` when it starts.
    public let consumer: KafkaConsumer
    public let topics: [String]
    /// How long closing (final commit, leaving the group) may take.
    public let closeTimeout: Duration
    private let process: @Sendable (KafkaMessage) async throws -> Void
    /// Whether the service stores offsets (the closure does when the configuration says so).
    private let storesOffsets: Bool

    private struct State {
        var processing = false
        var stopping = false
        /// The stop, waiting for the message in hand to finish.
        var stopWaiting: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    /// - Throws: `KafkaError` when the configuration is wrong (naming the property), including
    ///   `enable.auto.offset.store=true`, which would commit messages the closure has not finished.
    public init(
        configuration: KafkaConfiguration, topics: [String], options: KafkaConsumer.Options = .init(),
        closeTimeout: Duration = .seconds(30), process: @escaping @Sendable (KafkaMessage) async throws -> Void
    ) throws(KafkaError) {
        var configuration = configuration
        switch configuration.enableAutoOffsetStore {
        case true?:
            throw KafkaError(
                code: .invalidArgument, message: "enable.auto.offset.store=true stores a message's offset when the consumer hands it out, so a commit could cover a message KafkaConsumerService has not finished processing",
                property: "enable.auto.offset.store", origin: configuration.entry("enable.auto.offset.store")?.origin, fix: "remove enable.auto.offset.store (the service stores each offset when the closure returns), or set it to false and store offsets in the closure with consumer.storeOffset(_:)")
        case false?:
            storesOffsets = false
        case nil:
            storesOffsets = true
            configuration.set("enable.auto.offset.store", "false",
                              origin: .sdk(reason: "KafkaConsumerService stores each offset when the closure returns"))
        }
        consumer = try KafkaConsumer(configuration: configuration, options: options)
        self.topics = topics
        self.closeTimeout = closeTimeout
        self.process = process
    }

    public func run() async throws {
        try consumer.subscribe(topics: topics)
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.consume() }
                group.addTask {
                    try? await gracefulShutdown()
                    await self.stopBetweenMessages()
                }
                try await group.next()
                // Either the loop ended (an error, or the end) or the stop came while no message
                // was being processed: the loop is at most waiting for its next message.
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        do {
            try await consumer.commit()
        } catch where failure == nil && error.code != .noOffset {
            failure = error
        } catch {}
        do { try await consumer.close(timeout: closeTimeout) } catch where failure == nil { failure = error } catch {}
        if let failure { throw failure }
    }

    private func consume() async throws {
        for try await message in consumer.messages {
            let started = state.withLock { state -> Bool in
                // Cancelled, the iterator still hands out the batch in hand: start none of it.
                if state.stopping || Task.isCancelled { return false }
                state.processing = true
                return true
            }
            guard started else { return }
            defer {
                let waiting = state.withLock { state in
                    state.processing = false
                    defer { state.stopWaiting = nil }
                    return state.stopWaiting
                }
                waiting?.resume()
            }
            try await process(message)
            if storesOffsets { try store(message) }
            if state.withLock({ $0.stopping }) { return }
        }
    }

    private func store(_ message: KafkaMessage) throws(KafkaError) {
        do {
            try consumer.storeOffset(message)
        } catch where error.code == .state || error.code == .unknownPartition {
            // Revoked or lost while the closure ran: the partition's next owner reads it again.
        }
    }

    /// Marks the stop and waits for the message in hand, if any, to finish (not cut short by
    /// cancellation: a cancelled ``run()`` cancels the closure's task too).
    private func stopBetweenMessages() async {
        await withCheckedContinuation { continuation in
            let busy = state.withLock { state in
                state.stopping = true
                if state.processing { state.stopWaiting = continuation }
                return state.processing
            }
            if !busy { continuation.resume() }
        }
    }
}
