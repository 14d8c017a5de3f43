/// A consumer group as listed by ``KafkaAdmin/listConsumerGroups(timeout:)``.
public struct ConsumerGroupListing: Sendable, Hashable {
    public var groupID: String
    /// The group only stores offsets and has no members that join (assign-only consumers).
    public var isSimple: Bool
    /// `Stable`, `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Dead` or `Unknown`.
    public var state: String
}
