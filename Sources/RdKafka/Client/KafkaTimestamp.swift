#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message timestamp: milliseconds since the Unix epoch, and what it means.
public struct KafkaTimestamp: Sendable, Hashable, CustomStringConvertible {
    /// What the timestamp records (`rd_kafka_timestamp_type_t`).
    public enum Kind: Sendable, Hashable {
        /// Set by the producer (or the app) when the message was created.
        case createTime
        /// Set by the broker when it appended the message (topic `message.timestamp.type`).
        case logAppendTime
    }

    public var millisecondsSinceEpoch: Int64
    public var kind: Kind

    public init(millisecondsSinceEpoch: Int64, kind: Kind = .createTime) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
        self.kind = kind
    }

    public init(_ date: Date, kind: Kind = .createTime) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()), kind: kind)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public var description: String { "\(millisecondsSinceEpoch)ms(\(kind == .createTime ? "create" : "log-append"))" }
}
