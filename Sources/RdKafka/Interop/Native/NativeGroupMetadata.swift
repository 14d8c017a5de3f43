import CRdKafka

/// Owns an `rd_kafka_consumer_group_metadata_t`.
final class NativeGroupMetadata: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { rd_kafka_consumer_group_metadata_destroy(pointer) }
}
