#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message to produce.
public struct KafkaProducerMessage: Sendable, Hashable {
    public var topic: String
    /// The partition, or `nil` to let the partitioner choose (by key hash, or sticky when there
    /// is no key).
    public var partition: Int32?
    public var key: KafkaPayload? {
        get { storedKey.isAbsent ? nil : storedKey }
        set { storedKey = newValue ?? .absent }
    }
    public var value: KafkaPayload? {
        get { storedValue.isAbsent ? nil : storedValue }
        set { storedValue = newValue ?? .absent }
    }
    // Not optional: the produce path reads the bytes in place, where unwrapping an optional
    // payload would copy it (a retain and a release per message).
    var storedKey: KafkaPayload
    var storedValue: KafkaPayload
    /// Headers, in order; names may repeat.
    public var headers: [KafkaHeader]
    /// The message's create time; `nil` for the time librdkafka enqueues it.
    public var timestamp: KafkaTimestamp?

    public init(
        topic: String, partition: Int32? = nil, key: KafkaPayload? = nil, value: KafkaPayload?,
        headers: [KafkaHeader] = [], timestamp: KafkaTimestamp? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.storedKey = key ?? .absent
        self.storedValue = value ?? .absent
        self.headers = headers
        self.timestamp = timestamp
    }

    /// A message whose value is `value` encoded as JSON.
    public init<T: Encodable>(
        topic: String, partition: Int32? = nil, key: KafkaPayload? = nil, json value: T,
        headers: [KafkaHeader] = [], encoder: JSONEncoder = JSONEncoder()
    ) throws {
        self.init(topic: topic, partition: partition, key: key, value: try KafkaPayload(json: value, encoder: encoder), headers: headers)
    }
}
