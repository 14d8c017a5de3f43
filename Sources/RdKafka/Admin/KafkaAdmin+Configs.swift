/// Topic and broker settings.
extension KafkaAdmin {
    /// A topic's configuration (`rd_kafka_DescribeConfigs`).
    public func describeTopicConfig(_ topic: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [ConfigEntry] {
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeConfig(.topic(topic), timeoutMs: ms) }
    }

    /// Sets (`set`) and removes (`delete`: back to the broker's value) single settings of a
    /// topic; the others stay as they are. With librdkafka 2.2 or later this is one
    /// IncrementalAlterConfigs request; with older ones the SDK reads the topic's own settings and
    /// writes them back changed (`rd_kafka_AlterConfigs`), which a concurrent change can overtake.
    public func alterTopicConfig(
        _ topic: String, set: [String: String] = [:], delete: [String] = [], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        guard !topic.isEmpty, !(set.isEmpty && delete.isEmpty) else {
            throw KafkaError.invalidArgument("alterTopicConfig needs a topic and at least one setting to set or delete")
        }
        let ms = timeout.clampedMilliseconds
        try await run { core throws(KafkaError) in try core.alterConfig(.topic(topic), set: set, delete: delete, timeoutMs: ms) }
    }

    /// A broker's settings (`rd_kafka_DescribeConfigs` of `RD_KAFKA_RESOURCE_BROKER`), sorted by
    /// name; ``ConfigEntry/source`` tells which the broker was given at run time.
    public func describeBrokerConfig(_ broker: Int32, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [ConfigEntry] {
        guard broker >= 0 else { throw KafkaError.invalidArgument("broker id \(broker) is negative", fix: "use an id from metadata() or describeCluster()") }
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeConfig(.broker(broker), timeoutMs: ms) }
    }

    /// Sets (`set`) and removes (`delete`: back to the file's or Kafka's value) single dynamic
    /// settings of a broker, such as `log.cleaner.threads`; the others stay as they are. With
    /// librdkafka 2.2 or later this is one IncrementalAlterConfigs request; with older ones the
    /// SDK reads the broker's run-time settings and writes them back changed.
    public func alterBrokerConfig(
        _ broker: Int32, set: [String: String] = [:], delete: [String] = [], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        guard broker >= 0, !(set.isEmpty && delete.isEmpty) else {
            throw KafkaError.invalidArgument("alterBrokerConfig needs a broker id >= 0 and at least one setting to set or delete")
        }
        let ms = timeout.clampedMilliseconds
        try await run { core throws(KafkaError) in try core.alterConfig(.broker(broker), set: set, delete: delete, timeoutMs: ms) }
    }
}
