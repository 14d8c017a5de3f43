/// Calls of newer librdkafka releases: each throws on an older one, naming the release it needs
/// (``Librdkafka/supports(_:)`` tells in advance).
extension KafkaAdmin {
    /// The cluster id, the controller and every broker with its rack (DescribeCluster;
    /// librdkafka 2.3 or later).
    public func describeCluster(timeout: Duration = .seconds(30)) async throws(KafkaError) -> ClusterDescription {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeCluster(timeoutMs: ms) }
    }

    /// Topics with their partitions, leaders, replicas, in-sync replicas and ids (DescribeTopics;
    /// librdkafka 2.3 or later). A topic that cannot be described carries its error.
    public func describeTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [TopicDescription] {
        guard !names.isEmpty, !names.contains("") else {
            throw KafkaError.invalidArgument("no topic names, or an empty one: \(names)", fix: "name the topics to describe")
        }
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeTopics(names, timeoutMs: ms) }
    }

    /// Offsets by position or time, per partition, from the partitions' leaders (ListOffsets;
    /// librdkafka 2.3 or later). `readCommitted` hides messages of open transactions
    /// (`latest` is then the last stable offset).
    /// - Returns: Per partition its offset, or the error its leader answered.
    public func listOffsets(
        _ queries: [TopicPartition: OffsetQuery], readCommitted: Bool = false, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: Result<ListedOffset, KafkaError>] {
        for tp in queries.keys where tp.partition < 0 || tp.topic.isEmpty {
            throw KafkaError.invalidArgument("cannot list offsets of \(tp)", fix: "use a topic name and a partition number >= 0")
        }
        let ms = timeout.clampedMilliseconds
        let specs = queries.mapValues(\.spec)
        return try await run { core throws(KafkaError) in try core.listOffsets(specs, readCommitted: readCommitted, timeoutMs: ms) }
    }
}
