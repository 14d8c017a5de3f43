/// How many acknowledgements the leader must have before answering a produce request.
/// The corresponding librdkafka property is `acks` (`request.required.acks`).
public enum Acks: String, Sendable {
    /// No acknowledgement (`acks=0`): fastest, messages may be lost.
    case none = "0"
    /// The leader's own write (`acks=1`).
    case leader = "1"
    /// Every in-sync replica (`acks=all`, librdkafka's default).
    case all = "all"
}
