/// Brokers, topics and partitions as the cluster reports them (`rd_kafka_metadata`).
public struct KafkaClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }

    public struct Partition: Sendable, Hashable {
        public var id: Int32
        /// The leader's broker id (`nil` while the partition has none).
        public var leader: Int32?
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
        public var error: KafkaError?
    }

    public struct Topic: Sendable, Hashable {
        public var name: String
        public var partitions: [Partition]
        public var error: KafkaError?
    }

    /// The cluster id (`rd_kafka_clusterid`), when the brokers report one.
    public var clusterID: String?
    /// The controller's broker id (`rd_kafka_controllerid`), when known.
    public var controllerID: Int32?
    public var brokers: [Broker]
    public var topics: [Topic]
}
