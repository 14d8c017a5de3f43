#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif


extension KafkaProducer {
    // MARK: Transactions

    /// Registers the `transactional.id` with the cluster and fences older producers
    /// (`rd_kafka_init_transactions`). Call once before the first transaction.
    public func initTransactions(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        try await Blocking.run { () throws(KafkaError) in try core.initTransactions(timeoutMs: ms) }
    }

    /// Starts a transaction (`rd_kafka_begin_transaction`).
    public func beginTransaction() throws(KafkaError) {
        try ensureOpen()
        try core.beginTransaction()
    }

    /// Adds a consumer's offsets to the transaction, for consume-transform-produce exactly once
    /// (`rd_kafka_send_offsets_to_transaction`). `offsets` are the next offsets to consume.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartition: Int64], groupMetadata: KafkaConsumerGroupMetadata, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        let list = offsets.map { ($0.key, $0.value) }
        try await Blocking.run { () throws(KafkaError) in
            try core.sendOffsetsToTransaction(list, metadata: groupMetadata.native, timeoutMs: ms)
        }
    }

    /// Flushes and commits the transaction (`rd_kafka_commit_transaction`).
    ///
    /// On an error with ``KafkaError/transactionRequiresAbort``, call ``abortTransaction(timeout:)``;
    /// with ``KafkaError/isRetriable``, call again; with ``KafkaError/isFatal``, recreate the producer.
    public func commitTransaction(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        try await Blocking.run { () throws(KafkaError) in try core.commitTransaction(timeoutMs: ms) }
    }

    /// Aborts the transaction: its messages are never shown to `read_committed` consumers
    /// (`rd_kafka_abort_transaction`).
    public func abortTransaction(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        try await Blocking.run { () throws(KafkaError) in try core.abortTransaction(timeoutMs: ms) }
    }

    /// Calls after ``shutdown(timeout:)`` fail the same way, whatever they are.
    func ensureOpen() throws(KafkaError) {
        if core.closed { throw KafkaError.closed("The producer") }
    }
}
