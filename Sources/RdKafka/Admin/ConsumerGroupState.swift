/// A consumer group's state, as the group coordinator reports it
/// (`rd_kafka_consumer_group_state_t`).
public enum ConsumerGroupState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = "Unknown"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"
    case empty = "Empty"
    /// KIP-848 groups only (librdkafka 2.5 or later reports it).
    case assigning = "Assigning"
    /// KIP-848 groups only (librdkafka 2.5 or later reports it).
    case reconciling = "Reconciling"

    public var description: String { rawValue }
}
