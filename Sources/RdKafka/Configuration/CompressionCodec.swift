/// Compression for produced message sets. The corresponding librdkafka property is
/// `compression.codec` (alias `compression.type`).
public enum CompressionCodec: String, Sendable, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}
