import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Synchronization

/// Offsets the app has taken, and closing.
extension ConsumerCore {
    // MARK: Offsets the app has taken

    /// Stores the offsets of messages the app has taken from the current batch: all of them
    /// (`all`, when it asks for more) or up to the one it holds now.
    /// The store happens under the lock: two threads storing (a commit from a background task
    /// and the poll thread) must not land out of order and move an offset back.
    func storeTaken(all: Bool) {
        guard sdkStoresOffsets else { return }
        current.withLock { storeTaken(all: all, &$0) }
    }

    /// ``storeTaken(all:)`` under the lock of ``current``.
    func storeTaken(all: Bool, _ state: inout (batch: MessageBatch?, stored: Int)) {
        guard let batch = state.batch else { return }
        storeTaken(upTo: all ? batch.count : batch.taken.load(ordering: .acquiring), &state)
    }

    /// Stores the offsets of the first `taken` messages of the batch in hand, under the lock of
    /// ``current`` (callers that also cut the batch read `taken` once, for both).
    func storeTaken(upTo taken: Int, _ state: inout (batch: MessageBatch?, stored: Int)) {
        guard sdkStoresOffsets, let batch = state.batch else { return }
        guard taken > state.stored else { return }
        let offsets = batch.nextOffsets(from: state.stored, upTo: taken)
        state.stored = taken
        guard !offsets.isEmpty else { return }
        processed.withLock { $0.merge(offsets) { Swift.max($0, $1) } }
        let list = NativePartitionList(offsets.map { ($0.key, $0.value) })
        _ = rd_kafka_offsets_store(handle.pointer, list.pointer)  // revoked partitions fail harmlessly
    }

    // MARK: Close

    /// Stops the poll thread, stores what the app took, and leaves the group
    /// (`rd_kafka_consumer_close`), which commits when auto commit is on. Blocks for network
    /// time: call it on an SDK thread (see ``closeInBackground(_:)``).
    func close() -> KafkaError? {
        guard !isClosed.exchange(true, ordering: .sequentiallyConsistent) else { return nil }
        step("stopping the poll thread")
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
        rd_kafka_queue_yield(queue)
        threadDone.wait()
        fetchWaker?.stop()
        storeTaken(all: false)
        step("leaving the group (rd_kafka_consumer_close: the final commit and the revoke hook)")
        // A subscribe that librdkafka postponed (a revoke was still to be served) would take
        // effect inside the close, and librdkafka 2.0 then aborts the process when it destroys
        // the client (rd_kafka_cgrp_destroy_final: assert !rkcg_subscription). An unsubscribe
        // first replaces it; the close's own unsubscribe finds nothing left to undo.
        _ = rd_kafka_unsubscribe(handle.pointer)
        let code = rd_kafka_consumer_close(handle.pointer)
        closeFinished.store(true, ordering: .sequentiallyConsistent)
        eventHandler = nil
        rebalanceHandler = nil
        startPositionsHandler = nil
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(code, "closing the consumer failed")
    }

    private func step(_ text: String) { closing.withLock { $0.step = text } }

    /// Closes on an SDK thread (once, however often it is asked) and hands the outcome to
    /// `done` when the close has finished. The thread holds the core, so the client is
    /// destroyed there if it was the last reference.
    func closeInBackground(_ done: @escaping @Sendable (KafkaError?) -> Void) {
        let (start, finished): (Bool, KafkaError??) = closing.withLock { state in
            if let result = state.result { return (false, .some(result)) }
            state.waiters.append(done)
            return (state.waiters.count == 1, nil)
        }
        if let finished {
            done(finished)
            return
        }
        guard start else { return }
        NativeThread.detach("consumer close") { [self] in
            let result = self.close()
            let waiters = self.closing.withLock { state in
                state.result = .some(result)
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter(result) }
        }
    }

    /// What an unfinished close is waiting for, in words; cancels a rebalance hook that runs
    /// (it may still finish its work: librdkafka waits for it).
    func abandonClose() -> String {
        if let hook = runningHook.withLock({ $0 }) {
            hook.task.cancel()
            return "the rebalance hook for \(hook.event) was still running (its task is now cancelled)"
        }
        let step = closing.withLock { $0.step }
        return step.isEmpty ? "the close had not started" : "it was still \(step)"
    }
}
