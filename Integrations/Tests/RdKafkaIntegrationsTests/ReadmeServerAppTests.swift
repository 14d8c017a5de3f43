import Logging
import RdKafka
import RdKafkaLogging
import RdKafkaMetrics
import RdKafkaServiceLifecycle
import RdKafkaTesting
import ServiceLifecycle
import Testing

/// README.md's "Using it in a server app", as written there, on the embedded mock cluster (the
/// broker address swapped, and the group shut down by the test instead of SIGTERM).
@Suite("README server app runs as written", .timeLimit(.minutes(2)))
struct ReadmeServerAppTests {
    @Test("orders in, invoices out, and a graceful shutdown")
    func serverApp() async throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("orders", partitions: 1)
        try cluster.createTopic("invoices", partitions: 1)
        let seed = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                     options: .init(logHandler: KafkaLog.none))
        for i in 0..<3 { _ = try await seed.send(KafkaProducerMessage(topic: "orders", key: "o\(i)", value: "order \(i)")) }
        _ = await seed.shutdown()

        // --- README ---
        let logger = Logger(label: "billing")
        let metrics = KafkaMetricsBridge()  // into the bootstrapped MetricsSystem
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = "billing"
        config.autoOffsetReset = .earliest
        config.statisticsInterval = .seconds(15)

        let producer = try KafkaProducerService(configuration: config, options: .init(
            logHandler: KafkaLogBridge.handler(logger), errorHandler: metrics.errorHandler, statisticsHandler: metrics.statisticsHandler))
        let billing = try KafkaConsumerService(configuration: config, topics: ["orders"], options: .init(
            logHandler: KafkaLogBridge.handler(logger), eventHandler: metrics.consumerEventHandler)) { order in
            let invoice = KafkaProducerMessage(topic: "invoices", key: order.keyString.map { KafkaPayload($0) }, value: "invoice: \(order.valueString ?? "")")
            let report = try await producer.producer.send(invoice)
            logger.info("invoiced", metadata: ["order": "\(order.offset)", "invoice": "\(report)"])
        }
        // On SIGTERM billing finishes the order in hand, commits and leaves the group; then the
        // producer delivers what is queued.
        let group = ServiceGroup(services: [producer, billing], gracefulShutdownSignals: [.sigterm], logger: logger)
        // --- end of README ---

        let running = Task { try await group.run() }
        let reader = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                       options: .init(logHandler: KafkaLog.none))
        try await reader.assign([TopicPartition("invoices", 0): .beginning])
        let invoices = try await KafkaTestSupport.collect(3, from: reader)
        try await reader.close()
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(invoices.map(\.valueString) == ["invoice: order 0", "invoice: order 1", "invoice: order 2"])
        #expect(invoices.map(\.keyString) == ["o0", "o1", "o2"])
    }
}
