/// Facts about the librdkafka library the SDK runs on.
public enum Librdkafka {
    /// librdkafka's version, such as `2.0.2` (`rd_kafka_version_str`).
    public static var version: String { Interop.versionString }
    /// librdkafka's version as a number, `0xMMmmrrxx` (`rd_kafka_version`).
    public static var versionNumber: Int { Interop.versionNumber }
    /// What this librdkafka build supports, such as `ssl`, `sasl_scram`, `zstd`
    /// (the `builtin.features` property).
    public static var builtinFeatures: Set<String> { Interop.builtinFeatures }
}
