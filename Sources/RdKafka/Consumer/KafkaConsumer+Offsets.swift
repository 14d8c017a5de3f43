#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import Dispatch


extension KafkaConsumer {
    // MARK: Offsets

    /// Commits the offsets of the messages taken so far and waits for the broker (`rd_kafka_commit`).
    public func commit() async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        try await Blocking.run { () throws(KafkaError) in try core.commit(nil) }
    }

    /// Commits explicit offsets (the next offset to consume per partition) and waits for the broker.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        try ensureOpen()
        try TopicPartition.validate(offsets: offsets, action: "commit")
        let core = self.core
        let list = offsets.map { ($0.key, $0.value) }
        try await Blocking.run { () throws(KafkaError) in try core.commit(list) }
    }

    /// Commits the offsets of the messages taken so far without waiting; `completion` (if any)
    /// gets the outcome on a background thread.
    public func commitAsync(completion: (@Sendable (KafkaError?) -> Void)? = nil) {
        let core = self.core
        Task.detached {
            let result: KafkaError? = await Blocking.run {
                do throws(KafkaError) { try core.commit(nil); return nil } catch { return error }
            }
            completion?(result)
        }
    }

    /// Commits explicit offsets (the next offset to consume per partition) without waiting;
    /// `completion` (if any) gets the outcome on a background thread. Invalid offsets (negative,
    /// or an empty topic) are reported to `completion` without contacting the broker.
    public func commitAsync(_ offsets: [TopicPartition: Int64], completion: (@Sendable (KafkaError?) -> Void)? = nil) {
        let core = self.core
        let list = offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { ($0.key, $0.value) }
        Task.detached {
            let result: KafkaError? = await Blocking.run {
                do throws(KafkaError) {
                    try TopicPartition.validate(offsets: offsets, action: "commit")
                    try core.commit(list)
                    return nil
                } catch { return error }
            }
            completion?(result)
        }
    }

    /// Marks explicit offsets (the next offset to consume per partition) for the next commit
    /// (`rd_kafka_offsets_store`), for apps that set `enable.auto.offset.store=false` and decide
    /// themselves what is done. With the SDK storing offsets as messages are taken (the default),
    /// its later stores move them on again.
    ///
    /// - Throws: `KafkaError` for a partition not assigned to this consumer, or a negative offset.
    public func storeOffsets(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        try ensureOpen()
        try TopicPartition.validate(offsets: offsets, action: "store")
        try core.store(offsets.map { ($0.key, $0.value) })
    }

    /// Marks `message` as processed so the next commit includes it (for
    /// `enable.auto.offset.store=false`, at-least-once processing) (`rd_kafka_offsets_store`).
    public func storeOffset(_ message: KafkaMessage) throws(KafkaError) {
        try ensureOpen()
        try core.store([(message.topicPartition, message.offset + 1)])
    }

    /// The group's committed offsets (`rd_kafka_committed`): the next offset to consume per
    /// partition. A partition the group has committed nothing for is absent.
    public func committed(for partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [TopicPartition: Int64] {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        return try await Blocking.run { () throws(KafkaError) in try core.committed(partitions, timeoutMs: ms) }
    }

    /// The next offset this consumer will read per partition (`rd_kafka_position`). A partition
    /// whose position is not known yet (nothing consumed, not assigned) is absent.
    public func position(for partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        try ensureOpen()
        return try core.position(partitions)
    }

    /// Moves the read position of assigned partitions (`rd_kafka_seek_partitions`).
    ///
    /// The next message of such a partition from ``messages`` is the sought one: what was left
    /// of it in the batch in hand is dropped (messages `poll` returned are the app's). When the
    /// SDK stores offsets (the default), the next commit covers up to the sought offset, as
    /// Java's commit after a seek does; a rebalance that gives the partition back to this
    /// consumer resumes there.
    public func seek(_ positions: [TopicPartition: KafkaOffset], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        try await Blocking.run { () throws(KafkaError) in
            let times = positions.compactMapValues { if case .timestamp(let t) = $0 { return t.millisecondsSinceEpoch } else { return nil } }
            let resolved = times.isEmpty ? [:] : try core.offsetsForTimes(times, timeoutMs: ms)
            try core.seek(positions.map { ($0.key, resolved[$0.key] ?? $0.value.logicalValue ?? -1) }, timeoutMs: ms)
        }
    }

    /// Stops fetching these partitions until ``resume(_:)`` (`rd_kafka_pause_partitions`).
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try core.pause(partitions)
    }

    /// Resumes fetching paused partitions (`rd_kafka_resume_partitions`).
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try core.resume(partitions)
    }

    /// The oldest and next offsets of a partition, asked from the broker
    /// (`rd_kafka_query_watermark_offsets`), or librdkafka's last known values (`cached`,
    /// `rd_kafka_get_watermark_offsets`).
    public func watermarkOffsets(for partition: TopicPartition, cached: Bool = false, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        let result: (Int64, Int64) = try await Blocking.run { () throws(KafkaError) in
            let w = try core.watermarks(partition, cached: cached, timeoutMs: ms)
            return (w.low, w.high)
        }
        return (result.0, result.1)
    }

    /// For each partition, the first offset whose timestamp is at or after the given one
    /// (`rd_kafka_offsets_for_times`). A partition with no such message is absent.
    public func offsetsForTimes(_ times: [TopicPartition: KafkaTimestamp], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [TopicPartition: Int64] {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        let found = try await Blocking.run { () throws(KafkaError) in
            try core.offsetsForTimes(times.mapValues(\.millisecondsSinceEpoch), timeoutMs: ms)
        }
        return found.filter { $0.value >= 0 }
    }

    /// Messages left to read per partition: the high watermark minus this consumer's position
    /// (or its committed offset before it has a position).
    public func lag(for partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [TopicPartition: Int64] {
        let positions = try position(for: partitions)
        let committed = try await self.committed(for: partitions, timeout: timeout)
        var result: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let high = try await watermarkOffsets(for: tp, timeout: timeout).high
            let at = positions[tp] ?? committed[tp]
            result[tp] = at.map { max(0, high - $0) } ?? high
        }
        return result
    }
}
