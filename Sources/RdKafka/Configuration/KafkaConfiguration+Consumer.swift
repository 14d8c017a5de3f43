// Typed settings for consumers.
extension KafkaConfiguration {
    /// The consumer group. The corresponding librdkafka property is `group.id`.
    public var groupID: String? {
        get { string("group.id") }
        set { setString("group.id", newValue) }
    }

    /// A static member id, so a restarted consumer keeps its partitions without a rebalance.
    /// The corresponding librdkafka property is `group.instance.id`.
    public var groupInstanceID: String? {
        get { string("group.instance.id") }
        set { setString("group.instance.id", newValue) }
    }

    /// Where to start without a committed offset. The corresponding librdkafka property is
    /// `auto.offset.reset`.
    public var autoOffsetReset: AutoOffsetReset? {
        get {
            switch string("auto.offset.reset")?.lowercased() {
            case "earliest", "smallest", "beginning": return .earliest
            case "latest", "largest", "end": return .latest
            case "error": return .error
            default: return nil
            }
        }
        set { setRaw("auto.offset.reset", newValue) }
    }

    /// Whether offsets are committed in the background. The corresponding librdkafka property is
    /// `enable.auto.commit`.
    public var enableAutoCommit: Bool? {
        get { bool("enable.auto.commit") }
        set { setBool("enable.auto.commit", newValue) }
    }

    /// How often background commits run, in whole milliseconds. The corresponding librdkafka
    /// property is `auto.commit.interval.ms`.
    public var autoCommitInterval: Duration? {
        get { duration("auto.commit.interval.ms") }
        set { setDuration("auto.commit.interval.ms", newValue) }
    }

    /// Whether a message's offset is stored for commit as soon as it is handed to the app
    /// (`true`, librdkafka's default) or only by ``KafkaConsumer/storeOffset(_:)`` (`false`, for
    /// at-least-once processing). The corresponding librdkafka property is
    /// `enable.auto.offset.store`.
    public var enableAutoOffsetStore: Bool? {
        get { bool("enable.auto.offset.store") }
        set { setBool("enable.auto.offset.store", newValue) }
    }

    /// Who assigns the group's partitions: the members (`.classic`) or the broker (`.consumer`,
    /// KIP-848). The corresponding librdkafka property is `group.protocol`.
    public var groupProtocol: GroupProtocol? {
        get { raw("group.protocol") }
        set { setRaw("group.protocol", newValue) }
    }

    /// The broker's assignor for a `.consumer` group: `uniform` or `range` (`nil`: the broker's
    /// default). The corresponding librdkafka property is `group.remote.assignor`.
    public var groupRemoteAssignor: String? {
        get { string("group.remote.assignor") }
        set { setString("group.remote.assignor", newValue) }
    }

    /// The assignor(s). The corresponding librdkafka property is `partition.assignment.strategy`.
    public var partitionAssignmentStrategy: PartitionAssignmentStrategy? {
        get { raw("partition.assignment.strategy") }
        set { setRaw("partition.assignment.strategy", newValue) }
    }

    /// How long the group waits for a member's heartbeat, in whole milliseconds. The
    /// corresponding librdkafka property is `session.timeout.ms`.
    public var sessionTimeout: Duration? {
        get { duration("session.timeout.ms") }
        set { setDuration("session.timeout.ms", newValue) }
    }

    /// Most time between two polls before the member is removed from the group, in whole
    /// milliseconds. The corresponding librdkafka property is `max.poll.interval.ms`.
    public var maxPollInterval: Duration? {
        get { duration("max.poll.interval.ms") }
        set { setDuration("max.poll.interval.ms", newValue) }
    }

    /// Whether transactional messages of open or aborted transactions are hidden.
    /// The corresponding librdkafka property is `isolation.level`.
    public var isolationLevel: IsolationLevel? {
        get { raw("isolation.level") }
        set { setRaw("isolation.level", newValue) }
    }

    /// Whether a partition-EOF event is emitted when a consumer reaches the end of a partition.
    /// The corresponding librdkafka property is `enable.partition.eof`.
    public var enablePartitionEOF: Bool? {
        get { bool("enable.partition.eof") }
        set { setBool("enable.partition.eof", newValue) }
    }

    /// Fewest messages librdkafka tries to keep prefetched. The corresponding librdkafka
    /// property is `queued.min.messages`.
    ///
    /// librdkafka 2.0.2 counts the whole consumer queue (default 100,000), and once it holds
    /// this many messages its broker threads stop fetching and sleep up to a second, even after
    /// the queue drains. The SDK's consumers wake them when the queue has drained to a quarter
    /// of this value (see `KafkaConsumer.Options.wakesPausedFetchers`), so the default suits a
    /// backlog of small messages too.
    public var queuedMinMessages: Int? {
        get { int("queued.min.messages") }
        set { setInt("queued.min.messages", newValue) }
    }

    /// Most kilobytes of payload prefetched (librdkafka 2.0.2 counts the whole consumer queue).
    /// The corresponding librdkafka property is `queued.max.messages.kbytes`.
    public var queuedMaxMessagesKBytes: Int? {
        get { int("queued.max.messages.kbytes") }
        set { setInt("queued.max.messages.kbytes", newValue) }
    }

    /// Most bytes per partition per fetch. The corresponding librdkafka property is
    /// `max.partition.fetch.bytes`.
    public var maxPartitionFetchBytes: Int? {
        get { int("max.partition.fetch.bytes") }
        set { setInt("max.partition.fetch.bytes", newValue) }
    }

    /// Whether topics a consumer subscribes to are created when missing (if the broker allows).
    /// The corresponding librdkafka property is `allow.auto.create.topics`.
    public var allowAutoCreateTopics: Bool? {
        get { bool("allow.auto.create.topics") }
        set { setBool("allow.auto.create.topics", newValue) }
    }
}
