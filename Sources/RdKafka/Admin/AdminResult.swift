/// The outcome of an admin operation on one item (a topic or a group): one failed item does
/// not hide the others' success.
public struct AdminResult: Sendable, Hashable {
    /// The topic or group name.
    public var name: String
    /// Why this item failed, or `nil` when it succeeded.
    public var error: KafkaError?

    public var succeeded: Bool { error == nil }
}
