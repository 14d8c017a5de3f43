/// One configuration value of a topic or broker (`rd_kafka_ConfigEntry_t`).
public struct ConfigEntry: Sendable, Hashable {
    /// Where a value comes from (`rd_kafka_ConfigSource_t`).
    public enum Source: Int, Sendable, Hashable {
        case unknown = 0
        /// Set on this topic.
        case topicOverride = 1
        /// Set on this broker at run time.
        case brokerOverride = 2
        /// Set at run time for every broker of the cluster.
        case clusterDefault = 3
        /// The broker's configuration file.
        case staticBroker = 4
        /// Kafka's default.
        case `default` = 5
    }

    public var name: String
    /// The value; `nil` when the broker hides it (sensitive) or has none.
    public var value: String?
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
    public var source: Source
    /// Set on this topic (`RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG`), not inherited from the
    /// broker or the default.
    public var isTopicOverride: Bool { source == .topicOverride }
}
