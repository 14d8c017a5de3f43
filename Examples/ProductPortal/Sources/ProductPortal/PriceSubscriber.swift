import Logging
import RdKafka
import ServiceLifecycle

/// A system that follows price updates: one `KafkaConsumer` in the subscriber's own group,
/// decoding each message and handing it to `onUpdate`.
///
/// As a `Service` it consumes until graceful shutdown (or cancellation), then closes the
/// consumer, which commits what was handled and leaves the group.
public final class PriceSubscriber: Service, Sendable {
    public let definition: SubscriberDefinition
    public let topic: String
    private let consumer: KafkaConsumer
    private let logger: Logger
    private let onUpdate: @Sendable (ReceivedPriceUpdate) async -> Void

    /// - Parameter metrics: Receives the consumer's statistics, when `statistics.interval.ms` is set.
    /// - Throws: `KafkaError` when the configuration is wrong.
    public init(
        definition: SubscriberDefinition, configuration: KafkaConfiguration, topic: String, logger: Logger,
        metrics: KafkaMetricsBridge? = nil, onUpdate: @escaping @Sendable (ReceivedPriceUpdate) async -> Void
    ) throws(KafkaError) {
        self.definition = definition
        self.topic = topic
        var logger = logger
        logger[metadataKey: "subscriber"] = "\(definition.name)"
        self.logger = logger
        self.onUpdate = onUpdate
        consumer = try KafkaConsumer(
            configuration: configuration,
            options: .init(logHandler: KafkaLogBridge.handler(logger), eventHandler: metrics?.consumerEventHandler))
    }

    public func run() async throws {
        try consumer.subscribe(topics: [topic])
        logger.info("Subscribed", metadata: ["topic": "\(topic)", "group": "\(definition.groupID)"])
        var failure: (any Error)?
        do {
            // Consume until graceful shutdown (or cancellation), whichever ends first; cancelling
            // the loop's task ends it promptly.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.consume() }
                group.addTask { try? await gracefulShutdown() }
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        // Commit and leave the group on every exit, so a restart resumes where this one stopped.
        do { try await consumer.close(timeout: .seconds(10)) } catch {
            logger.warning("Consumer did not close cleanly", metadata: ["error": "\(error)"])
        }
        logger.info("Unsubscribed")
        if let failure { throw failure }
    }

    private func consume() async throws {
        for try await message in consumer.messages {
            let update: PriceUpdate
            do {
                update = try message.decode(PriceUpdate.self)
            } catch {
                // One bad message must not stop the subscriber: note it and go on.
                logger.warning("Skipping a message that is not a price update", metadata: ["message": "\(message)", "error": "\(error)"])
                continue
            }
            logger.info("New message received from the product admin", metadata: [
                "topic": "\(message.topic)", "received": "\(message.valueString ?? "")",
            ])
            await onUpdate(ReceivedPriceUpdate(
                subscriber: definition, update: update, topic: message.topic, partition: message.partition, offset: message.offset))
            logger.info("\(definition.action)", metadata: ["product": "\(update.product)", "price": "\(update.updatedPrice)"])
        }
    }
}
