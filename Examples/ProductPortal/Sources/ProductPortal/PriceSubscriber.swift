import Logging
import RdKafka
import RdKafkaLogging
import RdKafkaMetrics
import RdKafkaServiceLifecycle
import ServiceLifecycle

/// A system that follows price updates: one `KafkaConsumer` in the subscriber's own group,
/// decoding each message and handing it to `onUpdate`.
///
/// As a `Service` it consumes until graceful shutdown (or cancellation), then closes the
/// consumer, which commits what was handled and leaves the group.
public final class PriceSubscriber: Service, Sendable {
    public let definition: SubscriberDefinition
    public let topic: String
    private let service: KafkaConsumerService
    private let logger: Logger

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
        service = try KafkaConsumerService(
            configuration: configuration, topics: [topic],
            options: .init(logHandler: KafkaLogBridge.handler(logger), eventHandler: metrics?.consumerEventHandler),
            closeTimeout: .seconds(10)
        ) { [logger] message in
            await Self.handle(message, definition: definition, logger: logger, onUpdate: onUpdate)
        }
    }

    public func run() async throws {
        logger.info("Subscribed", metadata: ["topic": "\(topic)", "group": "\(definition.groupID)"])
        // Consumes until graceful shutdown (finishing the update in hand) or cancellation, then
        // commits and leaves the group, so a restart resumes where this one stopped.
        defer { logger.info("Unsubscribed") }
        try await service.run()
    }

    private static func handle(
        _ message: KafkaMessage, definition: SubscriberDefinition, logger: Logger,
        onUpdate: @Sendable (ReceivedPriceUpdate) async -> Void
    ) async {
        let update: PriceUpdate
        do {
            update = try message.decode(PriceUpdate.self)
        } catch {
            // One bad message must not stop the subscriber: note it and go on.
            logger.warning("Skipping a message that is not a price update", metadata: ["message": "\(message)", "error": "\(error)"])
            return
        }
        logger.info("New message received from the product admin", metadata: [
            "topic": "\(message.topic)", "received": "\(message.valueString ?? "")",
        ])
        await onUpdate(ReceivedPriceUpdate(
            subscriber: definition, update: update, topic: message.topic, partition: message.partition, offset: message.offset))
        logger.info("\(definition.action)", metadata: ["product": "\(update.product)", "price": "\(update.updatedPrice)"])
    }
}
