import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// The testing kit's in-process mock cluster, and clients driven entirely by a config file.
@Suite("RdKafkaTesting: embedded mock cluster and fault injection", .serialized, .timeLimit(.minutes(2 * TestEnvironment.slowdown)))
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

    @Test("an idempotent producer loses nothing and duplicates nothing through broker faults (200,000 keyed messages)")
    func faultsLoseNothing() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("faults")
        let partitions: Int32 = 16  // the mock keeps ~5 MiB per partition
        try cluster.createTopic(topic, partitions: partitions, replicationFactor: 3)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.enableIdempotence = true
        config.acks = .all
        let errors = LogLines()
        // Every report's partition and offset: the consumer must find exactly these.
        let acknowledged = Locked<[Int32: Set<Int64>]>([:])
        let withoutOffset = Locked(0)  // reports of delivery with no offset (see below)
        var options = KafkaProducer.Options(logHandler: KafkaLog.none, errorHandler: { errors.append("\($0)") })
        options.deliveryHandler = { report in
            guard report.isDelivered else { return }
            acknowledged.withLock { _ = $0[report.partition, default: []].insert(report.offset ?? -1) }
            if report.offset == nil { withoutOffset.withLock { $0 += 1 } }
        }
        let producer = try KafkaProducer(configuration: config, options: options)
        // Ten rounds of 20,000; most start with a fault and end with a flush, so every fault
        // meets messages in flight.
        let count = 200_000
        let round = 20_000
        var faults = 0
        for start in stride(from: 0, to: count, by: round) {
            switch start / round {
            case 1, 8:
                cluster.pushRequestErrors(apiKey: 0, errors: [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .requestTimedOut])
                faults += 4
            case 2: try cluster.setPartitionLeader(topic: topic, partition: 1, broker: 2); faults += 1
            case 3: try cluster.setRoundTripTime(broker: 1, to: .milliseconds(200)); faults += 1
            case 4: try cluster.setRoundTripTime(broker: 1, to: .zero)
            case 5: try cluster.setBrokerDown(3); faults += 1
            case 7: try cluster.setBrokerUp(3)
            case 9: try cluster.setPartitionLeader(topic: topic, partition: 2, broker: 3); faults += 1
            default: break
            }
            for i in start..<(start + round) {
                try await producer.produce(KafkaProducerMessage(topic: topic, key: KafkaPayload("\(i % 97)"), value: KafkaPayload("\(i)")))
            }
            // While broker 3 is down its partitions wait (the mock moves no leaders by itself).
            if ![5, 6].contains(start / round) { try await producer.flush(timeout: .seconds(60)) }
        }
        // The SDK's side: every message reported delivered, nothing failed or handed back.
        #expect(await producer.shutdown(timeout: .seconds(60)).isEmpty)
        #expect(producer.failedDeliveryCount == 0)
        let reported = acknowledged.withLock { $0 }

        // The consumer's side: everything the log holds, once, in order per key.
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        var inLog = 0
        for p in 0..<partitions {
            let w = try await consumer.watermarkOffsets(for: TopicPartition(topic, p))
            inLog += Int(w.high - w.low)
        }
        try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic, $0), KafkaOffset.beginning) }))
        let messages = try await KafkaTestSupport.collect(inLog, from: consumer, timeout: .seconds(90 * TestEnvironment.slowdown))
        let values = messages.compactMap { $0.valueString.flatMap(Int.init) }
        let lost = count - Set(values).count
        let duplicated = values.count - Set(values).count
        let sharedOffsets = reported.values.reduce(count) { $0 - $1.count }
        let noOffset = withoutOffset.withLock { $0 }
        print("faults: sent \(count), acknowledged \(count - producer.failedDeliveryCount), lost \(lost), duplicated \(duplicated), faults injected \(faults), reports sharing an offset \(sharedOffsets), reports without an offset \(noOffset)")
        #expect(duplicated == 0)
        // Whatever the broker lost, the SDK lost nothing of its own: each missing message is one
        // librdkafka reported delivered with no offset (the mock's doing, below).
        #expect(lost == noOffset)
        let consumedOffsets = Dictionary(grouping: messages, by: \.partition).mapValues { Set($0.map(\.offset)) }
        // The broker's side. librdkafka 2.0.2's mock cluster, amid these faults, now and then
        // acknowledges a batch without storing it: librdkafka reports those messages delivered
        // with offset -1 (115-200 of them in about half the runs), and they are missing from
        // the log. scripts/mock-faults-repro.c does the same in plain C, with no SDK in the
        // process, and loses the same way (2 of 5 runs: 160 and 119 reported without an offset,
        // exactly as many missing), so it is below the SDK; the other checks hold in every run.
        withKnownIssue("the mock cluster acknowledges some retried batches it never stores", isIntermittent: true) {
            #expect(sharedOffsets == 0, "each report names its own offset")
            #expect(lost == 0)
            // Counted, not compared as sets: a failed set comparison prints both sets whole.
            let partitionsDiffering = Set(consumedOffsets.keys).union(reported.keys).filter { consumedOffsets[$0] != reported[$0] }
            #expect(partitionsDiffering.isEmpty, "the consumer reads exactly the offsets the reports named")
        }
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
        for i in 0..<10 { try await producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)")) }
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
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
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
        try await fresh.assign([TopicPartition(topic, 0): .beginning])
        #expect(try await KafkaTestSupport.collect(200, from: fresh, timeout: .seconds(30)).count == 200)
        _ = await producer.shutdown()
        try await consumer.close()
        try await fresh.close()
    }
}
