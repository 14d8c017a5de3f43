import CRdKafka
import Synchronization

/// Owns one batch of consumed `rd_kafka_message_t`s and destroys them when the last
/// `KafkaMessage` referring to it is gone. Messages in a batch share it, so handing a message
/// to the app costs no allocation.
@usableFromInline
final class MessageBatch: @unchecked Sendable {
    let messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    @usableFromInline let count: Int
    /// Topic names by topic handle, made once per batch.
    private let topics: [OpaquePointer: String]
    /// How many messages the app has taken from this batch (for storing offsets).
    @usableFromInline let taken = Atomic<Int>(0)
    /// Messages refer to the client's topics and partitions: the client must outlive them.
    private let owner: NativeHandle

    init(owner: NativeHandle, messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int) {
        self.owner = owner
        self.messages = messages
        self.count = count
        var topics: [OpaquePointer: String] = [:]
        var last: OpaquePointer? = nil
        for i in 0..<count {
            // Runs of one topic are the norm: hash only when the topic changes.
            guard let rkt = messages[i]?.pointee.rkt, rkt != last else { continue }
            last = rkt
            if topics[rkt] == nil { topics[rkt] = String(cString: rd_kafka_topic_name(rkt)) }
        }
        self.topics = topics
    }

    func topic(_ index: Int) -> String {
        guard let rkt = messages[index]?.pointee.rkt else { return "" }
        return topics[rkt] ?? ""
    }

    /// Next offset to consume per partition, for the first `upTo` messages.
    func nextOffsets(upTo: Int) -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        var run: (rkt: OpaquePointer?, partition: Int32, index: Int, next: Int64)? = nil
        func flush() {
            guard let run else { return }
            let tp = TopicPartition(topic(run.index), run.partition)
            result[tp] = max(result[tp] ?? -1, run.next)
        }
        // Messages come in runs per partition: hash once per run, not per message.
        for i in 0..<min(upTo, count) {
            guard let m = messages[i]?.pointee else { continue }
            if let current = run, current.rkt == m.rkt, current.partition == m.partition {
                run?.next = max(current.next, m.offset + 1)
            } else {
                flush()
                run = (m.rkt, m.partition, i, m.offset + 1)
            }
        }
        flush()
        return result
    }

    deinit {
        for i in 0..<count { if let m = messages[i] { rd_kafka_message_destroy(m) } }
        messages.deallocate()
    }
}
