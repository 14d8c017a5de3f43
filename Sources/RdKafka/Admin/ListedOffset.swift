/// Which offset ``KafkaAdmin/listOffsets(_:readCommitted:timeout:)`` looks up in a partition.
public enum OffsetQuery: Sendable, Hashable {
    /// The oldest offset the broker keeps.
    case earliest
    /// The next offset to be written (the high watermark, or the last stable offset when
    /// reading committed).
    case latest
    /// The message with the largest timestamp.
    case maxTimestamp
    /// The first message with a timestamp at or after this one.
    case time(KafkaTimestamp)

    /// librdkafka's `RD_KAFKA_OFFSET_SPEC_*`, or the time in ms (negative times clamp to 0).
    var spec: Int64 {
        switch self {
        case .earliest: return -2
        case .latest: return -1
        case .maxTimestamp: return -3
        case .time(let t): return max(0, t.millisecondsSinceEpoch)
        }
    }
}

/// An offset found by ``KafkaAdmin/listOffsets(_:readCommitted:timeout:)``.
public struct ListedOffset: Sendable, Hashable {
    /// The offset; `nil` when there is none (a time after the newest message).
    public var offset: Int64?
    /// The message's timestamp, where the query finds a message by time.
    public var timestamp: KafkaTimestamp?
}
