import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

/// The README's guides, as written there (with the broker address swapped for a test broker),
/// so they keep compiling and working.
@Suite("README guides run as written", .serialized, .timeLimit(.minutes(2)))
struct ReadmeGuideTests {
    @Test("Produce guide", arguments: TestEnvironment.all)
    func produceGuide(broker: TestBroker) async throws {
        var config = KafkaConfiguration(bootstrapServers: [broker.bootstrap])
        config.acks = .all
        config.enableIdempotence = true
        let producer = try KafkaProducer(configuration: config)

        // 1. Await the broker's acknowledgement.
        let report = try await producer.send(KafkaProducerMessage(topic: "product-price", key: "ABC", value: "100.0"))
        print("written at \(report)")  // topic[partition]@offset

        // 2. A callback, without a task per message.
        try await producer.send(KafkaProducerMessage(topic: "product-price", value: "x")) { report in
            if let error = report.error { print("not delivered: \(error)") }
        }

        // 3. Fire and forget.
        try await producer.produce(KafkaProducerMessage(topic: "product-price", value: "y"))

        let undelivered = await producer.shutdown(timeout: .seconds(30))
        #expect(undelivered.isEmpty)
    }

    @Test("Consume guide", arguments: TestEnvironment.all)
    func consumeGuide(broker: TestBroker) async throws {
        try await fill(broker, topic: "product-price", count: 1, prefix: "guide")
        var config = KafkaConfiguration(bootstrapServers: [broker.bootstrap])
        config.groupID = uniqueTopic("inventory")
        config.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: config, options: .init(rebalanceHandler: { event in
            if case .revoked = event { /* finish work, commit */ }
        }))
        try consumer.subscribe(topics: ["product-price"])
        var seen = 0
        for try await message in consumer.messages {
            print(message.topic, message.partition, message.offset, message.valueString ?? "")
            seen += 1
            if seen == 1 { break }  // the guide's loop runs until the app stops
        }
        try await consumer.close()
        #expect(seen == 1)
    }

    @Test("Share groups guide: accepted, rejected after three deliveries, released and back",
          .enabled(if: Librdkafka.supports(.shareConsumer), "needs librdkafka 2.15.0"))
    func shareGroupGuide() async throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.setShareGroupDefaults(startAtEarliest: true)
        let images = uniqueTopic("images")
        try cluster.createTopic(images, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for name in ["cat.png", "broken.png"] { _ = try await producer.send(KafkaProducerMessage(topic: images, value: KafkaPayload(name))) }
        _ = await producer.shutdown()
        let outcomes = Locked<[String]>([])
        func resize(_ job: KafkaMessage) -> Bool { job.valueString != "broken.png" }

        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = uniqueTopic("image-resizers")
        config.shareAcknowledgementMode = .explicit
        let worker = try KafkaShareConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        try await worker.subscribe(topics: [images])
        for try await job in worker.messages {
            if resize(job) {
                try worker.acknowledge(job, .accept)
            } else if job.deliveryCount ?? 1 >= 3 {
                try worker.acknowledge(job, .reject)     // never delivered again
            } else {
                try worker.acknowledge(job, .release)    // delivered again, maybe to another worker
            }
            outcomes.withLock { $0.append("\(job.valueString ?? "") \(job.deliveryCount ?? 0)") }
            if outcomes.withLock({ $0.count }) == 4 { break }  // the guide's loop runs until the app stops
        }
        try await worker.close()
        #expect(outcomes.withLock { $0 } == ["cat.png 1", "broken.png 1", "broken.png 2", "broken.png 3"])
    }

    @Test("Configuration files guide")
    func configurationGuide() throws {
        let dir = NSTemporaryDirectory() + "guide-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "bootstrap.servers=localhost:9092\n".write(toFile: "\(dir)/client.properties", atomically: true, encoding: .utf8)
        var config = try KafkaConfiguration.load(file: "\(dir)/client.properties")
        config.clientID = "price-service"
        try config.validate()
    }

    @Test("Admin guide", arguments: TestEnvironment.full)
    func adminGuide(broker: TestBroker) async throws {
        let config = KafkaConfiguration(bootstrapServers: [broker.bootstrap])
        let admin = try KafkaAdmin(configuration: config)
        let results = try await admin.createTopics([NewTopic(name: uniqueTopic("product-price"), partitions: 3, replicationFactor: 1)])
        for result in results where !result.succeeded { print("\(result.name): \(result.error!)") }
        let metadata = try await admin.metadata()
        let lag = try await admin.consumerGroupLag("inventory")
        #expect(results.allSatisfy { $0.succeeded })
        #expect(!metadata.brokers.isEmpty)
        _ = lag
    }

    @Test("Testing guide")
    func testingGuide() async throws {
        let cluster = try MockCluster(brokers: 3)
        try cluster.createTopic("orders", partitions: 4)
        let config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<10 { try await producer.produce(KafkaProducerMessage(topic: "orders", partition: 0, value: "\(i)")) }
        #expect(await producer.shutdown().isEmpty)
        try cluster.setBrokerDown(2)
        let consumer = try KafkaConsumer(configuration: config)
        try await consumer.assign([TopicPartition("orders", 0): .beginning])
        try cluster.setBrokerUp(2)
        let messages = try await KafkaTestSupport.collect(10, from: consumer, timeout: .seconds(10))
        #expect(messages.count == 10)
        try await consumer.close()
    }

    @Test("Logs, client errors and statistics guide", arguments: TestEnvironment.all)
    func observabilityGuide(broker: TestBroker) async throws {
        var config = KafkaConfiguration(bootstrapServers: [broker.bootstrap])
        config["statistics.interval.ms"] = "100"
        final class Seen: Sendable { let json = Locked<[String]>([]) }
        let seen = Seen()
        let producer = try KafkaProducer(configuration: config, options: .init(
            logHandler: KafkaLog.standardError(minimumLevel: .notice),   // or your logger; default: warnings
            errorHandler: { error in print("client error: \(error)") },   // all brokers down, auth, fatal
            statisticsHandler: { json in                                   // every statistics.interval.ms
                if let stats = try? KafkaStatistics(json: json) { print(stats.brokers.count) }
                seen.json.withLock { $0.append(json) }
            }))
        _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("readme-stats"), value: "x"))
        let deadline = ContinuousClock.now + .seconds(5)
        while seen.json.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let first = try #require(seen.json.withLock { $0.first })
        #expect(try !KafkaStatistics(json: first).brokers.isEmpty)
        _ = await producer.shutdown()
    }
}
