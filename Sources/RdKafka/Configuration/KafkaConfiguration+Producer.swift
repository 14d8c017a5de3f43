// Typed settings for producers.
extension KafkaConfiguration {
    /// Acknowledgements required per produce request. The corresponding librdkafka property is
    /// `acks`.
    public var acks: Acks? {
        get {
            switch string("acks") ?? string("request.required.acks") {
            case "0": return Acks.none
            case "1": return .leader
            case "all", "-1": return .all
            default: return nil
            }
        }
        set { setRaw("acks", newValue) }
    }

    /// Exactly-once delivery per partition: no duplicates and no reordering on retries.
    /// The corresponding librdkafka property is `enable.idempotence`.
    public var enableIdempotence: Bool? {
        get { bool("enable.idempotence") }
        set { setBool("enable.idempotence", newValue) }
    }

    /// The transactional producer's id; setting it makes the producer transactional.
    /// The corresponding librdkafka property is `transactional.id`.
    public var transactionalID: String? {
        get { string("transactional.id") }
        set { setString("transactional.id", newValue) }
    }

    /// How long to wait for more messages before sending a batch (to the microsecond).
    /// The corresponding librdkafka property is `linger.ms`.
    public var linger: Duration? {
        get { duration("linger.ms") }
        set { setDuration("linger.ms", newValue, fractional: true) }
    }

    /// Largest number of messages per batch. The corresponding librdkafka property is
    /// `batch.num.messages`.
    public var batchNumMessages: Int? {
        get { int("batch.num.messages") }
        set { setInt("batch.num.messages", newValue) }
    }

    /// Largest batch in bytes. The corresponding librdkafka property is `batch.size`.
    public var batchSize: Int? {
        get { int("batch.size") }
        set { setInt("batch.size", newValue) }
    }

    /// Most messages waiting in the producer's local queue; when full, sends wait for room.
    /// The corresponding librdkafka property is `queue.buffering.max.messages`.
    public var queueBufferingMaxMessages: Int? {
        get { int("queue.buffering.max.messages") }
        set { setInt("queue.buffering.max.messages", newValue) }
    }

    /// Most kilobytes waiting in the producer's local queue. The corresponding librdkafka
    /// property is `queue.buffering.max.kbytes`.
    public var queueBufferingMaxKBytes: Int? {
        get { int("queue.buffering.max.kbytes") }
        set { setInt("queue.buffering.max.kbytes", newValue) }
    }

    /// How long a message may take to be delivered, retries included (zero: no limit), in
    /// whole milliseconds. The corresponding librdkafka property is `message.timeout.ms`.
    public var messageTimeout: Duration? {
        get { duration("message.timeout.ms") }
        set { setDuration("message.timeout.ms", newValue) }
    }

    /// Compression of message sets. The corresponding librdkafka property is `compression.codec`.
    public var compression: CompressionCodec? {
        get { raw("compression.codec") ?? raw("compression.type") }
        set { setRaw("compression.codec", newValue) }
    }

    /// Largest message (request) size in bytes. The corresponding librdkafka property is
    /// `message.max.bytes`.
    public var messageMaxBytes: Int? {
        get { int("message.max.bytes") }
        set { setInt("message.max.bytes", newValue) }
    }

    /// Timeout of transactions, in whole milliseconds. The corresponding librdkafka property is
    /// `transaction.timeout.ms`.
    public var transactionTimeout: Duration? {
        get { duration("transaction.timeout.ms") }
        set { setDuration("transaction.timeout.ms", newValue) }
    }
}
