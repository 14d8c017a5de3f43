import Foundation
import Hummingbird
import Logging
import ProductPortal
import RdKafkaTesting

// The product admin portal with its three subscribers; settings come from PORTAL_* and KAFKA_*
// environment variables (see README.md). Stops gracefully on SIGINT and SIGTERM.
let environment = ProcessInfo.processInfo.environment
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return handler
}
let logger = Logger(label: "product-portal")
// No MetricsSystem.bootstrap: Kafka statistics (KAFKA_STATISTICS_INTERVAL_MS) go to swift-metrics'
// no-op backend. Bootstrap one here, before PortalApplication.build, to export them (README.md, "Metrics").
do {
    var settings = try PortalSettings.fromEnvironment(environment)
    // PORTAL_EMBEDDED_CLUSTER=1: try the portal without a broker, on librdkafka's in-process
    // mock cluster (kept alive by this binding until the process exits).
    let embedded = environment["PORTAL_EMBEDDED_CLUSTER"] == "1" ? try MockCluster(brokers: 1) : nil
    if let embedded {
        try embedded.createTopic(settings.topic, partitions: 2)
        settings.kafkaOverrides["bootstrap.servers"] = embedded.bootstrapServers
        logger.info("Using an embedded mock Kafka cluster at \(embedded.bootstrapServers)")
    }
    let app = try PortalApplication.build(settings: settings, logger: logger)
    try await app.runService()
    withExtendedLifetime(embedded) {}
} catch {
    logger.critical("product-portal stopped: \(error)")
    exit(1)
}
