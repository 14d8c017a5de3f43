import Logging
import RdKafka
import RdKafkaServiceLifecycle
import RdKafkaTesting
import ServiceLifecycle
import Synchronization
import Testing

/// The producer and consumer services in a `ServiceGroup`, shut down gracefully mid-stream, on
/// the embedded mock cluster.
@Suite("ServiceLifecycle services", .serialized, .timeLimit(.minutes(3)))
struct LifecycleTests {
    final class Ledger: Sendable {
        let acknowledged = Mutex<Set<String>>([])
        let failed = Mutex<Int>(0)
        let consumed = Mutex<[String]>([])
    }

    func config(_ cluster: MockCluster, group: String) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = group
        config.autoOffsetReset = .earliest
        config.sessionTimeout = .seconds(4)  // the mock cluster waits about this long in rebalances
        return config
    }

    @Test("graceful shutdown: 10,000 queued sends are delivered, the consumer finishes mid-stream, commits what it processed, and nothing acknowledged is lost")
    func gracefulShutdown() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("lifecycle")
        try cluster.createTopic(topic, partitions: 2)
        let group = KafkaTestSupport.uniqueGroupID("lifecycle")
        let ledger = Ledger()
        let producer = try KafkaProducerService(configuration: config(cluster, group: group), options: .init(logHandler: KafkaLog.none),
                                                shutdownTimeout: .seconds(30))
        let consumer = try KafkaConsumerService(
            configuration: config(cluster, group: group), topics: [topic], options: .init(maxBatchSize: 50, logHandler: KafkaLog.none)
        ) { message in
            ledger.consumed.withLock { $0.append("\(message.partition)@\(message.offset)") }
            try await Task.sleep(for: .milliseconds(2))  // slower than the producer: shutdown finds it mid-stream
        }
        let logger = Logger(label: "lifecycle-test", factory: { _ in SwiftLogNoOpLogHandler() })
        // Services stop in reverse order: the consumer first, then the producer flushes.
        let serviceGroup = ServiceGroup(services: [producer, consumer], gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await serviceGroup.run() }

        for i in 0..<10_000 {
            try await producer.producer.send(KafkaProducerMessage(topic: topic, key: "k\(i % 97)", value: "v\(i)")) { report in
                if let offset = report.offset, report.error == nil {
                    ledger.acknowledged.withLock { _ = $0.insert("\(report.partition)@\(offset)") }
                } else {
                    ledger.failed.withLock { $0 += 1 }
                }
            }
        }
        while ledger.consumed.withLock({ $0.count }) < 200 { try await Task.sleep(for: .milliseconds(20)) }
        let stop = ContinuousClock.now
        await serviceGroup.triggerGracefulShutdown()
        try await running.value
        #expect(ContinuousClock.now - stop < .seconds(30), "run() took \(ContinuousClock.now - stop)")

        let acknowledged = ledger.acknowledged.withLock { $0 }
        #expect(acknowledged.count == 10_000 && ledger.failed.withLock { $0 } == 0 && producer.undelivered.isEmpty)
        let firstRun = ledger.consumed.withLock { $0 }
        #expect(firstRun.count < 10_000, "the consumer was stopped mid-stream")
        #expect(Set(firstRun).count == firstRun.count)

        // What the group committed is exactly what the first consumer processed, per partition.
        // The mock cluster has no admin API: the commits are read through a consumer.
        let reader = try KafkaConsumer(configuration: config(cluster, group: group), options: .init(logHandler: KafkaLog.none))
        let partitions = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        let committed = try await reader.committed(for: partitions)
        for tp in partitions {
            let processed = firstRun.filter { $0.hasPrefix("\(tp.partition)@") }.count
            #expect((committed[tp] ?? 0) == Int64(processed), "\(tp): committed \(String(describing: committed[tp])), processed \(processed)")
        }
        // A restarted consumer reads the rest: together, every acknowledged message once.
        try await reader.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.committed) }))
        let rest = try await KafkaTestSupport.collect(10_000 - firstRun.count, from: reader, timeout: .seconds(60))
        try await reader.close()
        let all = firstRun + rest.map { "\($0.partition)@\($0.offset)" }
        #expect(Set(all) == acknowledged)
        #expect(all.count == acknowledged.count, "duplicates: \(all.count - Set(all).count)")
    }

    @Test("a commit made while the closure is processing a message stops before that message; shutdown commits it once finished")
    func commitsOnlyFinishedMessages() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("lifecycle-commit")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                         options: .init(logHandler: KafkaLog.none))
        for i in 0..<3 { _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "m\(i)")) }
        _ = await producer.shutdown()
        let group = KafkaTestSupport.uniqueGroupID("commit")
        let inHand = Mutex<Int64?>(nil)
        let released = Mutex(false)
        let finished = Mutex<[Int64]>([])
        let consumer = try KafkaConsumerService(configuration: config(cluster, group: group), topics: [topic],
                                                options: .init(logHandler: KafkaLog.none)) { message in
            if message.offset == 1 {
                inHand.withLock { $0 = message.offset }
                while !released.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            }
            finished.withLock { $0.append(message.offset) }
        }
        let logger = Logger(label: "lifecycle-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let serviceGroup = ServiceGroup(services: [consumer], gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await serviceGroup.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while inHand.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(inHand.withLock { $0 } == 1)

        let reader = try KafkaConsumer(configuration: config(cluster, group: group), options: .init(logHandler: KafkaLog.none))
        let tp = TopicPartition(topic, 0)
        try await consumer.consumer.commit()
        #expect(try await reader.committed(for: [tp])[tp] == 1, "offset 1 is still being processed")

        await serviceGroup.triggerGracefulShutdown()
        released.withLock { $0 = true }
        try await running.value
        // Offset 2 is processed too when the loop took it before the stop reached the service.
        let done = finished.withLock { $0 }
        #expect(done.prefix(2) == [0, 1])
        #expect(try await reader.committed(for: [tp])[tp] == (done.last ?? 0) + 1, "committed what finished: \(done)")
        try await reader.close()
    }

    @Test("enable.auto.offset.store=true is refused, naming the property: it would commit messages the closure has not finished")
    func refusesAutoOffsetStore() throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9"])
        configuration.groupID = "g"
        configuration.enableAutoOffsetStore = true
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumerService(configuration: configuration, topics: ["t"]) { _ in }
        }
        #expect(error?.property == "enable.auto.offset.store" && error?.fix?.contains("storeOffset") == true)
    }

    @Test("an error thrown while processing ends run() with it, after closing the consumer")
    func processingErrorEndsRun() async throws {
        struct Refused: Error {}
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("lifecycle-error")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                         options: .init(logHandler: KafkaLog.none))
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "poison"))
        _ = await producer.shutdown()
        let consumer = try KafkaConsumerService(
            configuration: config(cluster, group: KafkaTestSupport.uniqueGroupID("error")), topics: [topic],
            options: .init(logHandler: KafkaLog.none)) { _ in throw Refused() }
        await #expect(throws: Refused.self) { try await consumer.run() }
        await #expect(throws: KafkaError.self) { _ = try await consumer.consumer.poll(timeout: .milliseconds(10)) }
    }
}
