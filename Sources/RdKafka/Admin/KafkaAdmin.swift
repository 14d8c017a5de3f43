/// Manages topics and consumer groups, and reads cluster metadata, over librdkafka's Admin API.
///
/// Every call takes a timeout and returns per-item results where the operation covers several
/// items, so one failed topic does not hide the others' success. Calls block a background
/// thread, never a Swift concurrency thread. `KafkaAdmin` is `Sendable`.
///
/// Calls that need a newer librdkafka than the loaded one (``Librdkafka/supports(_:)``) throw
/// an error naming the release they need.
public final class KafkaAdmin: Sendable {
    let core: AdminCore

    public init(configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler = KafkaLog.standardError) throws(KafkaError) {
        core = try AdminCore(configuration: configuration, logHandler: logHandler)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (AdminCore) throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let core = self.core
        return try await Blocking.run { () throws(KafkaError) in try body(core) }
    }

    /// Brokers, controller, cluster id, and topics with their partitions, leaders, replicas and
    /// in-sync replicas: of every topic, or of `topic` only (`rd_kafka_metadata`).
    public func metadata(topic: String? = nil, timeout: Duration = .seconds(10)) async throws(KafkaError) -> KafkaClusterMetadata {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.metadata(topic: topic, timeoutMs: ms) }
    }

    /// Creates topics (`rd_kafka_CreateTopics`); with `validateOnly` the broker only checks them.
    public func createTopics(_ topics: [NewTopic], validateOnly: Bool = false, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AdminResult] {
        guard !topics.isEmpty, !topics.contains(where: { $0.name.isEmpty }) else {
            throw KafkaError.invalidArgument("no topics to create, or one without a name", fix: "pass NewTopic values with names")
        }
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.createTopics(topics, validateOnly: validateOnly, timeoutMs: ms) }
    }

    /// Deletes topics (`rd_kafka_DeleteTopics`).
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AdminResult] {
        guard !names.isEmpty, !names.contains("") else { throw KafkaError.invalidArgument("no topic names, or an empty one: \(names)", fix: "name the topics to delete") }
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.deleteTopics(names, timeoutMs: ms) }
    }

    /// Raises topics' partition counts to the given totals (`rd_kafka_CreatePartitions`).
    public func createPartitions(_ totals: [String: Int], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AdminResult] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.createPartitions(totals, timeoutMs: ms) }
    }

    /// Sets (resets) a group's committed offsets (`rd_kafka_AlterConsumerGroupOffsets`); the group
    /// must have no active members. Returns each partition's error, or `nil` where it succeeded.
    public func alterConsumerGroupOffsets(_ group: String, _ offsets: [TopicPartition: Int64], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [TopicPartition: KafkaError?] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.alterGroupOffsets(group, offsets, timeoutMs: ms) }
    }

    /// The consumer groups the cluster knows (`rd_kafka_ListConsumerGroups`): every one, or
    /// those in one of `states` (the brokers filter).
    public func listConsumerGroups(states: Set<ConsumerGroupState> = [], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [ConsumerGroupListing] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.listGroups(states: states, timeoutMs: ms) }
    }

    /// Deletes a group's committed offsets of `partitions` (`rd_kafka_DeleteConsumerGroupOffsets`),
    /// so the group starts them from `auto.offset.reset` next time; the group must not be
    /// consuming those topics. Returns each partition's error, or `nil` where it succeeded.
    public func deleteConsumerGroupOffsets(_ group: String, _ partitions: [TopicPartition], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [TopicPartition: KafkaError?] {
        guard !group.isEmpty, !partitions.isEmpty else {
            throw KafkaError.invalidArgument("deleteConsumerGroupOffsets needs a group and at least one partition")
        }
        try TopicPartition.validate(partitions, action: "delete the offset of")
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.deleteGroupOffsets(group, partitions, timeoutMs: ms) }
    }

    /// Groups' state, assignor, members and assignments (`rd_kafka_DescribeConsumerGroups`).
    public func describeConsumerGroups(_ ids: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [ConsumerGroupDescription] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeGroups(ids, timeoutMs: ms) }
    }

    /// Deletes empty consumer groups and their offsets (`rd_kafka_DeleteGroups`).
    public func deleteConsumerGroups(_ ids: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AdminResult] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.deleteGroups(ids, timeoutMs: ms) }
    }

    /// A group's committed offsets (`rd_kafka_ListConsumerGroupOffsets`); partitions without one
    /// are absent.
    public func consumerGroupOffsets(_ group: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [TopicPartition: Int64] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.groupOffsets(group, timeoutMs: ms) }
    }

    /// A group's committed offset, the partition's end and the lag, per partition it committed.
    public func consumerGroupLag(_ group: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [PartitionLag] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in
            let committed = try core.groupOffsets(group, timeoutMs: ms)
            return try committed.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { tp throws(KafkaError) in
                let marks = try core.watermarks(tp, timeoutMs: ms)
                let at = committed[tp]
                return PartitionLag(partition: tp, committed: at, end: marks.high, lag: max(0, marks.high - (at ?? marks.low)))
            }
        }
    }

    /// Deletes the records before the given offsets (`rd_kafka_DeleteRecords`); returns each
    /// partition's new low watermark, or its error.
    public func deleteRecords(before offsets: [TopicPartition: Int64], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [TopicPartition: Result<Int64, KafkaError>] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.deleteRecords(offsets, timeoutMs: ms) }
    }
}
