import RdKafka

/// An in-process Kafka cluster from librdkafka's mock broker (`rdkafka_mock.h`), for testing
/// code that uses the SDK without a real broker.
///
/// It speaks the Kafka protocol on 127.0.0.1 ports of its own, so any client (this SDK, kcat,
/// another process) can connect to ``bootstrapServers``. It supports produce, fetch, offsets,
/// consumer groups, idempotence and transactions, and lets tests inject faults: brokers going
/// down, slow brokers, request errors, leader and coordinator moves. It does not support TLS,
/// SASL or admin requests. Topics are created on first use with 4 partitions, or explicitly
/// with ``createTopic(_:partitions:replicationFactor:)``.
///
/// ```swift
/// let cluster = try MockCluster(brokers: 3)
/// var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
/// let producer = try KafkaProducer(configuration: config)
/// ```
///
/// Thread-safe. The cluster stops when the value is released.
public final class MockCluster: Sendable {
    private let native: NativeMockCluster

    /// The cluster's brokers as `host:port,...`, for `bootstrap.servers`.
    public var bootstrapServers: String { native.bootstraps }
    /// Broker ids, 1 through the number of brokers.
    public let brokerIDs: [Int32]

    /// Starts a cluster of `brokers` brokers (`rd_kafka_mock_cluster_new`).
    public init(brokers: Int = 3) throws {
        guard brokers > 0, brokers <= 1_000 else { throw MockClusterError("a mock cluster needs 1 to 1,000 brokers, not \(brokers)") }
        switch NativeMockCluster.start(brokers: Int32(brokers)) {
        case .success(let native): self.native = native
        case .failure(let error): throw MockClusterError(error.reason)
        }
        self.brokerIDs = (1...Int32(brokers)).map { $0 }
    }

    /// Creates a topic (`rd_kafka_mock_topic_create`).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try check(native.createTopic(name, partitions: partitions, replicationFactor: replicationFactor), "create topic \(name)")
    }

    /// Takes a broker down: its connections close and it accepts none (`rd_kafka_mock_broker_set_down`).
    public func setBrokerDown(_ id: Int32) throws {
        try check(native.setBroker(id, up: false), "take broker \(id) down")
    }

    /// Brings a broker back up (`rd_kafka_mock_broker_set_up`).
    public func setBrokerUp(_ id: Int32) throws {
        try check(native.setBroker(id, up: true), "bring broker \(id) up")
    }

    /// Delays every response of a broker (`rd_kafka_mock_broker_set_rtt`).
    public func setRoundTripTime(broker id: Int32, to delay: Duration) throws {
        try check(native.setRoundTripTime(broker: id, milliseconds: delay.clampedMilliseconds), "set broker \(id)'s RTT")
    }

    /// Makes the next requests of `apiKey` (e.g. 0 for Produce, 1 for Fetch) fail with `errors`,
    /// in order, on any broker (`rd_kafka_mock_push_request_errors_array`).
    public func pushRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        native.pushRequestErrors(apiKey: apiKey, errors: errors)
    }

    /// Removes queued request errors of `apiKey` (`rd_kafka_mock_clear_request_errors`).
    public func clearRequestErrors(apiKey: Int16) {
        native.clearRequestErrors(apiKey: apiKey)
    }

    /// Makes every request on a topic fail with `error` (`.noError` to stop)
    /// (`rd_kafka_mock_topic_set_error`).
    public func setTopicError(_ topic: String, _ error: KafkaError.Code) {
        native.setTopicError(topic, error)
    }

    /// Moves a partition's leadership to `broker` (`rd_kafka_mock_partition_set_leader`).
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws {
        try check(native.setPartitionLeader(topic: topic, partition: partition, broker: broker), "move \(topic)[\(partition)]'s leader")
    }

    /// Makes `broker` the coordinator of a group (`rd_kafka_mock_coordinator_set`).
    public func setCoordinator(group: String, broker: Int32) throws {
        try check(native.setCoordinator(kind: "group", key: group, broker: broker), "move group \(group)'s coordinator")
    }

    /// Makes `broker` the coordinator of a transactional id.
    public func setTransactionCoordinator(transactionalID: String, broker: Int32) throws {
        try check(native.setCoordinator(kind: "transaction", key: transactionalID, broker: broker), "move \(transactionalID)'s coordinator")
    }

    /// Share-group settings of the whole mock cluster (librdkafka 2.15 and later); `nil`
    /// leaves a setting as it is.
    ///
    /// - Parameters:
    ///   - startAtEarliest: New share partitions start at the earliest offset (`true`) or the
    ///     latest (`false`, the default, as in Kafka).
    ///   - recordLockDuration: How long a member holds a record it acquired before the group
    ///     delivers it to another.
    ///   - maxDeliveryAttempts: Deliveries of a record before the group stops offering it.
    ///   - sessionTimeout: How long a silent member stays in the group.
    ///   - heartbeatInterval: How often members send heartbeats (and so learn of assignments).
    /// - Throws: `MockClusterError` when the loaded librdkafka's mock has no share groups.
    public func setShareGroupDefaults(startAtEarliest: Bool? = nil, recordLockDuration: Duration? = nil,
                                      maxDeliveryAttempts: Int? = nil, sessionTimeout: Duration? = nil,
                                      heartbeatInterval: Duration? = nil) throws {
        try check(native.setShareGroup(
            autoOffsetReset: startAtEarliest.map { $0 ? 1 : 0 }, recordLockMs: recordLockDuration.map { Int32($0.clampedMilliseconds) },
            maxDeliveryAttempts: maxDeliveryAttempts.map { Int32(clamping: $0) }, sessionTimeoutMs: sessionTimeout.map { Int32($0.clampedMilliseconds) },
            heartbeatIntervalMs: heartbeatInterval.map { Int32($0.clampedMilliseconds) }),
            "set share group defaults")
    }

    /// Waits until share group `group` has `members` members, then gives each of them all of
    /// `partitions`: Kafka shares every partition among a share group's members, while the
    /// mock's own assignor gives each partition to one member only (librdkafka 2.15 and later).
    public func shareEveryPartition(ofGroup group: String, members: Int, partitions: [TopicPartition], timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ids: [String]
            switch native.shareGroupMembers(group) {
            case .success(let found): ids = found
            case .failure(let error): throw MockClusterError("could not list share group \(group)'s members: \(error.reason)")
            }
            if ids.count >= members {
                try check(native.assignShareGroup(group, members: ids, partitions: partitions.map { ($0.topic, $0.partition) }),
                    "assign share group \(group)")
                return
            }
            guard ContinuousClock.now < deadline else {
                throw MockClusterError("share group \(group) had \(ids.count) of \(members) members after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func check(_ error: NativeMockError?, _ what: String) throws {
        if let error { throw MockClusterError("could not \(what): \(error.reason)") }
    }
}

/// A mock cluster operation failed.
public struct MockClusterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
