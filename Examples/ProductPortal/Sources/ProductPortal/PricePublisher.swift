import Logging
import RdKafka
import RdKafkaLogging
import RdKafkaMetrics
import RdKafkaServiceLifecycle
import ServiceLifecycle

/// Publishes price updates to Kafka and owns the producer's lifetime.
///
/// As a `Service` it waits for graceful shutdown (SIGINT/SIGTERM through the application's
/// `ServiceGroup`), then shuts the producer down so queued updates are delivered first.
public final class PricePublisher: Service, Sendable {
    public let topic: String
    private let service: KafkaProducerService
    var producer: KafkaProducer { service.producer }
    private let logger: Logger

    /// - Parameter metrics: Receives the producer's statistics, when `statistics.interval.ms` is set.
    /// - Throws: `KafkaError` when the configuration is wrong (the error names the property).
    public init(
        configuration: KafkaConfiguration, topic: String, logger: Logger, shutdownTimeout: Duration = .seconds(30),
        metrics: KafkaMetricsBridge? = nil
    ) throws(KafkaError) {
        self.topic = topic
        self.logger = logger
        service = try KafkaProducerService(
            configuration: configuration,
            options: .init(
                logHandler: KafkaLogBridge.handler(logger),
                errorHandler: { error in
                    logger.warning("Kafka client error", metadata: ["error": "\(error)"])
                    metrics?.record(error: error)
                },
                statisticsHandler: metrics?.statisticsHandler),
            shutdownTimeout: shutdownTimeout)
    }

    /// Publishes `update`, keyed by product so one product's updates stay in order, and waits
    /// for the broker's acknowledgement.
    /// - Throws: `KafkaError`, or `CancellationError` when the request's task is cancelled.
    public func publish(_ update: PriceUpdate) async throws -> DeliveryReport {
        let message = KafkaProducerMessage(topic: topic, key: KafkaPayload(update.product), value: KafkaPayload(update.jsonBytes()))
        let report = try await producer.send(message)
        logger.info("Price update published", metadata: [
            "product": "\(update.product)", "price": "\(update.updatedPrice)",
            "partition": "\(report.partition)", "offset": "\(report.offset.map(String.init) ?? "unknown")",
        ])
        return report
    }

    /// Updates queued or in flight, not yet acknowledged.
    public var pendingCount: Int { producer.outstandingMessageCount }

    public func run() async throws {
        // Until graceful shutdown or cancellation; then the producer delivers what is queued.
        defer { report(service.undelivered) }
        try await service.run()
    }

    /// Stops taking updates and delivers what is queued; returns what could not be delivered.
    @discardableResult
    public func shutdown() async -> [KafkaProducerMessage] {
        let undelivered = await producer.shutdown(timeout: service.shutdownTimeout)
        report(undelivered)
        return undelivered
    }

    private func report(_ undelivered: [KafkaProducerMessage]) {
        if undelivered.isEmpty {
            logger.info("Kafka producer shut down; every update was delivered")
        } else {
            logger.error("Kafka producer shut down with undelivered updates", metadata: ["count": "\(undelivered.count)"])
        }
    }
}
