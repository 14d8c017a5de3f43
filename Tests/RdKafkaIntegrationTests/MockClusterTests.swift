import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// The testing kit's in-process mock cluster, and clients driven entirely by a config file.
@Suite("RdKafkaTesting: embedded mock cluster and fault injection", .serialized, .timeLimit(.minutes(2)))
struct MockClusterTests {
    @Test("a producer and a consumer made from a .properties file produce and consume one message")
    func configFileClients() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("config-file")
        try cluster.createTopic(topic, partitions: 1)
        let file = NSTemporaryDirectory() + "client-\(UUID().uuidString).properties"
        try """
            # everything from the file, nothing from code
            bootstrap.servers=\(cluster.bootstrapServers)
            client.id=config-file-client
            acks=all
            enable.idempotence=true
            group.id=config-file-group
            auto.offset.reset=earliest
            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try KafkaConfiguration(contentsOfFile: file)
        let producer = try KafkaProducer(configuration: config)
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "id-1", value: "hello from a config file"))
        #expect(report.offset == 0)
        #expect(await producer.shutdown().isEmpty)
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        let messages = try await KafkaTestSupport.collect(1, from: consumer)
        #expect(messages.first?.valueString == "hello from a config file")
        #expect(messages.first?.keyString == "id-1")
        try await consumer.close()
    }

    @Test("an idempotent producer loses nothing and duplicates nothing through broker faults")
    func faultsLoseNothing() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("faults")
        try cluster.createTopic(topic, partitions: 4, replicationFactor: 3)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.enableIdempotence = true
        config.acks = .all
        let errors = LogLines()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append("\($0)") }))
        let count = 20_000
        for i in 0..<count {
            try producer.produce(KafkaProducerMessage(topic: topic, key: KafkaPayload("\(i % 97)"), value: KafkaPayload("\(i)")))
            switch i {
            case 2_000: cluster.pushRequestErrors(apiKey: 0, errors: [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas])
            case 5_000: try cluster.setPartitionLeader(topic: topic, partition: 1, broker: 2)
            case 8_000: try cluster.setRoundTripTime(broker: 1, milliseconds: 200)
            case 11_000: try cluster.setRoundTripTime(broker: 1, milliseconds: 0)
            case 12_000: try cluster.setBrokerDown(3)
            case 15_000: try cluster.setBrokerUp(3)
            default: break
            }
        }
        #expect(await producer.shutdown(timeout: .seconds(60)).isEmpty)
        #expect(producer.failedDeliveryCount == 0)

        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<4).map { (TopicPartition(topic, Int32($0)), KafkaOffset.beginning) }))
        let messages = try await KafkaTestSupport.collect(count, from: consumer, timeout: .seconds(60))
        let values = messages.compactMap { $0.valueString.flatMap(Int.init) }
        #expect(values.count == count)
        #expect(Set(values).count == count, "no duplicates")
        // Order per partition: values of one key only grow.
        var lastByKey: [String: Int] = [:]
        for message in messages {
            let key = message.keyString ?? ""
            let value = Int(message.valueString ?? "") ?? -1
            #expect(value > lastByKey[key, default: -1])
            lastByKey[key] = value
        }
        try await consumer.close()
    }

    @Test("a consumer group follows its coordinator when it moves")
    func coordinatorMoves() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("coord")
        try cluster.createTopic(topic, partitions: 2)
        let group = KafkaTestSupport.uniqueGroupID()
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = group
        config.autoOffsetReset = .earliest
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<10 { try producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)")) }
        #expect(await producer.shutdown().isEmpty)
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        _ = try await KafkaTestSupport.collect(5, from: consumer)
        try cluster.setCoordinator(group: group, broker: 3)
        _ = try await KafkaTestSupport.collect(5, from: consumer)
        try await consumer.commit()
        try await consumer.close()
    }
}

@Suite("Broker restart", .serialized, .enabled(if: ProcessInfo.processInfo.environment["RDKAFKA_TEST_BROKERS_SCRIPT"] != nil && TestEnvironment.noida != nil, "needs make test's noida-db"), .timeLimit(.minutes(2)))
struct BrokerRestartTests {
    @Test("noida-db restarted on the same data dir: acknowledged data survives and clients recover without being recreated")
    func restartKeepsData() async throws {
        let broker = try #require(TestEnvironment.noida)
        let topic = uniqueTopic("restart")
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
        for i in 0..<100 { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "before-\(i)")) }
        let consumer = try KafkaConsumer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
        try consumer.assign([TopicPartition(topic, 0): .beginning])
        #expect(try await KafkaTestSupport.collect(100, from: consumer).count == 100)

        let script = try #require(ProcessInfo.processInfo.environment["RDKAFKA_TEST_BROKERS_SCRIPT"])
        let restart = Process()
        restart.executableURL = URL(fileURLWithPath: "/bin/bash")
        restart.arguments = [script, "restart-noida"]
        restart.standardOutput = FileHandle.nullDevice
        try restart.run()
        restart.waitUntilExit()
        #expect(restart.terminationStatus == 0)

        for i in 0..<100 { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "after-\(i)")) }
        let after = try await KafkaTestSupport.collect(100, from: consumer, timeout: .seconds(60))
        #expect(after.map { $0.valueString ?? "" } == (0..<100).map { "after-\($0)" })
        let fresh = try KafkaConsumer(configuration: broker.configuration())
        try fresh.assign([TopicPartition(topic, 0): .beginning])
        #expect(try await KafkaTestSupport.collect(200, from: fresh, timeout: .seconds(30)).count == 200)
        _ = await producer.shutdown()
        try await consumer.close()
        try await fresh.close()
    }
}
