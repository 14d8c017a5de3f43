/// How a consumer group assigns partitions. The corresponding librdkafka property is
/// `group.protocol`.
public enum GroupProtocol: String, Sendable {
    /// The members agree on the assignment through the assignor in
    /// `partition.assignment.strategy` (librdkafka's default).
    case classic
    /// KIP-848: the broker assigns partitions, incrementally, with the assignor in
    /// `group.remote.assignor`. Needs librdkafka 2.12 or later
    /// (``Librdkafka/Feature/consumerGroupProtocol``) and Kafka 4.0 or later. Session and
    /// heartbeat timing are the broker's (`group.consumer.session.timeout.ms`).
    case consumer
}
