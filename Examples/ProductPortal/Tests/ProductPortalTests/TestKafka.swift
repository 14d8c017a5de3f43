import Foundation
import ProductPortal
import RdKafka
import RdKafkaTesting

/// The cluster the tests use: `KAFKA_BOOTSTRAP_SERVERS` (a real cluster), else
/// `RDKAFKA_TEST_NOIDA_BOOTSTRAP` (noida-db from `scripts/brokers.sh start`), else an
/// in-process `MockCluster`.
enum TestKafka {
    static let environment = ProcessInfo.processInfo.environment

    static let externalBootstrap: String? = environment["KAFKA_BOOTSTRAP_SERVERS"] ?? environment["RDKAFKA_TEST_NOIDA_BOOTSTRAP"]

    /// Shared by every test in the process; nil when an external cluster is used.
    static let embedded: MockCluster? = externalBootstrap == nil ? try? MockCluster(brokers: 3) : nil

    static var isEmbedded: Bool { externalBootstrap == nil }

    static func bootstrap() throws -> String {
        if let externalBootstrap { return externalBootstrap }
        guard let embedded else { throw TestFailure("the in-process mock cluster did not start") }
        return embedded.bootstrapServers
    }

    /// Portal settings for this cluster, with no outside `KAFKA_*` variables leaking in.
    static func settings(topic: String, subscribers: [SubscriberDefinition] = []) throws -> PortalSettings {
        var settings = PortalSettings(kafkaEnvironment: ["KAFKA_BOOTSTRAP_SERVERS": try bootstrap()])
        settings.topic = topic
        settings.subscribers = subscribers
        settings.kafkaOverrides["topic.metadata.refresh.interval.ms"] = "1000"
        settings.shutdownTimeout = .seconds(10)
        return settings
    }

    /// The guide's subscribers, in groups no other test run uses.
    static func uniqueSubscribers() -> [SubscriberDefinition] {
        SubscriberDefinition.all.map { definition in
            var unique = definition
            unique.groupID = KafkaTestSupport.uniqueGroupID(definition.groupID)
            return unique
        }
    }

    /// Creates a fresh topic with two partitions, as in the guide, and returns its name.
    static func createTopic(_ prefix: String = "product-price", configuration: KafkaConfiguration? = nil) async throws -> String {
        let topic = KafkaTestSupport.uniqueTopicName(prefix)
        if let embedded, configuration == nil {
            try embedded.createTopic(topic, partitions: 2)
            return topic
        }
        let admin = try KafkaAdmin(configuration: configuration ?? KafkaConfiguration(bootstrapServers: [bootstrap()]))
        let results = try await admin.createTopics([NewTopic(name: topic, partitions: 2, replicationFactor: 1)])
        if let error = results.first?.error { throw error }
        return topic
    }

    /// The sum of the topic's high watermarks: how many messages it has ever been given.
    static func messageCount(topic: String, configuration: KafkaConfiguration? = nil) async throws -> Int64 {
        var config = try configuration ?? KafkaConfiguration(bootstrapServers: [bootstrap()])
        config.groupID = KafkaTestSupport.uniqueGroupID("watermarks")
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        var total: Int64 = 0
        for partition in Int32(0)..<2 {
            total += try await consumer.watermarkOffsets(for: TopicPartition(topic, partition)).high
        }
        try await consumer.close()
        return total
    }
}
