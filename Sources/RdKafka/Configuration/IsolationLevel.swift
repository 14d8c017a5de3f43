/// Whether a consumer sees messages of open and aborted transactions.
/// The corresponding librdkafka property is `isolation.level`.
public enum IsolationLevel: String, Sendable {
    /// Only committed transactional messages (librdkafka's default).
    case readCommitted = "read_committed"
    /// Everything, including aborted transactions.
    case readUncommitted = "read_uncommitted"
}
