/// A consumer's group membership (group id, generation, member id), for
/// ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)``
/// (`rd_kafka_consumer_group_metadata_t`).
public struct KafkaConsumerGroupMetadata: Sendable {
    let native: NativeGroupMetadata
}
