import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// ACLs, group offset deletion, broker settings and groups by state, against noida-db (which
/// has no authorizer) or a real cluster.
@Suite("Admin: ACLs, group offsets, broker configs", .serialized, .timeLimit(.minutes(2)))
struct AdminAccessTests {
    @Test("ACLs: every typed binding is one librdkafka accepts; a broker without an authorizer gets SECURITY_DISABLED with the fix",
          arguments: TestEnvironment.full)
    func acls(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let topic = uniqueTopic("acl")
        var bindings: [AclBinding] = []
        for operation in AclBinding.Operation.allCases {
            for (type, name) in [(AclBinding.ResourceType.topic, topic), (.group, "g-\(topic)"), (.cluster, "kafka-cluster")] {
                bindings.append(AclBinding(type, name, patternType: operation == .read ? .prefixed : .literal, principal: "User:alice",
                                           operation: operation, permission: operation == .delete ? .deny : .allow))
            }
        }
        // librdkafka builds all of them (it refuses malformed ones before sending); the broker
        // then answers each.
        let created = try await admin.createAcls(bindings)
        #expect(Set(created.keys) == Set(bindings))
        let disabled = created.values.compactMap { $0 }.filter { $0.code == .securityDisabled }
        if broker.kind == .noida {
            #expect(disabled.count == bindings.count, "\(created.values.compactMap { $0 }.prefix(3))")
            #expect(disabled.first?.fix?.contains("authorizer") == true)
            let described = await #expect(throws: KafkaError.self) { _ = try await admin.describeAcls(AclFilter(.topic, topic)) }
            #expect(described?.code == .securityDisabled && described?.fix?.contains("authorizer") == true, "\(String(describing: described))")
            // Per filter, or for the request as a whole: either way the reason and the fix.
            do {
                let deleted = try await admin.deleteAcls([AclFilter(.topic, topic)])
                guard case .failure(let error) = deleted.first else { Issue.record("deleted \(deleted)"); return }
                #expect(error.code == .securityDisabled && error.fix != nil)
            } catch {
                #expect(error.code == .securityDisabled && error.fix != nil, "\(error)")
            }
        } else {
            // A real cluster with an authorizer: what was created is described, then deleted.
            guard disabled.isEmpty else { return }
            let described = try await admin.describeAcls(AclFilter(.topic, topic, pattern: .any))
            #expect(Set(described).isSuperset(of: bindings.filter { $0.resourceType == .topic }))
            let deleted = try await admin.deleteAcls([AclFilter(.topic, topic, pattern: .any), AclFilter(.group, "g-\(topic)")])
            #expect(try deleted[0].get().count == AclBinding.Operation.allCases.count)
        }
    }

    @Test("ACL arguments are checked before sending: principal form, transactional ids on old librdkafka")
    func aclArguments() async throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logHandler: KafkaLog.none)
        let bare = await #expect(throws: KafkaError.self) {
            _ = try await admin.createAcls([AclBinding(.topic, "t", principal: "alice", operation: .read)])
        }
        #expect(bare?.fix?.contains("User:alice") == true)
        if !Librdkafka.supports(.transactionalIDACLs) {
            let old = await #expect(throws: KafkaError.self) {
                _ = try await admin.createAcls([AclBinding(.transactionalID, "tx", principal: "User:a", operation: .write)], timeout: .seconds(1))
            }
            #expect(old?.code == .unsupportedFeature && old?.message.contains("2.6.0") == true, "\(String(describing: old))")
        }
        let binding = AclBinding(.topic, "orders", patternType: .prefixed, principal: "User:alice", operation: .write)
        #expect(binding.description == "User:alice from * Allow Write on Topic orders (Prefixed)")
        #expect(AclFilter(matching: binding).pattern == .prefixed)
    }

    /// A group that committed offsets for both partitions of a new topic and then left.
    func groupWithOffsets(_ broker: TestBroker) async throws -> (group: String, topic: String) {
        let topic = uniqueTopic("group-offsets")
        let group = uniqueTopic("g")
        let admin = try KafkaAdmin(configuration: broker.configuration())
        _ = try await admin.createTopics([NewTopic(name: topic, partitions: 2, replicationFactor: 1)])
        var config = broker.configuration()
        config.groupID = group
        config.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        try await consumer.assign([TopicPartition(topic, 0): .beginning, TopicPartition(topic, 1): .beginning])
        try await consumer.commit([TopicPartition(topic, 0): 0, TopicPartition(topic, 1): 0])
        try await consumer.close()
        return (group, topic)
    }

    @Test("deleteConsumerGroupOffsets removes one partition's offset and leaves the other", arguments: TestEnvironment.full)
    func deleteGroupOffsets(broker: TestBroker) async throws {
        let (group, topic) = try await groupWithOffsets(broker)
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        #expect(try await admin.consumerGroupOffsets(group) == [p0: 0, p1: 0])
        let results = try await admin.deleteConsumerGroupOffsets(group, [p0])
        #expect(results.count == 1)
        #expect(results[p0] == .some(nil), "\(results)")
        #expect(try await admin.consumerGroupOffsets(group) == [p1: 0])
        await #expect(throws: KafkaError.self) { _ = try await admin.deleteConsumerGroupOffsets(group, [TopicPartition(topic, -1)]) }

        let (status, output) = try runCLI(["groups", "delete-offsets", group, topic, "-b", broker.bootstrap])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(p1)\tdeleted"), "\(output)")
    }

    @Test("groups are listed by state: an empty group under Empty, not under Stable", arguments: TestEnvironment.full)
    func groupsByState(broker: TestBroker) async throws {
        let (group, _) = try await groupWithOffsets(broker)
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let empty = try await admin.listConsumerGroups(states: [.empty])
        #expect(empty.contains { $0.groupID == group && $0.state == .empty }, "\(empty.map(\.groupID).prefix(5))")
        #expect(empty.allSatisfy { $0.state == .empty })
        let stable = try await admin.listConsumerGroups(states: [.stable])
        #expect(!stable.contains { $0.groupID == group })
        let all = try await admin.listConsumerGroups()
        #expect(all.contains { $0.groupID == group })
        let (status, output) = try runCLI(["groups", "list", "--state", "empty", "-b", broker.bootstrap])
        #expect(status == 0 && output.contains(group), "\(output)")
    }

    @Test("broker configs: described with their source, one set and deleted, the others left", arguments: TestEnvironment.full)
    func brokerConfigs(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        let id = try #require(try await admin.metadata().brokers.first?.id)
        let before = try await admin.describeBrokerConfig(id)
        #expect(!before.isEmpty)
        #expect(before.contains { $0.name == "log.retention.hours" || $0.name == "num.partitions" || $0.name == "log.retention.ms" }, "\(before.prefix(5).map(\.name))")
        // noida-db knows three broker settings; this one is set to the value it has, so other
        // tests see no change. It reports a set value as a static one.
        let (name, value) = broker.kind == .noida ? ("default.replication.factor", "1") : ("log.cleaner.threads", "2")
        try await admin.alterBrokerConfig(id, set: [name: value])
        let set = try #require(try await admin.describeBrokerConfig(id).first { $0.name == name })
        #expect(set.value == value && set.source != .default, "\(set)")
        try await admin.alterBrokerConfig(id, delete: [name])
        let after = try #require(try await admin.describeBrokerConfig(id).first { $0.name == name })
        #expect(after.source != .brokerOverride)
        // noida-db applies a replacing AlterConfigs (librdkafka before 2.2) without removing
        // what it leaves out, so only the incremental delete shows there.
        if broker.kind != .noida || Librdkafka.supports(.incrementalAlterConfigs) {
            #expect(after.source == .default || after.source == .staticBroker, "\(after)")
        }
        await #expect(throws: KafkaError.self) { try await admin.alterBrokerConfig(-1, set: [name: "1"]) }

        let (status, output) = try runCLI(["configs", "broker", String(id), "-b", broker.bootstrap])
        #expect(status == 0 && output.contains("\(name)="), "\(output.prefix(400))")
    }
}
