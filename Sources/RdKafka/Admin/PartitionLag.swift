/// A consumer group's progress on one partition (``KafkaAdmin/consumerGroupLag(_:timeout:)``).
public struct PartitionLag: Sendable, Hashable {
    public var partition: TopicPartition
    /// The group's committed offset (`nil` when it has none).
    public var committed: Int64?
    /// The partition's end (high watermark).
    public var end: Int64
    /// Messages not yet consumed by the group: `end - committed` (or `end - low watermark`
    /// without a commit).
    public var lag: Int64
}
