/// A partition of a topic.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

extension TopicPartition {
    /// Throws for a partition no call can use: an empty topic name or a negative partition.
    static func validate(_ partitions: some Sequence<TopicPartition>, action: String) throws(KafkaError) {
        for tp in partitions where tp.partition < 0 || tp.topic.isEmpty {
            throw KafkaError.invalidArgument("cannot \(action) \(tp)", fix: "use a topic name and a partition number >= 0")
        }
    }

    /// Also throws for a negative offset (offsets to commit or store are the next to consume).
    static func validate(offsets: [TopicPartition: Int64], action: String) throws(KafkaError) {
        try validate(offsets.keys, action: action)
        for (tp, offset) in offsets where offset < 0 {
            throw KafkaError.invalidArgument("cannot \(action) offset \(offset) for \(tp)", fix: "give the next offset to consume, >= 0")
        }
    }
}
