/// A topic to create with ``KafkaAdmin/createTopics(_:validateOnly:timeout:)`` (`rd_kafka_NewTopic_t`).
public struct NewTopic: Sendable, Hashable {
    public var name: String
    /// Partitions, or -1 for the broker's default.
    public var partitions: Int32
    /// Replicas per partition, or -1 for the broker's default.
    public var replicationFactor: Int32
    /// Topic configuration, such as `retention.ms`.
    public var configs: [String: String]

    public init(name: String, partitions: Int32 = -1, replicationFactor: Int32 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
