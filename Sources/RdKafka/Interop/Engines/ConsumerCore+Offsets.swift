import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Subscriptions, assignments and offsets: thin wrappers over librdkafka's consumer calls.
extension ConsumerCore {
    var rk: OpaquePointer { handle.pointer }

    /// `what` is built only on failure: describing an assignment cost more than assigning it.
    private func check(_ code: rd_kafka_resp_err_t, _ what: @autoclosure () -> String) throws(KafkaError) {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        throw Interop.error(code, "\(what()): \(Interop.errorText(Int32(code.rawValue)))")
    }

    private func checkPartitions(_ list: NativePartitionList, _ what: String) throws(KafkaError) {
        if let failed = list.elements.first(where: { $0.error != nil }), var error = failed.error {
            error.message = "\(what) \(failed.0): \(error.message)"
            throw error
        }
    }

    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = NativePartitionList(topics.map { (TopicPartition($0, -1), Int64(-1001)) })
        try check(rd_kafka_subscribe(rk, list.pointer), "subscribe to \(topics)")
    }

    func unsubscribe() throws(KafkaError) {
        try check(rd_kafka_unsubscribe(rk), "unsubscribe")
    }

    func subscription() throws(KafkaError) -> [String] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
        try check(rd_kafka_subscription(rk, &list), "read the subscription")
        guard let list else { return [] }
        return NativePartitionList(taking: list).elements.map(\.0.topic)
    }

    func assign(_ partitions: [(TopicPartition, Int64)]) throws(KafkaError) {
        let list = NativePartitionList(partitions)
        try check(rd_kafka_assign(rk, partitions.isEmpty ? nil : list.pointer), "assign \(partitions.map(\.0))")
        cutBatchInHand(nil, storing: true)  // a new assignment starts where it says
    }

    func incrementalAssign(_ partitions: [(TopicPartition, Int64)]) throws(KafkaError) {
        let list = NativePartitionList(partitions)
        if let error = rd_kafka_incremental_assign(rk, list.pointer) {
            throw Self.describe(Interop.consume(error), "incrementally assign \(partitions.map(\.0))")
        }
    }

    func incrementalUnassign(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        if let error = rd_kafka_incremental_unassign(rk, list.pointer) {
            throw Self.describe(Interop.consume(error), "incrementally unassign \(partitions)")
        }
        cutBatchInHand(partitions, storing: true)
    }

    private static func describe(_ error: KafkaError, _ action: String) -> KafkaError {
        var error = error
        error.message = "cannot \(action): \(error.message)"
        if error.fix == nil, error.message.contains("rebalance protocol") || error.message.contains("EAGER") {
            error.fix = "incremental assignment needs the cooperative protocol (partition.assignment.strategy=cooperative-sticky) or a manual assignment; use assign(_:) with eager strategies"
        }
        return error
    }

    func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
        try check(rd_kafka_assignment(rk, &list), "read the assignment")
        guard let list else { return [] }
        return NativePartitionList(taking: list).elements.map(\.0)
    }

    /// Commits `offsets`, or the stored offsets when `nil` (`rd_kafka_commit`), waiting for the
    /// broker. Retriable errors (a rebalance or coordinator move in progress) are retried for up
    /// to `retryFor`, as Java's commitSync does, except inside a rebalance hook, where waiting
    /// would hold up the very rebalance it waits for.
    func commit(_ offsets: [(TopicPartition, Int64)]?, retryFor: Duration = .seconds(10)) throws(KafkaError) {
        let deadline = ContinuousClock.Instant.after(retryFor)
        while true {
            do {
                try commitOnce(offsets)
                return
            } catch {
                guard error.isRetriable || error.code == .rebalanceInProgress, !inRebalanceHook.load(ordering: .relaxed),
                      ContinuousClock.now < deadline else { throw error }
                Syscalls.sleep(microseconds: 100_000)
            }
        }
    }

    private func commitOnce(_ offsets: [(TopicPartition, Int64)]?) throws(KafkaError) {
        if let offsets {
            let list = NativePartitionList(offsets)
            try check(rd_kafka_commit(rk, list.pointer, 0), "commit")
            try checkPartitions(list, "commit")
        } else {
            storeTaken(all: false)
            let code = rd_kafka_commit(rk, nil, 0)
            if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }  // nothing new to commit
            try check(code, "commit")
        }
    }

    /// Stores offsets the app chose; they are what it processed, kept across rebalances as
    /// ``storeTaken(all:)`` keeps what it took (the latest store wins: the app may go back).
    func store(_ offsets: [(TopicPartition, Int64)]) throws(KafkaError) {
        let list = NativePartitionList(offsets)
        try check(rd_kafka_offsets_store(rk, list.pointer), "store offsets")
        try checkPartitions(list, "store offset for")
        processed.withLock { $0.merge(offsets) { $1 } }
    }

    func committed(_ partitions: [TopicPartition], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        try check(rd_kafka_committed(rk, list.pointer, timeoutMs), "read committed offsets")
        try checkPartitions(list, "read committed offset of")
        return Self.known(list)
    }

    func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        try check(rd_kafka_position(rk, list.pointer), "read positions")
        return Self.known(list)
    }

    /// The real offsets of a list: librdkafka's "none" (`RD_KAFKA_OFFSET_INVALID`) and other
    /// logical offsets are left out.
    private static func known(_ list: NativePartitionList) -> [TopicPartition: Int64] {
        Dictionary(list.elements.filter { $0.offset >= 0 }.map { ($0.0, $0.offset) }, uniquingKeysWith: { $1 })
    }

    func seek(_ partitions: [(TopicPartition, Int64)], timeoutMs: Int32) throws(KafkaError) {
        let before = current.withLock { $0.batch }
        let list = NativePartitionList(partitions)
        if let error = rd_kafka_seek_partitions(rk, list.pointer, timeoutMs) { throw Interop.consume(error) }
        try checkPartitions(list, "seek")
        continueFrom(partitions, batchBefore: before)
    }

    /// Stores what the app took of the batch in hand, and drops the rest of `partitions` (`nil`:
    /// of all) from it: those messages are no longer this consumer's to hand out.
    func cutBatchInHand(_ partitions: [TopicPartition]?, storing: Bool) {
        current.withLock { state in
            guard let batch = state.batch else { return }
            let taken = batch.taken.load(ordering: .acquiring)  // once: the loop may take more meanwhile
            if storing { storeTaken(upTo: taken, &state) }
            batch.cut(partitions, from: taken)
        }
    }

    /// After a seek the app goes on from the sought offsets: the messages of those partitions
    /// left in the batch in hand are dropped, a partition given back after a rebalance resumes
    /// there, and, where the SDK stores offsets, the next commit covers no more (Java's commit
    /// after a seek commits the new position too). A batch fetched while the seek ran starts
    /// at the new position already: what the app took of it stands.
    private func continueFrom(_ positions: [(TopicPartition, Int64)], batchBefore: MessageBatch?) {
        current.withLock { state in
            var movedOn: Set<TopicPartition> = []
            if let batch = state.batch {
                let taken = batch.taken.load(ordering: .acquiring)  // once: the loop may take more meanwhile
                storeTaken(upTo: taken, &state)
                if batch === batchBefore {
                    batch.cut(positions.map(\.0), from: taken)
                } else {
                    movedOn = Set(batch.nextOffsets(from: 0, upTo: taken).keys)
                }
            }
            let sought = positions.filter { !movedOn.contains($0.0) }
            processed.withLock { processed in
                for (tp, offset) in sought {
                    if offset >= 0 { processed[tp] = offset } else { processed.removeValue(forKey: tp) }
                }
            }
            let concrete = sought.filter { $0.1 >= 0 }
            if sdkStoresOffsets, !concrete.isEmpty {
                let list = NativePartitionList(concrete)
                _ = rd_kafka_offsets_store(rk, list.pointer)  // as storeTaken's
            }
        }
    }

    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        try check(rd_kafka_pause_partitions(rk, list.pointer), "pause")
        try checkPartitions(list, "pause")
    }

    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        try check(rd_kafka_resume_partitions(rk, list.pointer), "resume")
        try checkPartitions(list, "resume")
    }

    func watermarks(_ tp: TopicPartition, cached: Bool, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        if cached {
            try check(rd_kafka_get_watermark_offsets(rk, tp.topic, tp.partition, &low, &high), "read cached watermarks of \(tp)")
        } else {
            try check(rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, timeoutMs), "query watermarks of \(tp)")
        }
        return (low, high)
    }

    func offsetsForTimes(_ times: [TopicPartition: Int64], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = NativePartitionList(times.map { ($0.key, $0.value) })
        try check(rd_kafka_offsets_for_times(rk, list.pointer, timeoutMs), "look up offsets for times")
        try checkPartitions(list, "look up offset for time in")
        return Dictionary(list.elements.map { ($0.0, $0.offset) }, uniquingKeysWith: { $1 })
    }

    func groupMetadata() throws(KafkaError) -> NativeGroupMetadata {
        guard let metadata = rd_kafka_consumer_group_metadata(rk) else {
            throw KafkaError(code: .state, message: "the consumer has no group metadata", fix: "set group.id and subscribe")
        }
        return NativeGroupMetadata(metadata)
    }

    func memberID() -> String? {
        guard let id = rd_kafka_memberid(rk) else { return nil }
        defer { rd_kafka_mem_free(rk, id) }
        return String(cString: id)
    }
}
