/// A consumer group as listed by ``KafkaAdmin/listConsumerGroups(states:timeout:)``.
public struct ConsumerGroupListing: Sendable, Hashable {
    public var groupID: String
    /// The group only stores offsets and has no members that join (assign-only consumers).
    public var isSimple: Bool
    public var state: ConsumerGroupState
}
