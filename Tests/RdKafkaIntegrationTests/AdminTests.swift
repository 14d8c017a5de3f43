import Foundation
import RdKafka
import RdKafkaTesting
import Testing

@Suite("Admin client", .serialized, .timeLimit(.minutes(2)))
struct AdminTests {
    @Test("metadata lists brokers, topics, partitions, leaders and replicas", arguments: TestEnvironment.all)
    func metadata(broker: TestBroker) async throws {
        let topic = uniqueTopic("meta")
        try await fill(broker, topic: topic, count: 1)
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let metadata = try await admin.metadata()
        #expect(!metadata.brokers.isEmpty)
        #expect(metadata.brokers.allSatisfy { $0.host == "127.0.0.1" && $0.port > 0 })
        let found = try #require(metadata.topics.first { $0.name == topic })
        #expect(found.partitions.count == Int(broker.autoCreatedPartitions))
        #expect(found.partitions.allSatisfy { $0.leader != nil && !$0.replicas.isEmpty && !$0.inSyncReplicas.isEmpty })
        let single = try await admin.metadata(topic: topic)
        #expect(single.topics.map(\.name) == [topic])
    }

    @Test("create topics (with configs and validate-only), add partitions, describe configs, delete", arguments: TestEnvironment.full)
    func topicLifecycle(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let name = uniqueTopic("admin")
        let validated = try await admin.createTopics([NewTopic(name: name, partitions: 3, replicationFactor: 1)], validateOnly: true)
        #expect(validated.allSatisfy { $0.succeeded })
        let created = try await admin.createTopics([
            NewTopic(name: name, partitions: 3, replicationFactor: 1, configs: ["retention.ms": "3600000"]),
        ])
        #expect(created.map(\.name) == [name] && created.allSatisfy { $0.succeeded })
        #expect(try await admin.metadata(topic: name).topics.first?.partitions.count == 3)
        let again = try await admin.createTopics([NewTopic(name: name, partitions: 3, replicationFactor: 1), NewTopic(name: name + "-b", partitions: 1)])
        #expect(again.first { $0.name == name }?.error?.code == .topicAlreadyExists, "one failed topic is reported on its own")
        #expect(again.first { $0.name == name + "-b" }?.succeeded == true, "without hiding the other's success")
        let grown = try await admin.createPartitions([name: 5])
        #expect(grown.allSatisfy { $0.succeeded })
        #expect(try await admin.metadata(topic: name).topics.first?.partitions.count == 5)
        let config = try await admin.describeTopicConfig(name)
        #expect(config.first { $0.name == "retention.ms" }?.value == "3600000")
        try await admin.alterTopicConfig(name, set: ["retention.ms": "7200000"])
        #expect(try await admin.describeTopicConfig(name).first { $0.name == "retention.ms" }?.value == "7200000")
        let deleted = try await admin.deleteTopics([name, name + "-b"])
        #expect(deleted.allSatisfy { $0.succeeded })
    }

    @Test("groups: list, describe members and assignments, committed offsets and lag, delete", arguments: TestEnvironment.full)
    func groups(broker: TestBroker) async throws {
        let topic = uniqueTopic("admin-groups")
        let group = uniqueTopic("admin-group")
        try await fill(broker, topic: topic, count: 10)
        var config = groupConfig(broker, group: group)
        config.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        _ = try await KafkaTestSupport.collect(4, from: consumer)
        try await consumer.commit()
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let groups = try await admin.listConsumerGroups()
        #expect(groups.contains { $0.groupID == group })
        let description = try #require(try await admin.describeConsumerGroups([group]).first)
        #expect(description.groupID == group)
        #expect(description.members.count == 1)
        #expect(description.members.first?.assignment == [TopicPartition(topic, 0)])
        #expect(try await admin.consumerGroupOffsets(group)[TopicPartition(topic, 0)] == 4)
        let lag = try await admin.consumerGroupLag(group)
        #expect(lag.map { "\($0.partition) \($0.committed.map(String.init) ?? "none") \($0.end) \($0.lag)" } == ["\(topic)[0] 4 10 6"])
        #expect(try await consumer.lag(for: [TopicPartition(topic, 0)])[TopicPartition(topic, 0)] == 6, "the consumer's own lag agrees")
        try await consumer.close()
        let reset = try await admin.alterConsumerGroupOffsets(group, [TopicPartition(topic, 0): 1])
        #expect(reset[TopicPartition(topic, 0)] == .some(nil))
        #expect(try await admin.consumerGroupOffsets(group)[TopicPartition(topic, 0)] == 1)
        let deleted = try await admin.deleteConsumerGroups([group, "no-such-group-\(UUID().uuidString)"])
        #expect(deleted.first { $0.name == group }?.succeeded == true, "\(deleted)")
        #expect(!(try await admin.listConsumerGroups().contains { $0.groupID == group }))
        let missing = try #require(deleted.first { $0.name != group })
        #expect(missing.error?.code == .groupIDNotFound, "a missing group is reported on its own: \(missing)")
    }

    @Test("delete records moves the low watermark", arguments: TestEnvironment.full)
    func deleteRecords(broker: TestBroker) async throws {
        let topic = uniqueTopic("admin-records")
        try await fill(broker, topic: topic, count: 10)
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let tp = TopicPartition(topic, 0)
        let result = try await admin.deleteRecords(before: [tp: 6])
        switch result[tp] {
        case .success(let low)?: #expect(low == 6)
        case .failure(let error)?: Issue.record("delete records failed: \(error)")
        case nil: Issue.record("no result for \(tp)")
        }
        let consumer = try KafkaConsumer(configuration: broker.configuration())
        #expect(try await consumer.watermarkOffsets(for: tp).low == 6)
        try await consumer.close()
    }

    @Test("admin requests to a broker without admin support fail with a clear timeout", arguments: TestEnvironment.all.filter { $0.kind == .mock })
    func mockHasNoAdmin(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        do {
            _ = try await admin.createTopics([NewTopic(name: uniqueTopic("x"), partitions: 1)], timeout: .seconds(2))
            Issue.record("the mock cluster has no CreateTopics")
        } catch {
            #expect(error.code == .timedOut || error.code == .unsupportedVersion || error.code == .invalidRequest, "\(error)")
        }
    }
}
