import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// librdkafka's callbacks on the consumer: rebalances (with the app's hook), client errors.
extension ConsumerCore {
    // MARK: Callbacks (on the poll thread, or the thread calling close)

    func clientError(_ code: rd_kafka_resp_err_t, _ reason: String) {
        var error = Interop.error(code, handle.context.scrub(reason))
        if let fatal = handle.fatalError() { error = fatal }
        handle.context.annotate(&error)
        eventHandler?(.error(error))
        if error.isFatal || ClientErrorAdvice.isSecurityFailure(error) {
            pendingError.withLock { $0 = error }
            rd_kafka_queue_yield(queue)
        }
    }

    func rebalance(_ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let rk = handle.pointer
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let list = partitions.map { ConsumerCore.partitions(of: $0) } ?? []
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            var resumed: [(TopicPartition, Int64)] = []
            if let partitions {
                applyStartPositions(partitions)
                resumed = resumeProcessed(partitions)
                // The app's own offset store has the last word.
                let external = externalStartPositions(list)
                if !external.isEmpty {
                    setOffsets(external, in: partitions)
                    resumed.removeAll { external[$0.0] != nil }
                }
            }
            runHook(.assigned(list))
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) { report(Interop.consume(error)) }
            } else {
                let code = rd_kafka_assign(rk, partitions)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR { report(Interop.error(code)) }
            }
            if !resumed.isEmpty {
                // Stored again so the next commit covers work done before the rebalance.
                let list = NativePartitionList(resumed)
                _ = rd_kafka_offsets_store(rk, list.pointer)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            // What the loop took, not the whole batch: close() revokes on its own thread while
            // the loop may be in the middle of a batch, and the rest belongs to the next owner.
            // (On the poll thread the loop has asked for more, so it took the whole batch.)
            // Messages of these partitions left in the batch are no longer this member's to hand out.
            cutBatchInHand(list, storing: !lost)
            runHook(lost ? .lost(list) : .revoked(list))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { report(Interop.consume(error)) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            report(Interop.error(err, "rebalance failed: \(Interop.errorText(Int32(err.rawValue)))"))
            _ = rd_kafka_assign(rk, nil)
        }
    }

    private func report(_ error: KafkaError) {
        eventHandler?(.error(error))
        handle.context.log(.error, "REBALANCE", error.description)
    }

    private func runHook(_ event: RebalanceEvent) {
        eventHandler?(.rebalance(event))
        guard let rebalanceHandler else { return }
        waitForHook("\(event)") { await rebalanceHandler(event) }
    }

    /// Start positions from the app's `startPositions` hook; on a throw, the error is reported
    /// and the partitions start as they would without the hook.
    private func externalStartPositions(_ partitions: [TopicPartition]) -> [TopicPartition: KafkaOffset] {
        guard let handler = startPositionsHandler, !partitions.isEmpty else { return [:] }
        let answer = Locked<Result<[TopicPartition: KafkaOffset], KafkaError>>(.success([:]))
        waitForHook("start positions for \(partitions)") {
            do {
                let positions = try await handler(partitions)
                answer.withLock { $0 = .success(positions) }
            } catch {
                answer.withLock {
                    $0 = .failure(KafkaError(code: .invalidArgument, message: "the startPositions hook threw: \(error)",
                        fix: "these partitions start from the committed offsets (or auto.offset.reset) instead"))
                }
            }
        }
        switch answer.withLock({ $0 }) {
        case .success(let positions):
            return positions.filter { tp, start in
                guard case .offset(let offset) = start, offset < 0 else { return partitions.contains(tp) }
                report(KafkaError(code: .invalidArgument, message: "the startPositions hook gave \(tp) the negative offset \(offset)",
                    fix: "give offsets >= 0, or .beginning, .end or .committed; \(tp) starts as it would without the hook"))
                return false
            }
        case .failure(let error):
            report(error)
            return [:]
        }
    }

    /// Runs an async hook to its end on this thread. librdkafka needs the rebalance answered on
    /// the thread that serves it, which is the SDK's own (or close()'s), never one of Swift's
    /// cooperative threads.
    private func waitForHook(_ label: String, _ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        inRebalanceHook.store(true, ordering: .relaxed)
        defer { inRebalanceHook.store(false, ordering: .relaxed) }
        let task = Task {
            await body()
            done.signal()
        }
        runningHook.withLock { $0 = (label, task) }
        done.wait()
        runningHook.withLock { $0 = nil }
    }

    private func applyStartPositions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let positions = startPositions.withLock { $0 }
        guard !positions.isEmpty else { return }
        // Only where the group has no committed offset: a restart resumes where it stopped.
        let committed = NativePartitionList(ConsumerCore.partitions(of: list).map { ($0, Int64(-1001)) })
        _ = rd_kafka_committed(handle.pointer, committed.pointer, 10_000)
        let hasCommitted = Set(committed.elements.filter { $0.offset >= 0 }.map { $0.0 })
        setOffsets(positions.filter { !hasCommitted.contains($0.key) }, in: list)
    }

    /// Sets the start offset of the partitions of `list` named in `positions` (timestamps looked
    /// up from the brokers: latest if none is that late).
    private func setOffsets(_ positions: [TopicPartition: KafkaOffset], in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        for i in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[i]
            guard let topic = element.topic else { continue }
            let tp = TopicPartition(String(cString: topic), element.partition)
            guard let start = positions[tp] else { continue }
            switch start {
            case .timestamp(let time):
                list.pointee.elems[i].offset = (try? offsetsForTimes([tp: time.millisecondsSinceEpoch], timeoutMs: 10_000)[tp]) ?? -1
            default:
                list.pointee.elems[i].offset = start.logicalValue ?? -1001
            }
        }
    }

    /// Partitions this member processed before: start after that work, unless the group has
    /// committed further (another member had them meanwhile).
    private func resumeProcessed(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, Int64)] {
        let known = processed.withLock { $0 }
        let mine = ConsumerCore.partitions(of: list).filter { known[$0] != nil }
        guard !mine.isEmpty else { return [] }
        let committed = NativePartitionList(mine.map { ($0, Int64(-1001)) })
        guard rd_kafka_committed(handle.pointer, committed.pointer, 10_000) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [] }
        let committedOffsets = Dictionary(committed.elements.map { ($0.0, $0.offset) }, uniquingKeysWith: { $1 })
        var resumed: [(TopicPartition, Int64)] = []
        for i in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[i]
            guard let topic = element.topic else { continue }
            let tp = TopicPartition(String(cString: topic), element.partition)
            guard let mineNext = known[tp], mineNext > (committedOffsets[tp] ?? -1) else { continue }
            list.pointee.elems[i].offset = mineNext
            resumed.append((tp, mineNext))
        }
        return resumed
    }

    static func partitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        NativePartitionList.elements(of: list).map(\.0)
    }
}
