/// Something other than a message that a consumer reports.
public enum KafkaConsumerEvent: Sendable {
    /// The consumer reached the end of a partition (`enable.partition.eof=true`); `offset` is
    /// the next offset to be written.
    case partitionEOF(TopicPartition, offset: Int64)
    /// A non-fatal consumer or client error (broker down, transient fetch error); the consumer
    /// keeps going. Fatal and security errors are also thrown by ``KafkaConsumer/messages``.
    case error(KafkaError)
    /// The group rebalanced.
    case rebalance(RebalanceEvent)
    /// librdkafka's statistics JSON (`statistics.interval.ms`).
    case statistics(String)
}
