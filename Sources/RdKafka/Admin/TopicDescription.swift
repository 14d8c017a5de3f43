/// A topic as DescribeTopics reports it (``KafkaAdmin/describeTopics(_:timeout:)``).
public struct TopicDescription: Sendable, Hashable {
    public struct Partition: Sendable, Hashable {
        public var id: Int32
        /// The leader's broker id (`nil` while the partition has none).
        public var leader: Int32?
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
    }

    public var name: String
    /// The topic's id, in Kafka's base64 form, when the broker reports one.
    public var topicID: String?
    /// A topic Kafka keeps for itself, such as `__consumer_offsets`.
    public var isInternal: Bool
    public var partitions: [Partition]
    /// Why this topic could not be described (such as an unknown topic), or `nil`.
    public var error: KafkaError?
}
