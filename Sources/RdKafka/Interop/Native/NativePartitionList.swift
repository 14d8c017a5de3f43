import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t`.
final class NativePartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: [(TopicPartition, Int64)]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))
        for (tp, offset) in partitions {
            let element = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)
            element?.pointee.offset = offset
        }
    }

    /// Takes ownership of a list librdkafka returned.
    init(taking pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    /// The partitions, with offsets and per-partition errors.
    var elements: [(TopicPartition, offset: Int64, error: KafkaError?)] { Self.elements(of: pointer) }

    /// The partitions of a list this object does not own (one inside a result or callback).
    static func elements(of pointer: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, offset: Int64, error: KafkaError?)] {
        let list = pointer.pointee
        return (0..<Int(list.cnt)).compactMap { i in
            let element = list.elems[i]
            guard let topic = element.topic else { return nil }
            let error = element.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(element.err)
            return (TopicPartition(String(cString: topic), element.partition), element.offset, error)
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }
}
