/// The outcome of producing one message: where it was written, or why it was not.
///
/// Reports carry the message's identity and outcome, not its bytes, so they stay small: the
/// error, rare, is kept behind a reference so that passing a report around copies a few words.
public struct DeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The offset the broker gave the message (`nil` when not delivered, or unknown as with
    /// `acks=0`).
    public var offset: Int64?
    /// The message's timestamp as stored.
    public var timestamp: KafkaTimestamp?
    /// Time from enqueue to the broker's answer, in microseconds (`rd_kafka_message_latency`).
    /// Always set for ``KafkaProducer/send(_:)`` and `KafkaProducer.send(_:onDelivery:)`;
    /// for `KafkaProducer.produce(_:)` only with ``KafkaProducer/Options/measuresLatency``
    /// (a clock read per report), else `nil`.
    public var latencyMicroseconds: Int64?
    /// The id `KafkaProducer.produce(_:)` returned for this message (0 for other forms).
    public var messageID: UInt64
    // Visible to inlined code, so that `isDelivered` inlines into the app's handler (a call per
    // report otherwise, ~2 ns in `perf`).
    @usableFromInline var failure: Failure?

    /// Why the message was not delivered, or `nil` when it was.
    public var error: KafkaError? {
        get { failure?.error }
        set { failure = newValue.map(Failure.init) }
    }

    @inlinable public var isDelivered: Bool { failure == nil }

    init(
        topic: String, partition: Int32, offset: Int64?, timestamp: KafkaTimestamp?, latencyMicroseconds: Int64?,
        messageID: UInt64, error: KafkaError?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.latencyMicroseconds = latencyMicroseconds
        self.messageID = messageID
        self.failure = error.map(Failure.init)
    }

    /// Immutable, so sharing it between copies of a report is safe.
    @usableFromInline final class Failure: Sendable, Hashable {
        let error: KafkaError
        init(_ error: KafkaError) { self.error = error }
        @usableFromInline static func == (a: Failure, b: Failure) -> Bool { a.error == b.error }
        @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(error) }
    }
}

extension DeliveryReport: CustomStringConvertible {
    /// `topic[partition]@offset` when delivered (without `@offset` when the broker gave none,
    /// as with `acks=0`), else `topic[partition]: not delivered: <error>`.
    public var description: String {
        let place = partition >= 0 ? "\(topic)[\(partition)]" : topic
        if let error { return "\(place): not delivered: \(error)" }
        return offset.map { "\(place)@\($0)" } ?? place
    }
}
