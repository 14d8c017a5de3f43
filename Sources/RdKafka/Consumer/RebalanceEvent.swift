/// A change of the partitions assigned to a consumer in a group.
public enum RebalanceEvent: Sendable, Hashable {
    /// These partitions were assigned; the hook runs before consumption starts on them.
    case assigned([TopicPartition])
    /// These partitions are about to be revoked; the hook runs before they are given up, so
    /// the app can finish work and commit.
    case revoked([TopicPartition])
    /// These partitions were lost (the member was removed from the group, e.g. after
    /// `max.poll.interval.ms`); another member may already own them, so commits would fail.
    case lost([TopicPartition])
}
