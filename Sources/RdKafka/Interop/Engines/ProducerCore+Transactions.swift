import CRdKafka

// Transactions: each call blocks until librdkafka answers, so callers run them off the
// cooperative pool.
extension ProducerCore {
    private func check(_ error: OpaquePointer?, _ what: String) throws(KafkaError) {
        guard let error else { return }
        var kafkaError = Interop.consume(error)
        kafkaError.message = "\(what): \(kafkaError.message)"
        if kafkaError.isFatal {
            kafkaError.fix = "the producer is fenced or broken: close it and create a new one"
        } else if kafkaError.transactionRequiresAbort {
            kafkaError.fix = "call abortTransaction(), then start a new transaction"
        } else if kafkaError.isRetriable {
            kafkaError.fix = "retry the same call"
        }
        throw kafkaError
    }

    func initTransactions(timeoutMs: Int32) throws(KafkaError) {
        try check(rd_kafka_init_transactions(handle.pointer, timeoutMs), "initTransactions")
    }

    func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(handle.pointer), "beginTransaction")
    }

    func commitTransaction(timeoutMs: Int32) throws(KafkaError) {
        // Flushes first, serving delivery callbacks on this thread.
        try check(servingExclusively { rd_kafka_commit_transaction(handle.pointer, timeoutMs) }, "commitTransaction")
    }

    func abortTransaction(timeoutMs: Int32) throws(KafkaError) {
        // Flushes first, serving delivery callbacks on this thread.
        try check(servingExclusively { rd_kafka_abort_transaction(handle.pointer, timeoutMs) }, "abortTransaction")
    }

    func sendOffsetsToTransaction(_ offsets: [(TopicPartition, Int64)], metadata: NativeGroupMetadata, timeoutMs: Int32) throws(KafkaError) {
        let list = NativePartitionList(offsets)
        try check(rd_kafka_send_offsets_to_transaction(handle.pointer, list.pointer, metadata.pointer, timeoutMs), "sendOffsetsToTransaction")
    }
}
