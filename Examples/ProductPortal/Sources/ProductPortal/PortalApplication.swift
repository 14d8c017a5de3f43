import Hummingbird
import Logging
import RdKafka
import RdKafkaMetrics
import ServiceLifecycle

/// Builds the portal: the HTTP API, the producer and the subscribers, as one Hummingbird
/// application whose `ServiceGroup` shuts them down in order (HTTP server first, then the
/// subscribers, then the producer, which delivers what is queued).
public enum PortalApplication {
    /// - Parameters:
    ///   - metrics: Receives the Kafka clients' statistics when `statistics.interval.ms` is set
    ///     (in the `PORTAL_KAFKA_CONFIG` file or as `KAFKA_STATISTICS_INTERVAL_MS`); by default
    ///     they go to the bootstrapped `MetricsSystem`.
    ///   - onUpdate: Called for every update a subscriber receives, after it is logged (tests
    ///     and demos watch the subscribers through it).
    /// - Throws: `KafkaError` when a Kafka configuration is wrong.
    public static func build(
        settings: PortalSettings, logger: Logger, metrics: KafkaMetricsBridge = KafkaMetricsBridge(),
        onUpdate: @escaping @Sendable (ReceivedPriceUpdate) async -> Void = { _ in }
    ) throws(KafkaError) -> some ApplicationProtocol {
        let producerConfig = try settings.producerConfiguration()
        // `description` redacts passwords and keys; warnings explain translated or ignored keys.
        logger.info("Kafka producer configuration:\n\(producerConfig)")
        for warning in producerConfig.warnings { logger.warning("Kafka configuration: \(warning)") }
        // Statistics cost librdkafka a JSON document per client and interval: only when asked for.
        func statistics(_ config: KafkaConfiguration) -> KafkaMetricsBridge? { (config.statisticsInterval ?? .zero) > .zero ? metrics : nil }
        if let interval = producerConfig.statisticsInterval, interval > .zero {
            logger.info("Kafka statistics every \(interval) are recorded as swift-metrics gauges")
        }
        let publisher = try PricePublisher(
            configuration: producerConfig, topic: settings.topic, logger: logger, shutdownTimeout: settings.shutdownTimeout,
            metrics: statistics(producerConfig))
        var services: [any Service] = [publisher]
        for definition in settings.subscribers {
            let consumerConfig = try settings.consumerConfiguration(for: definition)
            services.append(try PriceSubscriber(
                definition: definition, configuration: consumerConfig, topic: settings.topic, logger: logger,
                metrics: statistics(consumerConfig), onUpdate: onUpdate))
        }

        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.info))
        ProductAdminController(publisher: publisher, credentials: settings.credentials).addRoutes(to: router)
        // Services start in this order and stop in reverse, after the HTTP server.
        return Application(
            router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "product-portal"),
            services: services, logger: logger)
    }
}
