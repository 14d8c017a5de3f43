/// The cluster as DescribeCluster reports it (``KafkaAdmin/describeCluster(timeout:)``).
public struct ClusterDescription: Sendable, Hashable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int
        /// The broker's `broker.rack`, when set.
        public var rack: String?
    }

    /// The cluster id, when the brokers report one.
    public var clusterID: String?
    /// The controller, when known.
    public var controller: Broker?
    public var brokers: [Broker]
}
