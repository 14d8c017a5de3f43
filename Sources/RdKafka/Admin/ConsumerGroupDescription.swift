/// A consumer group's members and assignments (``KafkaAdmin/describeConsumerGroups(_:timeout:)``).
public struct ConsumerGroupDescription: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var memberID: String
        public var clientID: String
        public var host: String
        public var assignment: [TopicPartition]
    }

    public var groupID: String
    public var state: ConsumerGroupState
    public var partitionAssignor: String
    public var members: [Member]
    /// The coordinator's broker id, when known.
    public var coordinator: Int32?
    public var error: KafkaError?
}
