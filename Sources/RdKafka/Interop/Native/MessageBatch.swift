import CRdKafka
import Synchronization

/// Owns one batch of consumed `rd_kafka_message_t`s and destroys them when the last
/// `KafkaMessage` referring to it is gone. Messages in a batch share it, so handing a message
/// to the app costs no allocation.
@usableFromInline
final class MessageBatch: @unchecked Sendable {
    /// A run of consecutive messages of one partition (librdkafka hands them over that way).
    struct Run {
        let rkt: OpaquePointer?
        let partition: Int32
        /// Index one past the run's last message.
        var end: Int
        /// The offset after the run's last message.
        var next: Int64
    }

    let messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    @usableFromInline let count: Int
    /// Topic names by topic handle, made once per batch.
    private let topics: [OpaquePointer: String]
    private let runs: [Run]
    /// How many messages the app has taken from this batch (for storing offsets).
    @usableFromInline let taken = Atomic<Int>(0)
    /// Partitions the app sought elsewhere (`KafkaConsumer.seek`) while taking this batch, and
    /// the index from which their messages are dropped: neither handed out nor stored.
    private let cuts = Locked<[TopicPartition: Int]>([:])
    /// Whether ``cuts`` has any: the iterator checks this flag, not the lock, per message.
    @usableFromInline let hasCuts = Atomic<Bool>(false)
    /// librdkafka parses a message's headers on the first `rd_kafka_message_headers` call and
    /// caches them inside the message: a write that messages shared between tasks must not race.
    private let headersLock = Condition()
    /// Messages refer to the client's topics and partitions: the client must outlive them.
    private let owner: AnyObject
    /// A share consumer's batch (`rd_kafka_messages_t`), which owns its messages; `nil` when
    /// the batch owns each message itself.
    private let container: OpaquePointer?

    private init(owner: AnyObject, container: OpaquePointer? = nil, messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int,
                 topics: [OpaquePointer: String], runs: [Run]) {
        self.owner = owner
        self.container = container
        self.messages = messages
        self.count = count
        self.topics = topics
        self.runs = runs
    }

    /// Takes the messages of `buffer[0..<count]` that carry no error (one pass, which also
    /// records the runs and topic names); hands each error "message" to `onError`, which owns
    /// it from then on. `nil` when no message is left.
    static func take(
        owner: AnyObject, from buffer: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int,
        container: OpaquePointer? = nil, onError: (UnsafeMutablePointer<rd_kafka_message_t>) -> Void
    ) -> MessageBatch? {
        var kept = 0
        var runs: [Run] = []
        var topics: [OpaquePointer: String] = [:]
        // The run being read stays out of the array until the partition changes: updating it
        // there cost a uniqueness and a bounds check per message. Partition -1: no run yet.
        var run = Run(rkt: nil, partition: -1, end: 0, next: -1)
        for i in 0..<count {
            guard let message = buffer[i] else { continue }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                onError(message)
                continue
            }
            buffer[kept] = message
            kept += 1
            let rkt = message.pointee.rkt, partition = message.pointee.partition, next = message.pointee.offset + 1
            if run.rkt == rkt, run.partition == partition {
                run.end = kept
                run.next = max(run.next, next)
            } else {
                if run.end > 0 { runs.append(run) }
                // Runs of one topic are the norm: hash only when the partition changes.
                if let rkt, topics[rkt] == nil { topics[rkt] = String(cString: rd_kafka_topic_name(rkt)) }
                run = Run(rkt: rkt, partition: partition, end: kept, next: next)
            }
        }
        if run.end > 0 { runs.append(run) }
        guard kept > 0 else { return nil }
        let owned = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: kept)
        owned.update(from: buffer, count: kept)
        return MessageBatch(owner: owner, container: container, messages: owned, count: kept, topics: topics, runs: runs)
    }

    /// The messages of a share consumer's batch (`rd_kafka_messages_t`) that carry no error; the
    /// batch takes over `container`. Error records (already acknowledged by librdkafka) go to
    /// `onError`, which must not destroy them. `nil` (and `container` destroyed) when no
    /// message is left.
    static func take(owner: AnyObject, share container: OpaquePointer, onError: (UnsafeMutablePointer<rd_kafka_message_t>) -> Void) -> MessageBatch? {
        guard let count = NewerAPI.messagesCount?(container), count > 0, let get = NewerAPI.messagesGet else {
            NewerAPI.messagesDestroy?(container)
            return nil
        }
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: count)
        defer { buffer.deallocate() }
        for i in 0..<count { buffer[i] = get(container, i) }
        guard let batch = take(owner: owner, from: buffer, count: count, container: container, onError: onError) else {
            NewerAPI.messagesDestroy?(container)
            return nil
        }
        return batch
    }

    /// How often the record has been delivered to the share group, `nil` outside share groups.
    func deliveryCount(_ index: Int) -> Int? {
        guard container != nil, let count = NewerAPI.messageDeliveryCount else { return nil }
        return Int(count(messages[index]))
    }

    /// The librdkafka message, for the share consumer's acknowledgements.
    func message(_ index: Int) -> UnsafeMutablePointer<rd_kafka_message_t>? { messages[index] }

    // Message fields for KafkaMessage, which stays free of C types. Non-nil: batches hold only
    // messages librdkafka returned.
    func partition(_ index: Int) -> Int32 { messages[index].unsafelyUnwrapped.pointee.partition }
    func offset(_ index: Int) -> Int64 { messages[index].unsafelyUnwrapped.pointee.offset }

    /// The value's bytes in place, nil for a null value.
    func value(_ index: Int) -> UnsafeRawBufferPointer? {
        let message = messages[index].unsafelyUnwrapped
        return message.pointee.payload.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.len) }
    }

    /// The key's bytes in place, nil without a key.
    func key(_ index: Int) -> UnsafeRawBufferPointer? {
        let message = messages[index].unsafelyUnwrapped
        return message.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len) }
    }

    /// The timestamp and its kind, nil when there is none.
    func timestamp(_ index: Int) -> KafkaTimestamp? { Interop.timestamp(of: messages[index].unsafelyUnwrapped) }

    /// The headers of message `index`, copied out under ``headersLock``.
    func headers(_ index: Int) -> [KafkaHeader] {
        guard let message = messages[index] else { return [] }
        headersLock.lock()
        defer { headersLock.unlock() }
        return Interop.headers(of: message)
    }

    func topic(_ index: Int) -> String {
        guard let rkt = messages[index]?.pointee.rkt else { return "" }
        return topics[rkt] ?? ""
    }

    /// Drops the messages of `partitions` (`nil`: of every partition) from index `from` on;
    /// the earliest cut stays. Only partitions with a message there get a cut.
    func cut(_ partitions: [TopicPartition]?, from index: Int) {
        let named = partitions.map(Set.init)
        var remaining: [TopicPartition] = []
        for run in runs where run.end > index {
            let tp = TopicPartition(run.rkt.flatMap { topics[$0] } ?? "", run.partition)
            if named?.contains(tp) ?? true { remaining.append(tp) }
        }
        guard !remaining.isEmpty else { return }
        cuts.withLock { cuts in
            for tp in remaining where cuts[tp] == nil { cuts[tp] = index }
        }
        hasCuts.store(true, ordering: .releasing)
    }

    /// Whether message `index` was dropped by a ``cut(_:from:)``.
    @usableFromInline
    func isCut(_ index: Int) -> Bool {
        guard hasCuts.load(ordering: .acquiring) else { return false }
        let tp = TopicPartition(topic(index), partition(index))
        return cuts.withLock { $0[tp].map { index >= $0 } ?? false }
    }

    /// Next offset to consume per partition after the messages `from..<upTo` (less what a cut
    /// dropped), for the partitions that have any there: whole runs from the table, only a run
    /// a bound falls into message by message.
    func nextOffsets(from: Int, upTo: Int) -> [TopicPartition: Int64] {
        let cuts = hasCuts.load(ordering: .acquiring) ? self.cuts.withLock { $0 } : [:]
        var result: [TopicPartition: Int64] = [:]
        var start = 0
        for run in runs {
            guard start < upTo else { break }
            defer { start = run.end }
            guard run.end > from else { continue }
            let tp = TopicPartition(run.rkt.flatMap { topics[$0] } ?? "", run.partition)
            let limit = cuts[tp].map { Swift.min(upTo, $0) } ?? upTo
            let first = Swift.max(start, from)
            guard first < limit else { continue }
            var next = run.next
            if run.end > limit {
                next = -1
                for i in first..<limit { next = max(next, (messages[i]?.pointee.offset ?? -1) + 1) }
            }
            result[tp] = max(result[tp] ?? -1, next)
        }
        return result
    }

    deinit {
        if let container {
            NewerAPI.messagesDestroy?(container)
        } else {
            for i in 0..<count { if let m = messages[i] { rd_kafka_message_destroy(m) } }
        }
        messages.deallocate()
    }
}
