#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A consumed message.
///
/// A view of librdkafka's message (`rd_kafka_message_t`): no bytes are copied until you ask for
/// them. ``withUnsafeValue(_:)`` reads the value in place; ``value``, ``valueString`` and
/// ``decode(_:decoder:)`` copy or decode it. Messages of one batch share its memory, which is
/// freed when the last of them is gone, so do not keep messages longer than needed.
public struct KafkaMessage: Sendable, CustomStringConvertible {
    @usableFromInline let batch: MessageBatch
    @usableFromInline let index: Int

    @usableFromInline
    init(batch: MessageBatch, index: Int) {
        self.batch = batch
        self.index = index
    }


    public var topic: String { batch.topic(index) }
    public var partition: Int32 { batch.partition(index) }
    public var offset: Int64 { batch.offset(index) }
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// How many times the share group has delivered this record, counting this time (1 the
    /// first time, 2 after one release or a member that failed to acknowledge it), from a
    /// ``KafkaShareConsumer``; `nil` from a ``KafkaConsumer`` (`rd_kafka_message_delivery_count`).
    public var deliveryCount: Int? { batch.deliveryCount(index) }

    /// The timestamp and its kind, or `nil` when the broker has none.
    public var timestamp: KafkaTimestamp? { batch.timestamp(index) }

    /// Calls `body` with the value's bytes in place (`nil` for a null value, a tombstone).
    public func withUnsafeValue<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        try body(batch.value(index))
    }

    /// Calls `body` with the key's bytes in place (`nil` when the message has no key).
    public func withUnsafeKey<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        try body(batch.key(index))
    }

    /// A copy of the value's bytes, `nil` for a null value.
    public var value: [UInt8]? { withUnsafeValue { $0.map { Array($0) } } }
    /// A copy of the key's bytes, `nil` without a key.
    public var key: [UInt8]? { withUnsafeKey { $0.map { Array($0) } } }
    /// The value as `Data`.
    public var valueData: Data? { withUnsafeValue { $0.map { Data($0) } } }
    /// The value as UTF-8 text (invalid sequences replaced).
    public var valueString: String? { withUnsafeValue { $0.map { String(decoding: $0, as: UTF8.self) } } }
    /// The key as UTF-8 text (invalid sequences replaced).
    public var keyString: String? { withUnsafeKey { $0.map { String(decoding: $0, as: UTF8.self) } } }
    /// Value size in bytes.
    public var valueCount: Int { batch.value(index)?.count ?? 0 }

    /// The value decoded from JSON.
    /// - Throws: `KafkaError` `_VALUE_DESERIALIZATION` naming the topic, partition and offset.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws(KafkaError) -> T {
        guard let data = valueData else {
            throw KafkaError(code: .valueDeserialization, message: "\(topicPartition)@\(offset) has a null value, not \(T.self) JSON")
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw KafkaError(code: .valueDeserialization,
                message: "\(topicPartition)@\(offset) is not \(T.self) JSON: \(error)",
                fix: "check what producers write to \(topic)")
        }
    }

    /// The headers in order (`rd_kafka_message_headers`). Safe to read from several tasks at once.
    public var headers: [KafkaHeader] { batch.headers(index) }

    /// The value of the first header named `name`.
    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value }

    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}
