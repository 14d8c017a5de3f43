extension KafkaShareConsumer {
    /// What the app tells the share group about a record (`rd_kafka_share_AcknowledgeType_t`).
    public enum Acknowledgement: Int32, Sendable, CustomStringConvertible {
        /// Processed: the record is done for the whole group.
        case accept = 1
        /// Not processed: the group delivers it again, to this member or another, with a
        /// higher ``KafkaMessage/deliveryCount``.
        case release = 2
        /// Cannot be processed (a poison record): the group never delivers it again.
        case reject = 3

        public var description: String {
            switch self {
            case .accept: return "accept"
            case .release: return "release"
            case .reject: return "reject"
            }
        }
    }

    /// The broker's answer to acknowledgements sent for one partition.
    public struct AcknowledgementCommit: Sendable, CustomStringConvertible {
        public var topicPartition: TopicPartition
        /// The offsets of the records acknowledged.
        public var offsets: [Int64]
        /// Why the broker did not take them (`nil`: it did). Failed acknowledgements are not
        /// retried: their records come back once their acquisition lock runs out.
        public var error: KafkaError?

        public var description: String {
            let what = "\(offsets.count) acknowledgement(s) for \(topicPartition)"
            return error.map { "\(what) failed: \($0)" } ?? "\(what) committed"
        }
    }

    /// Something other than a record that a share consumer reports.
    public enum Event: Sendable {
        /// The outcome of acknowledgements sent to the broker (with a fetch, a commit or the close).
        case acknowledgementCommitted(AcknowledgementCommit)
        /// A non-fatal error (a broker down, a record that could not be read, which librdkafka has
        /// already acknowledged); the consumer keeps going. Fatal and security errors are also
        /// thrown by ``KafkaShareConsumer/messages``.
        case error(KafkaError)
    }
}
