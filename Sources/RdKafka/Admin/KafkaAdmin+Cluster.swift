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
        try TopicPartition.validate(queries.keys, action: "list offsets of")
        let ms = timeout.clampedMilliseconds
        let specs = queries.mapValues(\.spec)
        return try await run { core throws(KafkaError) in try core.listOffsets(specs, readCommitted: readCommitted, timeoutMs: ms) }
    }

    /// Moves partitions' leadership to their preferred replica, or with `unclean` to any live
    /// replica even if out of sync (which can lose messages) (ElectLeaders; librdkafka 2.6 or
    /// later). `partitions` `nil`: every partition of the cluster.
    /// - Returns: Per partition the broker's error, or `nil` where the election succeeded.
    public func electLeaders(
        _ partitions: [TopicPartition]? = nil, unclean: Bool = false, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: KafkaError?] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.electLeaders(partitions, unclean: unclean, timeoutMs: ms) }
    }

    /// Users' SCRAM credentials: mechanisms and iterations, never secrets (librdkafka 2.2 or
    /// later). `users` empty: every user that has one.
    public func describeUserScramCredentials(_ users: [String] = [], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [UserScramCredentials] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeUserScramCredentials(users, timeoutMs: ms) }
    }

    /// Creates, replaces or removes users' SCRAM credentials (librdkafka 2.2 or later); one
    /// result per user.
    public func alterUserScramCredentials(_ changes: [ScramCredentialChange], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AdminResult] {
        guard !changes.isEmpty, !changes.contains(where: { $0.user.isEmpty }) else {
            throw KafkaError.invalidArgument("no SCRAM changes, or one without a user", fix: "name the user of each change")
        }
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.alterUserScramCredentials(changes, timeoutMs: ms) }
    }
}
