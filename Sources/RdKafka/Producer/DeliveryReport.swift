/// The outcome of producing one message: where it was written, or why it was not.
///
/// Reports carry the message's identity and outcome, not its bytes, so they stay small.
public struct DeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The offset the broker gave the message (-1 when not delivered or unknown, as with acks=0).
    public var offset: Int64
    /// The message's timestamp as stored.
    public var timestamp: KafkaTimestamp?
    /// Time from enqueue to the broker's answer, in microseconds (`rd_kafka_message_latency`).
    public var latencyMicroseconds: Int64
    /// The id ``KafkaProducer/produce(_:)`` returned for this message (0 for other forms).
    public var messageID: UInt64
    /// Why the message was not delivered, or `nil` when it was.
    public var error: KafkaError?

    public var isDelivered: Bool { error == nil }
}
