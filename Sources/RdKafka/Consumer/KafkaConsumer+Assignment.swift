extension KafkaConsumer {
    // MARK: Manual assignment

    /// Consumes exactly these partitions, from these positions, outside any group rebalancing
    /// (`rd_kafka_assign`). An empty dictionary stops consuming.
    ///
    /// Timestamp positions are looked up from the brokers first (`rd_kafka_offsets_for_times`,
    /// on an SDK thread, for up to `timeout`).
    public func assign(_ partitions: [TopicPartition: KafkaOffset], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        try ensureOpen()
        try core.assign(try await startOffsets(partitions, action: "assign", timeout: timeout))
    }

    /// Adds these partitions, from these positions, to the current assignment
    /// (`rd_kafka_incremental_assign`), leaving the others as they are: the cooperative
    /// protocol's way, for a manual assignment or inside a rebalance hook of a cooperative group.
    /// Timestamp positions are looked up as in ``assign(_:timeout:)``.
    public func incrementalAssign(_ partitions: [TopicPartition: KafkaOffset], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        try ensureOpen()
        guard !partitions.isEmpty else { return }
        try core.incrementalAssign(try await startOffsets(partitions, action: "assign", timeout: timeout))
    }

    /// Removes these partitions from the current assignment (`rd_kafka_incremental_unassign`),
    /// leaving the others as they are.
    public func incrementalUnassign(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        guard !partitions.isEmpty else { return }
        try TopicPartition.validate(partitions, action: "unassign")
        try core.incrementalUnassign(partitions)
    }

    /// Partitions and librdkafka start offsets in topic and partition order, timestamps looked up.
    private func startOffsets(
        _ partitions: [TopicPartition: KafkaOffset], action: String, timeout: Duration
    ) async throws(KafkaError) -> [(TopicPartition, Int64)] {
        try TopicPartition.validate(Array(partitions.keys), action: action)
        for (tp, start) in partitions {
            if case .offset(let offset) = start, offset < 0 {
                throw KafkaError.invalidArgument("cannot start \(tp) at offset \(offset)", fix: "use an offset >= 0, or .beginning, .end or .committed")
            }
        }
        let core = self.core
        let times = partitions.compactMapValues { if case .timestamp(let t) = $0 { return t.millisecondsSinceEpoch } else { return nil } }
        let ms = timeout.clampedMilliseconds
        let resolved = times.isEmpty ? [:] : try await Blocking.run { () throws(KafkaError) in try core.offsetsForTimes(times, timeoutMs: ms) }
        // In topic and partition order, not the dictionary's random one: librdkafka looks start
        // offsets up in list order, so runs repeat the same requests.
        let ordered = partitions.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
        return ordered.map { tp, start in (tp, resolved[tp] ?? start.logicalValue ?? -1) }
    }
}
