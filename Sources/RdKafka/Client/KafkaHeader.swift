/// One message header: a name and an optional value. Messages keep headers in order, and a
/// name may appear more than once, as Kafka allows.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    /// The value's bytes; `nil` is a header without a value (distinct from an empty value).
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(name: String, value: String) {
        self.init(name: name, value: Array(value.utf8))
    }

    /// The value as UTF-8 text, if it is valid UTF-8.
    public var stringValue: String? { value.flatMap { String(validating: $0, as: UTF8.self) } }
}
