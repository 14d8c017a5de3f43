import CRdKafka

/// Routes librdkafka's partitioner callback to the app's ``KafkaPartitioner``, through the
/// client context (the default topic configuration's opaque), which outlives every topic.
enum CustomPartitioner {
    /// Installs the callback on the default topic configuration, keeping the topic-level
    /// properties already set there.
    static func install(on conf: OpaquePointer, context: UnsafeMutableRawPointer) {
        let topicConf: OpaquePointer
        if let existing = rd_kafka_conf_get_default_topic_conf(conf) {
            topicConf = existing
        } else {
            guard let made = rd_kafka_topic_conf_new() else { return }
            rd_kafka_conf_set_default_topic_conf(conf, made)  // takes it over
            topicConf = made
        }
        rd_kafka_topic_conf_set_opaque(topicConf, context)
        rd_kafka_topic_conf_set_partitioner_cb(topicConf) { rkt, key, keyLength, count, opaque, _ in
            guard let opaque else { return count }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            guard let partitioner = context.partitioner else { return count }
            let bytes = key.map { UnsafeRawBufferPointer(start: $0, count: keyLength) }
            let chosen = partitioner.choose(bytes, count) { rd_kafka_topic_partition_available(rkt, $0) == 1 }
            guard chosen >= 0, chosen < count else {
                context.invalidPartition.withLock { $0 = (chosen, count) }
                // Not -1 (RD_KAFKA_PARTITION_UA, which parks the message): a partition past the
                // end fails this message with _UNKNOWN_PARTITION.
                return count
            }
            return chosen
        }
    }
}
