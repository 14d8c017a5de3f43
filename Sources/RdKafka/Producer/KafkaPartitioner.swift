/// Chooses the partition of each message sent without one, in place of librdkafka's built-in
/// `partitioner` property (librdkafka's `rd_kafka_topic_conf_set_partitioner_cb`).
///
/// The closure runs on whichever thread librdkafka partitions on: the sending thread when the
/// topic's partitions are known, a librdkafka thread for messages sent before that. It must be
/// quick and must not block or call the SDK. It gets the message's key (`nil` for a message
/// without one; the bytes are valid only during the call), the topic's partition count, and a
/// function telling whether a partition currently has a leader. It may be called more than once
/// for one message.
///
/// A result outside `0..<partitionCount` fails that message with `_UNKNOWN_PARTITION` and an
/// error naming the partition chosen and the count; other messages are unaffected.
public struct KafkaPartitioner: Sendable {
    /// The closure's signature: key bytes, partition count, is-available check → partition.
    public typealias Choose = @Sendable (
        _ key: UnsafeRawBufferPointer?, _ partitionCount: Int32, _ isAvailable: (Int32) -> Bool
    ) -> Int32

    let choose: Choose

    public init(_ choose: @escaping Choose) { self.choose = choose }
}
