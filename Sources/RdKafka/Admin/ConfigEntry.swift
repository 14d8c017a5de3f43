/// One configuration value of a topic or broker (`rd_kafka_ConfigEntry_t`).
public struct ConfigEntry: Sendable, Hashable {
    public var name: String
    /// The value; `nil` when the broker hides it (sensitive) or has none.
    public var value: String?
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
    /// Set on this topic (`RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG`), not inherited from the
    /// broker or the default.
    public var isTopicOverride: Bool
}
