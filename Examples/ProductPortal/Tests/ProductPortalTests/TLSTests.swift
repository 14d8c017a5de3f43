import Foundation
import HummingbirdTesting
import Logging
import ProductPortal
import RdKafka
import RdKafkaTesting
import Testing

@Suite("TLS")
struct TLSTests {
    @Test(
        "over TLS, an update published through the portal is consumed back through the same front",
        .enabled(if: TLSFront.current != nil,
            "needs RDKAFKA_TEST_SSL_BOOTSTRAP, RDKAFKA_TEST_CERTS_DIR and RDKAFKA_TEST_KEY_PASSWORD (source .brokers/env after scripts/brokers.sh start)"),
        .timeLimit(.minutes(2)))
    func publishAndConsumeOverTLS() async throws {
        let front = try #require(TLSFront.current)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portal-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("portal-tls.properties").path
        try front.properties.write(toFile: file, atomically: true, encoding: .utf8)

        let tls = try KafkaConfiguration(contentsOfFile: file)
        let topic = try await TestKafka.createTopic(configuration: tls)
        var settings = PortalSettings()   // no KAFKA_* variables: everything comes from the file
        settings.kafkaConfigFile = file
        settings.topic = topic
        settings.subscribers = [TestKafka.uniqueSubscribers()[0]]
        settings.kafkaOverrides["topic.metadata.refresh.interval.ms"] = "1000"
        settings.shutdownTimeout = .seconds(10)
        #expect(try settings.producerConfiguration().securityProtocol == .ssl)

        let received = ReceivedUpdates()
        let (logger, logs) = CapturingLogHandler.logger(level: .debug)
        let app = try PortalApplication.build(settings: settings, logger: logger, onUpdate: { received.append($0) })
        try await app.test(.router) { client in
            let answer = try await PortalRequests.updateABC(client)
            // The subscriber reads the same file, so it consumes over TLS too.
            let updates = try await received.wait { !$0.isEmpty }
            #expect(updates.first?.update == PriceUpdate(product: "ABC", updatedPrice: 100.0))

            // And the exact bytes, read back independently with the file's settings.
            let consumer = try KafkaConsumer(configuration: tls, options: .init(logHandler: KafkaLog.none))
            try await consumer.assign([TopicPartition(topic, answer.partition): .offset(try #require(answer.offset))])
            let messages = try await KafkaTestSupport.collect(1, from: consumer, timeout: .seconds(30))
            #expect(messages.first?.valueString == #"{"Product":"ABC","UpdatedPrice":100.0}"#)
            #expect(messages.first?.keyString == "ABC")
            try await consumer.close()
        }
        let leaked = logs.all.filter { "\($0.message) \($0.metadata)".contains(front.keyPassword) }
        #expect(leaked.isEmpty, "the key password appeared in a log line")
        #expect(!logs.all.isEmpty)
    }
}
