/// Who acknowledges the records a ``KafkaShareConsumer`` receives. The corresponding
/// librdkafka property is `share.acknowledgement.mode`.
public enum ShareAcknowledgementMode: String, Sendable {
    /// The consumer accepts each record once the loop has taken it and asks for the next one
    /// (librdkafka's default). Records the loop never took are released at close.
    case implicit
    /// The app acknowledges every record with ``KafkaShareConsumer/acknowledge(_:_:)``
    /// (accept, release or reject) before the consumer fetches the next batch.
    case explicit
}

// Typed settings for share consumers.
extension KafkaConfiguration {
    /// Who acknowledges records: the consumer (`.implicit`) or the app (`.explicit`). The
    /// corresponding librdkafka property is `share.acknowledgement.mode`.
    public var shareAcknowledgementMode: ShareAcknowledgementMode? {
        get { raw("share.acknowledgement.mode") }
        set { setRaw("share.acknowledgement.mode", newValue) }
    }

    /// The most records a share consumer asks the broker for per fetch (a soft bound in
    /// librdkafka's preview). The corresponding librdkafka property is `max.poll.records`.
    public var maxPollRecords: Int? {
        get { int("max.poll.records") }
        set { setInt("max.poll.records", newValue) }
    }

    /// The checks for a share consumer, on top of every client's: a group, a known
    /// acknowledgement mode.
    func shareConsumerMode() throws(KafkaError) -> ShareAcknowledgementMode {
        guard let group = entry("group.id"), !group.value.isEmpty else {
            throw KafkaError.configuration("group.id", "a share consumer needs group.id, the name of its share group",
                origin: nil, fix: "set group.id (configuration.groupID) to the share group's name")
        }
        guard let modeEntry = entry("share.acknowledgement.mode") else { return .implicit }
        guard let mode = ShareAcknowledgementMode(rawValue: modeEntry.value.lowercased()) else {
            throw KafkaError.configuration("share.acknowledgement.mode", "unknown acknowledgement mode \"\(modeEntry.value)\"",
                origin: modeEntry.origin, fix: "use implicit (the consumer accepts what the loop took) or explicit (the app acknowledges each record)")
        }
        return mode
    }
}
