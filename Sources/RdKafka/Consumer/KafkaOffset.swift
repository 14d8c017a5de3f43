/// Where a consumer starts reading a partition.
public enum KafkaOffset: Sendable, Hashable {
    /// The oldest message the broker keeps (`RD_KAFKA_OFFSET_BEGINNING`).
    case beginning
    /// After the newest message (`RD_KAFKA_OFFSET_END`).
    case end
    /// The group's committed offset, or `auto.offset.reset` without one (`RD_KAFKA_OFFSET_STORED`).
    case committed
    /// This exact offset.
    case offset(Int64)
    /// The first message with a timestamp at or after this one, or the end when there is none
    /// (resolved with `rd_kafka_offsets_for_times`).
    case timestamp(KafkaTimestamp)

    var logicalValue: Int64? {
        switch self {
        case .beginning: return -2
        case .end: return -1
        case .committed: return -1000
        case .offset(let o): return o
        case .timestamp: return nil
        }
    }
}
