import Logging
import RdKafkaLogging
import RdKafka
import RdKafkaTesting
import Testing

@Suite("librdkafka logs in swift-log", .timeLimit(.minutes(1)))
struct KafkaLogBridgeTests {
    @Test("each librdkafka severity maps to a swift-log level", arguments: [
        (KafkaLogMessage.Level.emergency, Logger.Level.critical), (.alert, .critical), (.critical, .critical),
        (.error, .error), (.warning, .warning), (.notice, .notice), (.info, .info), (.debug, .debug),
    ])
    func levels(_ level: KafkaLogMessage.Level, _ expected: Logger.Level) {
        #expect(KafkaLogBridge.level(level) == expected)
    }

    @Test("librdkafka's debug lines reach the swift-log handler with facility and client name")
    func debugLinesArrive() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("log-bridge")
        try cluster.createTopic(topic, partitions: 1)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config["client.id"] = "log-bridge-test"
        config["debug"] = "broker"
        let (logger, logs) = CapturingLogHandler.logger(level: .debug)
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLogBridge.handler(logger)))
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "x"))
        _ = await producer.shutdown()

        let lines = logs.all.filter { $0.source == "librdkafka" }
        #expect(lines.contains { $0.level == .debug }, "expected librdkafka debug lines, got \(lines.count) lines")
        #expect(lines.allSatisfy { $0.metadata["kafka.facility"].map { "\($0)" }?.isEmpty == false })
        // Lines logged while librdkafka creates the client come before it has a name.
        let named = lines.compactMap { $0.metadata["kafka.client"].map { "\($0)" } }
        #expect(!named.isEmpty)
        #expect(named.allSatisfy { $0.hasPrefix("log-bridge-test#producer-") }, "client names: \(Set(named))")
    }

    @Test("a broker that refuses connections shows up as an error line, and secrets stay out of the log")
    func connectionErrorArrives() async throws {
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config.saslUsername = "portal"
        config.saslPassword = "never-log-this-9d2e"
        config.debugContexts = ["conf", "broker"]
        let (logger, logs) = CapturingLogHandler.logger(level: .trace)
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLogBridge.handler(logger)))
        let deadline = ContinuousClock.now + .seconds(20)
        while !logs.all.contains(where: { $0.source == "librdkafka" && $0.level == .error }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await producer.shutdown(timeout: .milliseconds(100))
        let errors = logs.all.filter { $0.source == "librdkafka" && $0.level == .error }
        #expect(!errors.isEmpty, "expected an error line for the refused connection")
        #expect(errors.contains { "\($0.message)".contains("127.0.0.1:1") })
        #expect(!logs.all.contains { "\($0.message) \($0.metadata)".contains("never-log-this-9d2e") })
    }
}
