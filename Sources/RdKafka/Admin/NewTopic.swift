/// A topic to create with ``KafkaAdmin/createTopics(_:validateOnly:timeout:)`` (`rd_kafka_NewTopic_t`).
public struct NewTopic: Sendable, Hashable {
    public var name: String
    /// Partitions (`nil`: the broker's `num.partitions`).
    public var partitions: Int32?
    /// Replicas per partition (`nil`: the broker's `default.replication.factor`).
    public var replicationFactor: Int32?
    /// Topic configuration, such as `retention.ms`.
    public var configs: [String: String]

    public init(name: String, partitions: Int32? = nil, replicationFactor: Int32? = nil, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
