import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// Offsets the app controls: start positions from its own store, incremental assignment,
/// explicit asynchronous commits and stores. On the mock cluster.
@Suite("Consumer offset control", .serialized, .timeLimit(.minutes(3 * TestEnvironment.slowdown)))
struct ConsumerControlTests {
    /// The app's own offset store (its database): the next offset to process per partition,
    /// updated in the same step as each message's processing.
    final class OffsetStore: @unchecked Sendable {
        private let lock = NSLock()
        private var next: [TopicPartition: Int64]
        private var log: [(TopicPartition, Int64, String)] = []
        init(_ next: [TopicPartition: Int64]) { self.next = next }

        func positions(for partitions: [TopicPartition]) -> [TopicPartition: KafkaOffset] {
            lock.lock(); defer { lock.unlock() }
            return Dictionary(uniqueKeysWithValues: partitions.compactMap { tp in next[tp].map { (tp, KafkaOffset.offset($0)) } })
        }
        func process(_ message: KafkaMessage, by member: String) {
            lock.lock(); defer { lock.unlock() }
            log.append((message.topicPartition, message.offset, member))
            next[message.topicPartition] = message.offset + 1
        }
        var processed: [(TopicPartition, Int64, String)] { lock.lock(); defer { lock.unlock() }; return log }
    }

    func produce(_ topic: String, partitions: Int32, each: Int, to cluster: MockCluster) async throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                         options: .init(logHandler: KafkaLog.none))
        for i in 0..<each {
            for p in 0..<partitions {
                _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: p, value: "\(p)-\(i)"))
            }
        }
        _ = await producer.shutdown()
    }

    /// Consumes with `store` deciding start positions, until cancelled.
    func member(_ name: String, group: String, topic: String, cluster: MockCluster, store: OffsetStore) throws -> (KafkaConsumer, Task<Void, Error>) {
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = group
        config.enableAutoCommit = false
        config.autoOffsetReset = .earliest
        // The mock cluster waits a second less than the session timeout for members to rejoin.
        config.sessionTimeout = .seconds(4)
        config["heartbeat.interval.ms"] = "100"
        let consumer = try KafkaConsumer(configuration: config, options: .init(
            // Small batches: a rebalance is served when the loop asks for more.
            maxBatchSize: 10, logHandler: KafkaLog.none, startPositions: { partitions in store.positions(for: partitions) }))
        try consumer.subscribe(topics: [topic])
        let task = Task {
            for try await message in consumer.messages {
                store.process(message, by: name)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return (consumer, task)
    }

    func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw KafkaTestTimeout(what: what, got: 0) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("start positions from the app's store are where a group of two reads from, exactly once, through a join and a leave")
    func startPositionsFromStore() async throws {
        let (cluster, topic) = try await filledCluster("external-offsets", partitions: 2, each: 150)
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        // The group has committed nothing; the store says where processing stopped.
        let store = OffsetStore([p0: 5, p1: 7])
        let group = KafkaTestSupport.uniqueGroupID("external")

        let (a, aTask) = try member("a", group: group, topic: topic, cluster: cluster, store: store)
        try await waitUntil("a's first messages") { store.processed.count >= 8 }
        let (b, bTask) = try member("b", group: group, topic: topic, cluster: cluster, store: store)
        try await waitUntil("b to take over a partition") { store.processed.contains { $0.2 == "b" } }
        try await waitUntil("more of b's work") { store.processed.filter { $0.2 == "b" }.count >= 5 }
        // b leaves gracefully: stop processing, then leave the group.
        bTask.cancel()
        _ = await bTask.result
        try await b.close()
        try await waitUntil("every message once") { store.processed.count >= 145 + 143 }
        try await Task.sleep(for: .milliseconds(300))  // room for a duplicate to show up
        aTask.cancel()
        _ = await aTask.result
        try await a.close()

        let processed = store.processed
        let seen = processed.map { "\($0.0)@\($0.1)" }
        #expect(Set(seen).count == seen.count, "duplicates: \(Dictionary(grouping: seen, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
        let expected = Set((5..<150).map { "\(p0)@\($0)" } + (7..<150).map { "\(p1)@\($0)" })
        #expect(Set(seen) == expected, "missing: \(expected.subtracting(seen).sorted().prefix(10))")
        #expect(processed.first { $0.0 == p0 }?.1 == 5)
        #expect(processed.first { $0.0 == p1 }?.1 == 7)
        #expect(Set(processed.map(\.2)) == ["a", "b"])
    }

    @Test("incremental assign and unassign change only the partitions named")
    func incrementalAssignment() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("incremental")
        try cluster.createTopic(topic, partitions: 3)
        try await produce(topic, partitions: 3, each: 5, to: cluster)
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]),
                                         options: .init(logHandler: KafkaLog.none))
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1), p2 = TopicPartition(topic, 2)
        try await consumer.assign([p0: .beginning])
        try await consumer.incrementalAssign([p1: .offset(3), p2: .beginning])
        #expect(Set(try consumer.assignment) == [p0, p1, p2])
        try consumer.incrementalUnassign([p0, p2])
        #expect(try consumer.assignment == [p1])
        let messages = try await KafkaTestSupport.collect(2, from: consumer)
        #expect(messages.map(\.topicPartition) == [p1, p1])
        #expect(messages.map(\.offset) == [3, 4])
        await #expect(throws: KafkaError.self) { try await consumer.incrementalAssign([TopicPartition(topic, -1): .beginning]) }
        await #expect(throws: KafkaError.self) { try await consumer.incrementalAssign([p0: .offset(-3)]) }
        try await consumer.close()
    }

    /// A consumer in a group without auto commit, assigned every partition of a topic of
    /// ten messages per partition; the mock cluster is returned to keep it alive.
    /// A mock cluster with a topic of `partitions` partitions, `each` messages in each.
    func filledCluster(_ name: String, partitions: Int32, each: Int) async throws -> (MockCluster, String) {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName(name)
        try cluster.createTopic(topic, partitions: partitions)
        try await produce(topic, partitions: partitions, each: each, to: cluster)
        return (cluster, topic)
    }

    func groupConsumer(
        _ name: String, partitions: Int32, configure: (inout KafkaConfiguration) -> Void = { _ in }
    ) async throws -> (MockCluster, KafkaConsumer, [TopicPartition]) {
        let (cluster, topic) = try await filledCluster(name, partitions: partitions, each: 10)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = KafkaTestSupport.uniqueGroupID(name)
        config.enableAutoCommit = false
        configure(&config)
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        let all = (0..<partitions).map { TopicPartition(topic, $0) }
        try await consumer.assign(Dictionary(uniqueKeysWithValues: all.map { ($0, KafkaOffset.beginning) }))
        return (cluster, consumer, all)
    }

    @Test("commitAsync with explicit offsets commits them; an invalid one reaches the completion as an error")
    func commitAsyncExplicit() async throws {
        let (cluster, consumer, partitions) = try await groupConsumer("commit-async", partitions: 2)
        defer { withExtendedLifetime(cluster) {} }
        let p0 = partitions[0], p1 = partitions[1]
        let outcome: KafkaError?? = await withCheckedContinuation { continuation in
            consumer.commitAsync([p0: 4, p1: 9]) { continuation.resume(returning: $0) }
        }
        #expect(outcome == .some(nil))
        #expect(try await consumer.committed(for: [p0, p1]) == [p0: 4, p1: 9])
        let invalid: KafkaError? = await withCheckedContinuation { continuation in
            consumer.commitAsync([p0: -7]) { continuation.resume(returning: $0) }
        }
        #expect(invalid?.code == .invalidArgument)
        #expect(invalid?.message.contains("-7") == true)
        try await consumer.close()
    }

    @Test("stored explicit offsets are what the next commit sends (enable.auto.offset.store=false)")
    func storeExplicitOffsets() async throws {
        let (cluster, consumer, partitions) = try await groupConsumer("store", partitions: 1) { $0.enableAutoOffsetStore = false }
        defer { withExtendedLifetime(cluster) {} }
        let p0 = partitions[0], topic = p0.topic
        _ = try await KafkaTestSupport.collect(10, from: consumer)
        try consumer.storeOffsets([p0: 6])
        try await consumer.commit()
        #expect(try await consumer.committed(for: [p0]) == [p0: 6])
        #expect(throws: KafkaError.self) { try consumer.storeOffsets([TopicPartition(topic, 5): 1]) }
        #expect(throws: KafkaError.self) { try consumer.storeOffsets([p0: -2]) }
        try await consumer.close()
    }

    @Test("seek back in the middle of a batch: the rest of the batch is dropped, a rebalance that gives the partition back resumes at the sought offset, and the commit covers no more",
          arguments: TestEnvironment.all)
    func seekBackMidBatch(broker: TestBroker) async throws {
        let topic = uniqueTopic("seek-back")
        try await fill(broker, topic: topic, count: 10)
        var config = groupConfig(broker, group: uniqueTopic("seek-back-group"))
        config.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        let tp = TopicPartition(topic, 0)
        try consumer.subscribe(topics: [topic])
        var messages = consumer.messages.makeAsyncIterator()
        var taken: [Int64] = []
        for _ in 0..<5 { try await messages.next().map { taken.append($0.offset) } }
        #expect(taken == [0, 1, 2, 3, 4])
        try await consumer.seek([tp: .offset(2)])
        // The group takes the partition away and gives it back before the loop goes on: this
        // member resumes where it sought to, not after the highest offset it took.
        try consumer.unsubscribe()
        try consumer.subscribe(topics: [topic])
        let next = try await messages.next()
        #expect(next?.offset == 2, "went on at \(String(describing: next?.offset))")
        try await consumer.commit()
        #expect(try await consumer.committed(for: [tp])[tp] == 3)
        try await consumer.close()
    }

    @Test("a loop that stops early leaves the rest of its batch to the next poll or loop: nothing is skipped, and the commit covers all")
    func stoppedLoopLeavesTheRest() async throws {
        let (cluster, consumer, partitions) = try await groupConsumer("leftover", partitions: 1)
        defer { withExtendedLifetime(cluster) {} }
        var taken: [Int64] = []
        for try await message in consumer.messages {
            taken.append(message.offset)
            if taken.count == 3 { break }
        }
        taken += try await consumer.poll(maxMessages: 2, timeout: .seconds(5)).map(\.offset)
        for try await message in consumer.messages {
            taken.append(message.offset)
            if taken.count == 10 { break }
        }
        #expect(taken == Array(0..<10))
        try await consumer.commit()
        #expect(try await consumer.committed(for: partitions) == [partitions[0]: 10])
        try await consumer.close()
    }

    @Test("close right after unsubscribe and subscribe (a subscribe librdkafka postpones behind the revoke) leaves the group without aborting the process",
          arguments: TestEnvironment.all)
    func closeAfterResubscribe(broker: TestBroker) async throws {
        let topic = uniqueTopic("resubscribe")
        try await fill(broker, topic: topic, count: 3)
        do {
            let consumer = try KafkaConsumer(configuration: groupConfig(broker, group: uniqueTopic("resubscribe-group")),
                                             options: .init(logHandler: KafkaLog.none))
            try consumer.subscribe(topics: [topic])
            _ = try await KafkaTestSupport.collect(1, from: consumer)
            try consumer.unsubscribe()
            try consumer.subscribe(topics: [topic])
            try await consumer.close()
        }
        // librdkafka 2.0 aborted in the destroy that follows (rd_kafka_cgrp_destroy_final).
        try await Task.sleep(for: .seconds(1))
    }

    @Test("after a seek, poll hands out what other partitions left in the batch: none is skipped")
    func pollAfterSeekKeepsOtherPartitions() async throws {
        let (cluster, consumer, partitions) = try await groupConsumer("seek-leftover", partitions: 2)
        defer { withExtendedLifetime(cluster) {} }
        try await Task.sleep(for: .seconds(1))  // both partitions' messages reach the first batch
        var first: KafkaMessage?
        for try await message in consumer.messages {
            first = message
            break
        }
        let message = try #require(first)
        let sought = TopicPartition(message.topic, message.partition)
        try await consumer.seek([sought: .offset(message.offset + 1)])
        var seen: [TopicPartition: [Int64]] = [sought: [message.offset]]
        let deadline = ContinuousClock.now + .seconds(10)
        while seen.values.map(\.count).reduce(0, +) < 20, ContinuousClock.now < deadline {
            for m in try await consumer.poll(maxMessages: 1, timeout: .milliseconds(200)) {
                seen[TopicPartition(m.topic, m.partition), default: []].append(m.offset)
            }
        }
        #expect(seen == Dictionary(uniqueKeysWithValues: partitions.map { ($0, Array(0..<10)) }))
        try await consumer.commit()
        #expect(try await consumer.committed(for: partitions) == Dictionary(uniqueKeysWithValues: partitions.map { ($0, 10) }))
        try await consumer.close()
    }
}
