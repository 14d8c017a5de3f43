import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// A custom partitioner (`KafkaProducer.Options.partitioner`) on the mock cluster.
@Suite("Custom partitioner", .serialized, .timeLimit(.minutes(2 * TestEnvironment.slowdown)))
struct PartitionerTests {
    /// Key "p<N>" goes to partition N; "bad" to partition 9; no key to the last partition.
    static let byKey = KafkaPartitioner { key, count, isAvailable in
        guard let key else { return count - 1 }
        let text = String(decoding: key, as: UTF8.self)
        if text == "bad" { return 9 }
        let chosen = Int32(text.dropFirst()) ?? 0
        return isAvailable(chosen) ? chosen : 0
    }

    @Test("messages land on the partition the closure chooses, keyed or not")
    func landsWhereChosen() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("partitioner")
        try cluster.createTopic(topic, partitions: 4)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.acks = .all
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, partitioner: Self.byKey))
        // One message to each partition by number first (no partitioner): until librdkafka is
        // connected to a partition's leader, isAvailable says no and the closure picks 0.
        for partition in Int32(0)..<4 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: partition, key: "p\(partition)", value: "warm-up"))
        }
        for i in 0..<12 {
            let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "p\(i % 4)", value: "v\(i)"))
            #expect(report.partition == Int32(i % 4), "key p\(i % 4) landed on \(report.partition)")
        }
        let unkeyed = try await producer.send(KafkaProducerMessage(topic: topic, value: "no key"))
        #expect(unkeyed.partition == 3)
        _ = await producer.shutdown()

        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        try await consumer.assign([TopicPartition(topic, 2): .beginning])
        let messages = try await KafkaTestSupport.collect(3, from: consumer)
        #expect(messages.map(\.keyString) == ["p2", "p2", "p2"])
        try await consumer.close()
    }

    @Test("a partition outside the topic fails that message with an error naming the choice and the count, before and after metadata is known")
    func invalidChoiceFailsTheMessage() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("partitioner-bad")
        try cluster.createTopic(topic, partitions: 4)
        let config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, partitioner: Self.byKey))
        // First message: the topic is not known yet, so librdkafka partitions it on its own
        // thread once metadata arrives; later ones are partitioned in the send call.
        for attempt in 0..<2 {
            do {
                let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "bad", value: "x"))
                Issue.record("attempt \(attempt): delivered to \(report.partition)")
            } catch let error as KafkaError {
                #expect(error.code == .unknownPartition, "\(error)")
                #expect(error.message.contains("chose partition 9, but the topic has 4 partitions"), "\(error)")
                #expect(error.fix?.contains("0..<partitionCount") == true)
            }
        }
        // As in landsWhereChosen: connected to partition 1's leader first, so isAvailable agrees.
        _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 1, value: "warm-up"))
        let good = try await producer.send(KafkaProducerMessage(topic: topic, key: "p1", value: "fine"))
        #expect(good.partition == 1)
        _ = await producer.shutdown()
    }
}
