import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// Features of newer librdkafka releases: each runs where the loaded library has it, and on an
/// older library the same call must fail with the error that names the release it needs.
/// `make test` runs the suite on the system librdkafka and again on 2.16.
@Suite("librdkafka 2.0.2 to 2.16: newer features at run time", .serialized, .timeLimit(.minutes(3)))
struct LibrdkafkaRangeTests {
    static let kip848 = Librdkafka.supports(.consumerGroupProtocol)
    static let listOffsets = Librdkafka.supports(.listOffsets)
    static let describeCluster = Librdkafka.supports(.describeCluster)

    static func kip848Config(_ bootstrap: String, group: String) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [bootstrap])
        config.groupID = group
        config.groupProtocol = .consumer
        config.autoOffsetReset = .earliest
        return config
    }

    @Test("KIP-848: two consumers with group.protocol=consumer split a topic's partitions; their hooks hear the assignments",
          .enabled(if: kip848, "needs librdkafka \(Librdkafka.Feature.consumerGroupProtocol.minimumVersion); loaded \(Librdkafka.version)"))
    func consumerProtocolSplitsPartitions() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = uniqueTopic("kip848")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for i in 0..<40 { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: Int32(i % 4), value: "m\(i)")) }
        _ = await producer.shutdown()

        let group = uniqueTopic("kip848-group")
        let heard = [LogLines(), LogLines()]
        let consumers = try (0..<2).map { i in
            try KafkaConsumer(configuration: Self.kip848Config(cluster.bootstrapServers, group: group),
                options: .init(logHandler: KafkaLog.none, rebalanceHandler: { event in heard[i].append("\(event)") }))
        }
        for consumer in consumers { try consumer.subscribe(topics: [topic]) }
        // Each loop takes what its member is assigned; together they read all 40, once.
        let received = Locked<[String: Int]>([:])
        let loops = consumers.map { consumer in
            Task {
                for try await message in consumer.messages {
                    received.withLock { $0[message.valueString ?? "", default: 0] += 1 }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        var split: [[TopicPartition]] = []
        while ContinuousClock.now < deadline {
            split = try consumers.map { try $0.assignment }
            let done = received.withLock { $0.count } == 40
            if done, split.allSatisfy({ !$0.isEmpty }), Set(split.joined()).count == 4 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(split.allSatisfy { !$0.isEmpty }, "both members have partitions: \(split)")
        #expect(split.joined().count == 4 && Set(split.joined()).count == 4, "the four partitions, each once: \(split)")
        #expect(received.withLock { $0.count } == 40 && received.withLock { $0.values.allSatisfy { $0 == 1 } })
        for lines in heard { #expect(lines.lines.contains { $0.hasPrefix("assigned") }, "\(lines.lines)") }
        for loop in loops { loop.cancel() }
        for consumer in consumers { try await consumer.close() }
    }

    @Test("group.protocol=consumer on a librdkafka without KIP-848 fails, naming the release it needs and the one loaded",
          .disabled(if: kip848, "librdkafka \(Librdkafka.version) has KIP-848: the group test runs instead"))
    func consumerProtocolNeedsNewerLibrary() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: Self.kip848Config("127.0.0.1:1", group: "g"))
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("group.protocol") && text.contains("2.12.0") && text.contains(Librdkafka.version), "\(text)")
        // The raw property from a config file says the same, with where it was set.
        var raw = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        raw["group.id"] = "g"
        raw["group.remote.assignor"] = "uniform"
        let rawError = #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: raw) }
        #expect("\(rawError.map { "\($0)" } ?? "")".contains("needs librdkafka 2.4.0"), "\(String(describing: rawError))")
    }

    @Test("group.protocol=consumer refuses the classic properties the broker now owns, with the fix",
          .enabled(if: kip848, "the version check comes first on librdkafka \(Librdkafka.version)"))
    func consumerProtocolRefusesClassicProperties() throws {
        var config = Self.kip848Config("127.0.0.1:1", group: "g")
        config.sessionTimeout = .seconds(10)
        let error = #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: config) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("session.timeout.ms") && text.contains("group.consumer.session.timeout.ms"), "\(text)")
    }

    @Test("describeCluster lists the brokers and the controller", arguments: TestEnvironment.full)
    func describeCluster(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        guard Self.describeCluster else {
            let error = await #expect(throws: KafkaError.self) { _ = try await admin.describeCluster() }
            #expect(error?.code == .unsupportedFeature && "\(error.map { "\($0)" } ?? "")".contains("2.3.0"), "\(String(describing: error))")
            return
        }
        let cluster = try await admin.describeCluster()
        let metadata = try await admin.metadata()
        #expect(Set(cluster.brokers.map(\.id)) == Set(metadata.brokers.map(\.id)))
        #expect(cluster.brokers.allSatisfy { !$0.host.isEmpty && $0.port > 0 })
        #expect(cluster.controller.map { c in cluster.brokers.contains { $0.id == c.id } } ?? true)
    }

    @Test("describeTopics gives partitions, leaders and replicas, and an unknown topic its own error", arguments: TestEnvironment.full)
    func describeTopics(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let topic = uniqueTopic("describe-topics")
        guard Librdkafka.supports(.describeTopics) else {
            let error = await #expect(throws: KafkaError.self) { _ = try await admin.describeTopics([topic]) }
            #expect(error?.code == .unsupportedFeature && "\(error.map { "\($0)" } ?? "")".contains("2.3.0"), "\(String(describing: error))")
            return
        }
        _ = try await admin.createTopics([NewTopic(name: topic, partitions: 3, replicationFactor: 1)])
        let missing = uniqueTopic("no-such-topic")
        let described = try await admin.describeTopics([topic, missing])
        let found = try #require(described.first { $0.name == topic })
        #expect(found.error == nil && !found.isInternal)
        #expect(found.partitions.map(\.id) == [0, 1, 2])
        #expect(found.partitions.allSatisfy { $0.leader != nil && !$0.replicas.isEmpty && !$0.inSyncReplicas.isEmpty })
        #expect(described.first { $0.name == missing }?.error != nil, "\(described)")
        _ = try await admin.deleteTopics([topic])
    }

    @Test("listOffsets: earliest, latest and by time, per partition", arguments: TestEnvironment.full)
    func listOffsets(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let topic = uniqueTopic("list-offsets")
        let tp = TopicPartition(topic, 0)
        guard Self.listOffsets else {
            let error = await #expect(throws: KafkaError.self) { _ = try await admin.listOffsets([tp: .latest]) }
            #expect(error?.code == .unsupportedFeature && "\(error.map { "\($0)" } ?? "")".contains("2.3.0"), "\(String(describing: error))")
            return
        }
        let producer = try KafkaProducer(configuration: broker.configuration())
        let base = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        for i in 0..<5 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)",
                timestamp: KafkaTimestamp(millisecondsSinceEpoch: base + Int64(i) * 1000)))
        }
        _ = await producer.shutdown()
        let earliest = try await admin.listOffsets([tp: .earliest])[tp]?.get()
        let latest = try await admin.listOffsets([tp: .latest])[tp]?.get()
        let byTime = try await admin.listOffsets([tp: .time(KafkaTimestamp(millisecondsSinceEpoch: base + 2500))])[tp]?.get()
        let after = try await admin.listOffsets([tp: .time(KafkaTimestamp(millisecondsSinceEpoch: base + 3_600_000))])[tp]?.get()
        #expect(earliest?.offset == 0)
        #expect(latest?.offset == 5)
        #expect(byTime?.offset == 3)
        #expect(after?.offset == nil, "no message at or after that time")
    }

    @Test("electLeaders on a partition already led by its preferred replica", arguments: TestEnvironment.full)
    func electLeaders(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let topic = uniqueTopic("elect")
        let tp = TopicPartition(topic, 0)
        guard Librdkafka.supports(.electLeaders) else {
            let error = await #expect(throws: KafkaError.self) { _ = try await admin.electLeaders([tp]) }
            #expect(error?.code == .unsupportedFeature && "\(error.map { "\($0)" } ?? "")".contains("2.6.0"), "\(String(describing: error))")
            return
        }
        _ = try await admin.createTopics([NewTopic(name: topic, partitions: 1, replicationFactor: 1)])
        do {
            // Kafka answers ELECTION_NOT_NEEDED for a partition its preferred replica leads.
            let outcome = try await admin.electLeaders([tp])
            #expect(Array(outcome.keys) == [tp], "\(outcome)")
            #expect(outcome[tp]??.code == KafkaError.Code(rawValue: 84) || outcome[tp]! == nil, "\(outcome)")
        } catch {
            // noida-db has no ElectLeaders: librdkafka says so before sending anything.
            #expect(broker.kind == .noida, "\(error)")
            #expect(error.code == .unsupportedFeature && error.message.contains("not supported by broker") && error.fix != nil, "\(error)")
        }
        _ = try await admin.deleteTopics([topic])
    }

    @Test("SCRAM credential calls: shaped by librdkafka, secrets never shown", arguments: TestEnvironment.full)
    func scramCredentials(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let change = ScramCredentialChange.upsert(user: "alice", mechanism: .sha256, password: "pa55-secret")
        #expect(!"\(change)".contains("pa55-secret"))
        guard Librdkafka.supports(.scramCredentials) else {
            let error = await #expect(throws: KafkaError.self) { _ = try await admin.describeUserScramCredentials(["alice"]) }
            #expect(error?.code == .unsupportedFeature && "\(error.map { "\($0)" } ?? "")".contains("2.2.0"), "\(String(describing: error))")
            return
        }
        let invalid = await #expect(throws: KafkaError.self) {
            _ = try await admin.alterUserScramCredentials([.upsert(user: "alice", mechanism: .sha256, iterations: 0, password: "x")])
        }
        #expect(invalid?.code == .invalidArgument)
        // No broker here implements these (noida-db answers "not supported"): a real Kafka
        // (KAFKA_BOOTSTRAP_SERVERS) describes the user as unknown or lists its mechanisms.
        do {
            let described = try await admin.describeUserScramCredentials(["alice"])
            #expect(described.map(\.user) == ["alice"], "\(described)")
        } catch {
            #expect(broker.kind == .noida && error.code == .unsupportedFeature && error.message.contains("not supported by broker"), "\(error)")
        }
        do {
            let altered = try await admin.alterUserScramCredentials([change])
            #expect(altered.map(\.name) == ["alice"] && !"\(altered)".contains("pa55-secret"), "\(altered)")
        } catch {
            #expect(broker.kind == .noida && error.code == .unsupportedFeature, "\(error)")
            #expect(!"\(error)".contains("pa55-secret"))
        }
    }

    @Test("alterTopicConfig sets and deletes single settings and leaves the others", arguments: TestEnvironment.full)
    func alterTopicConfigIsIncremental(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let name = uniqueTopic("alter-config")
        let created = try await admin.createTopics([NewTopic(name: name, partitions: 1, replicationFactor: 1, configs: [
            "retention.ms": "3600000", "segment.ms": "7200000", "max.message.bytes": "2000000",
        ])])
        #expect(created.allSatisfy { $0.succeeded })
        try await admin.alterTopicConfig(name, set: ["retention.ms": "7200000"], delete: ["max.message.bytes"])
        let config = Dictionary(try await admin.describeTopicConfig(name).map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        #expect(config["retention.ms"]?.value == "7200000")
        #expect(config["segment.ms"]?.value == "7200000" && config["segment.ms"]?.isTopicOverride == true, "left as it was")
        #expect(config["max.message.bytes"]?.isTopicOverride == false, "back to the broker's value")
        _ = try await admin.deleteTopics([name])
    }
}
