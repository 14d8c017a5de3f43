import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// KIP-932 share groups on librdkafka 2.16's mock cluster (`make test` runs the suite again on
/// 2.16); on a librdkafka without share consumers, creating one must fail naming the release.
@Suite("Share consumers (KIP-932)", .serialized, .timeLimit(.minutes(3)))
struct ShareConsumerTests {
    static let available = Librdkafka.supports(.shareConsumer)
    static let skip = Comment(rawValue: "needs librdkafka \(Librdkafka.Feature.shareConsumer.minimumVersion); loaded \(Librdkafka.version)")

    /// A mock cluster whose share groups start at the earliest offset, with one topic of
    /// `records` records "r0", "r1", ... on `partitions` partitions.
    static func cluster(records: Int, partitions: Int32 = 1, lock: Duration = .seconds(30)) async throws -> (MockCluster, String) {
        let cluster = try MockCluster(brokers: 1)
        try cluster.setShareGroupDefaults(startAtEarliest: true, recordLockDuration: lock, sessionTimeout: .seconds(6),
                                          heartbeatInterval: .milliseconds(300))
        let topic = uniqueTopic("share")
        try cluster.createTopic(topic, partitions: partitions)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for i in 0..<records {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: Int32(i) % partitions, value: "r\(i)"))
        }
        _ = await producer.shutdown()
        return (cluster, topic)
    }

    static func config(_ cluster: MockCluster, group: String, mode: ShareAcknowledgementMode, maxPollRecords: Int = 10) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.groupID = group
        config.shareAcknowledgementMode = mode
        config.maxPollRecords = maxPollRecords
        return config
    }

    /// Iterates `consumer` in a task of its own, handing each record to `body`, until cancelled.
    static func loop(_ consumer: KafkaShareConsumer, _ body: @escaping @Sendable (KafkaMessage) async throws -> Void) -> Task<Void, Error> {
        Task {
            for try await message in consumer.messages { try await body(message) }
        }
    }

    @Test("two members of one share group on a one-partition topic both receive records; every record is accepted exactly once",
          .enabled(if: available, skip))
    func twoMembersShareOnePartition() async throws {
        let (cluster, topic) = try await Self.cluster(records: 200)
        let group = uniqueTopic("share-group")
        let received = Locked<[String: [Int]]>([:])  // record -> members that accepted it
        let committed = Locked<[Int64]>([])  // offsets the broker confirmed
        let consumers = try (0..<2).map { _ in
            try KafkaShareConsumer(configuration: Self.config(cluster, group: group, mode: .explicit, maxPollRecords: 5),
                options: .init(logHandler: KafkaLog.none, eventHandler: { event in
                    if case .acknowledgementCommitted(let commit) = event, commit.error == nil {
                        committed.withLock { $0 += commit.offsets }
                    }
                }))
        }
        for consumer in consumers { try await consumer.subscribe(topics: [topic]) }
        try await cluster.shareEveryPartition(ofGroup: group, members: 2, partitions: [TopicPartition(topic, 0)])
        try await Task.sleep(for: .seconds(1))  // a heartbeat or two: both members hear of it
        let loops = consumers.enumerated().map { member, consumer in
            Self.loop(consumer) { message in
                try await Task.sleep(for: .milliseconds(5))  // work, so that both members fetch
                received.withLock { $0[message.valueString ?? "", default: []].append(member) }
                try consumer.acknowledge(message, .accept)
            }
        }
        try await waitUntil("200 records received", timeout: .seconds(60)) { received.withLock { $0.count } == 200 }
        for consumer in consumers { try await consumer.commit() }
        for loop in loops { loop.cancel() }
        for consumer in consumers { try await consumer.close() }
        let counts = received.withLock { $0 }
        #expect(counts.values.allSatisfy { $0.count == 1 }, "each record accepted once: \(counts.filter { $0.value.count != 1 })")
        let perMember = (0..<2).map { member in counts.values.filter { $0 == [member] }.count }
        #expect(perMember.allSatisfy { $0 > 0 } && perMember.reduce(0, +) == 200, "both members received records: \(perMember)")
        #expect(committed.withLock { $0.sorted() } == (0..<200).map(Int64.init), "the broker confirmed each acknowledgement once")
    }

    @Test("a released record comes back with delivery count 2; a rejected one never comes back", .enabled(if: available, skip))
    func releaseRedeliversAndRejectDiscards() async throws {
        let (cluster, topic) = try await Self.cluster(records: 10)
        let consumer = try KafkaShareConsumer(configuration: Self.config(cluster, group: uniqueTopic("share-group"), mode: .explicit),
            options: .init(logHandler: KafkaLog.none))
        try await consumer.subscribe(topics: [topic])
        let seen = Locked<[(String, Int?)]>([])
        let loop = Self.loop(consumer) { message in
            let value = message.valueString ?? ""
            seen.withLock { $0.append((value, message.deliveryCount)) }
            switch (value, message.deliveryCount ?? 0) {
            case ("r3", 1): try consumer.acknowledge(message, .release)
            case ("r7", _): try consumer.acknowledge(message, .reject)
            default: try consumer.acknowledge(message, .accept)
            }
        }
        try await waitUntil("r3 delivered twice", timeout: .seconds(60)) { seen.withLock { $0.filter { $0.0 == "r3" }.count } == 2 }
        try await Task.sleep(for: .seconds(2))  // time for a rejected record to (wrongly) come back
        loop.cancel()
        try await consumer.close()
        let deliveries = seen.withLock { $0 }
        #expect(deliveries.filter { $0.0 == "r3" }.map(\.1) == [1, 2], "\(deliveries)")
        #expect(deliveries.filter { $0.0 == "r7" }.count == 1, "the rejected record came once: \(deliveries)")
        #expect(Set(deliveries.map(\.0)).count == 10 && deliveries.count == 11, "\(deliveries)")
    }

    @Test("a member that closes mid-batch without acknowledging has those records delivered to the other member",
          .enabled(if: available, skip))
    func closeMidBatchRedeliversToTheOtherMember() async throws {
        let (cluster, topic) = try await Self.cluster(records: 20)
        let group = uniqueTopic("share-group")
        let first = try KafkaShareConsumer(configuration: Self.config(cluster, group: group, mode: .explicit, maxPollRecords: 20),
            options: .init(logHandler: KafkaLog.none))
        try await first.subscribe(topics: [topic])
        // The first member takes a batch, acknowledges two records, and leaves.
        var iterator = first.messages.makeAsyncIterator()
        var abandoned: [String] = []
        var accepted: [String] = []
        while let message = try await iterator.next() {
            if accepted.count < 2 {
                try first.acknowledge(message, .accept)
                accepted.append(message.valueString ?? "")
            } else {
                abandoned.append(message.valueString ?? "")
            }
            if accepted.count + abandoned.count == 20 { break }
            if abandoned.count >= 3, message.offset == Int64(accepted.count + abandoned.count - 1) { break }
        }
        #expect(accepted.count == 2 && !abandoned.isEmpty)
        try await first.close()

        let second = try KafkaShareConsumer(configuration: Self.config(cluster, group: group, mode: .implicit),
            options: .init(logHandler: KafkaLog.none))
        try await second.subscribe(topics: [topic])
        let got = Locked<[String: Int?]>([:])
        let loop = Self.loop(second) { message in got.withLock { $0[message.valueString ?? ""] = message.deliveryCount } }
        try await waitUntil("the other 18 records", timeout: .seconds(60)) { got.withLock { $0.count } >= 18 }
        try await Task.sleep(for: .milliseconds(500))
        loop.cancel()
        try await second.close()
        let delivered = got.withLock { $0 }
        #expect(Set(delivered.keys) == Set((0..<20).map { "r\($0)" }).subtracting(accepted), "\(delivered.keys.sorted())")
        for record in abandoned { #expect(delivered[record] == .some(2), "\(record) came back as a second delivery: \(delivered)") }
    }

    @Test("explicit mode: a record left unacknowledged fails the loop, naming it; implicit mode refuses acknowledge",
          .enabled(if: available, skip))
    func acknowledgementMistakesAreClearErrors() async throws {
        let (cluster, topic) = try await Self.cluster(records: 3)
        let explicit = try KafkaShareConsumer(configuration: Self.config(cluster, group: uniqueTopic("share-group"), mode: .explicit),
            options: .init(logHandler: KafkaLog.none))
        try await explicit.subscribe(topics: [topic])
        var iterator = explicit.messages.makeAsyncIterator()
        var taken: [KafkaMessage] = []
        while taken.count < 3, let message = try await iterator.next() { taken.append(message) }
        try explicit.acknowledge(taken[0], .accept)
        try explicit.acknowledge(taken[2], .accept)
        let twice = #expect(throws: KafkaError.self) { try explicit.acknowledge(taken[0], .reject) }
        #expect("\(twice.map { "\($0)" } ?? "")".contains("already acknowledged (accept)"))
        let left = await #expect(throws: KafkaError.self) { _ = try await iterator.next() }
        let text = "\(left.map { "\($0)" } ?? "")"
        #expect(text.contains("1 record(s) of the previous batch were not acknowledged") && text.contains("\(taken[1])"), "\(text)")
        try await explicit.close()

        let implicit = try KafkaShareConsumer(configuration: Self.config(cluster, group: uniqueTopic("share-group"), mode: .implicit),
            options: .init(logHandler: KafkaLog.none))
        try await implicit.subscribe(topics: [topic])
        var implicitIterator = implicit.messages.makeAsyncIterator()
        let message = try #require(try await implicitIterator.next())
        let refused = #expect(throws: KafkaError.self) { try implicit.acknowledge(message, .accept) }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("share.acknowledgement.mode=explicit"))
        try await implicit.close()
    }

    @Test("iterating before subscribing says to subscribe; a cancelled loop ends within the poll slice", .enabled(if: available, skip))
    func notSubscribedAndCancellation() async throws {
        let (cluster, topic) = try await Self.cluster(records: 0)
        let consumer = try KafkaShareConsumer(configuration: Self.config(cluster, group: uniqueTopic("share-group"), mode: .implicit),
            options: .init(logHandler: KafkaLog.none))
        var iterator = consumer.messages.makeAsyncIterator()
        let error = await #expect(throws: KafkaError.self) { _ = try await iterator.next() }
        #expect(error?.fix?.contains("subscribe") == true, "\(String(describing: error))")
        try await consumer.subscribe(topics: [topic])
        let loop = Self.loop(consumer) { _ in }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        loop.cancel()
        _ = await loop.result
        #expect(ContinuousClock.now - start < .seconds(1))
        try await consumer.close(timeout: .seconds(10))
    }

    @Test("on a librdkafka without share consumers, creating one fails naming the release it needs and the one loaded",
          .disabled(if: available, "librdkafka \(Librdkafka.version) has share consumers: the share tests run instead"))
    func needsNewerLibrary() throws {
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config.groupID = "g"
        let error = #expect(throws: KafkaError.self) { _ = try KafkaShareConsumer(configuration: config) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("share consumer") && text.contains("2.15.0") && text.contains(Librdkafka.version), "\(text)")
    }

    @Test("a share consumer without group.id, or with an unknown acknowledgement mode, fails naming the property",
          .enabled(if: available, skip))
    func configurationMistakes() throws {
        let noGroup = #expect(throws: KafkaError.self) {
            _ = try KafkaShareConsumer(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]))
        }
        #expect("\(noGroup.map { "\($0)" } ?? "")".contains("group.id"))
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config.groupID = "g"
        config["share.acknowledgement.mode"] = "sometimes"
        let badMode = #expect(throws: KafkaError.self) { _ = try KafkaShareConsumer(configuration: config) }
        #expect("\(badMode.map { "\($0)" } ?? "")".contains("share.acknowledgement.mode"))
        // A classic consumer property librdkafka refuses for share consumers: named, with the fix.
        var classic = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        classic.groupID = "g"
        classic.autoOffsetReset = .earliest
        let refused = #expect(throws: KafkaError.self) { _ = try KafkaShareConsumer(configuration: classic) }
        let text = "\(refused.map { "\($0)" } ?? "")"
        #expect(refused?.property == "auto.offset.reset" && text.contains("share.auto.offset.reset"), "\(text)")
    }
}
