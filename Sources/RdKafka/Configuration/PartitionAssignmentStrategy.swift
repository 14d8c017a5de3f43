/// How a consumer group spreads partitions over its members.
/// The corresponding librdkafka property is `partition.assignment.strategy`.
public enum PartitionAssignmentStrategy: String, Sendable {
    case range
    case roundRobin = "roundrobin"
    /// Incremental (cooperative) rebalancing: members keep their partitions across rebalances.
    case cooperativeSticky = "cooperative-sticky"
}
