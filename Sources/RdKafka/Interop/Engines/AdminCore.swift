import CRdKafka
import Synchronization

/// The admin client's C side: one librdkafka handle; each request runs on a temporary queue and
/// blocks the calling (non-cooperative) thread until its result event arrives.
final class AdminCore: @unchecked Sendable {
    let handle: NativeHandle
    /// Client errors (authentication, TLS, brokers down) seen since the last request: a request
    /// that times out reports the most telling one as its cause instead of a bare timeout.
    private let clientErrors = Locked<[KafkaError]>([])

    init(configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler) throws(KafkaError) {
        handle = try NativeHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, logHandler: logHandler) { conf in
            rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
                guard let opaque else { return }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                context.admin?.record(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
            }
        }
        handle.context.admin = self
    }

    deinit {
        // Clears the context's weak reference now, so its side table goes with this object.
        handle.context.admin = nil
    }

    /// Called from `rd_kafka_poll` on the requesting thread.
    private func record(_ code: rd_kafka_resp_err_t, _ reason: String) {
        var error = Interop.error(code, handle.context.scrub(reason))
        handle.context.annotate(&error)
        handle.context.log(.error, "ERROR", error.description)
        clientErrors.withLock { errors in
            errors.append(error)
            if errors.count > 16 { errors.removeFirst() }
        }
    }

    /// Serves pending client errors (which also keeps the main queue from growing) and returns the
    /// one that best explains a failed request: a security failure first, else the latest.
    private func clientErrorCause() -> KafkaError? {
        _ = rd_kafka_poll(rk, 0)
        let errors = clientErrors.withLock { errors in
            defer { errors.removeAll() }
            return errors
        }
        return errors.last(where: ClientErrorAdvice.isSecurityFailure) ?? errors.last
    }

    /// The error for a request that failed with `code`: timeouts and transport failures carry the
    /// client error behind them.
    private func failure(_ code: rd_kafka_resp_err_t, _ what: String) -> KafkaError {
        var error = Interop.error(code, "\(what): \(Interop.errorText(Int32(code.rawValue)))")
        if code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT, var cause = clientErrorCause() {
            cause.message = "\(what): \(cause.message)"
            return cause
        }
        if code == RD_KAFKA_RESP_ERR__TIMED_OUT {
            error.isRetriable = true
            error.fix = "check that the brokers are reachable, or give a longer timeout"
        }
        return error
    }

    var rk: OpaquePointer { handle.pointer }

    /// Starts a request with `start(options, queue)` and waits for its result event; the event is
    /// passed to `read` and destroyed afterwards.
    func request<T>(
        _ api: rd_kafka_admin_op_t, timeoutMs: Int32, configure: (OpaquePointer) -> Void = { _ in },
        _ start: (OpaquePointer, OpaquePointer) -> Void, read: (OpaquePointer) throws(KafkaError) -> T
    ) throws(KafkaError) -> T {
        guard let queue = rd_kafka_queue_new(rk), let options = rd_kafka_AdminOptions_new(rk, api) else {
            throw KafkaError(code: .criticalSystemResource, message: "librdkafka could not allocate an admin request")
        }
        defer {
            rd_kafka_AdminOptions_destroy(options)
            rd_kafka_queue_destroy(queue)
        }
        var errstr = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errstr, errstr.count)
        configure(options)
        _ = clientErrorCause()  // only errors seen during this request explain its failure
        start(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs.addingClamped(5_000)) else {
            throw failure(RD_KAFKA_RESP_ERR__TIMED_OUT, "no admin answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            var error = Interop.error(code, rd_kafka_event_error_string(event).map { String(cString: $0) })
            if code == RD_KAFKA_RESP_ERR__TIMED_OUT, let cause = clientErrorCause() {
                error = cause
                error.message = "admin request failed: \(cause.message)"
            } else if code == RD_KAFKA_RESP_ERR__TIMED_OUT {
                error.fix = "the broker did not answer in time; brokers without admin support (such as librdkafka's mock cluster) never do"
            } else if code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE {
                error.fix = "the brokers do not implement this request: it needs newer brokers (the message names the version)"
            }
            throw error
        }
        return try read(event)
    }

    private static func topicResults(_ results: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int) -> [AdminResult] {
        (0..<count).compactMap { i in
            guard let result = results?[i] else { return nil }
            let code = rd_kafka_topic_result_error(result)
            let error = code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil
                : Interop.error(code, rd_kafka_topic_result_error_string(result).map { String(cString: $0) })
            return AdminResult(name: String(cString: rd_kafka_topic_result_name(result)), error: error)
        }
    }

    /// A group result's partitions, or its error.
    static func partitions(ofGroupResult result: OpaquePointer) throws(KafkaError) -> [(TopicPartition, offset: Int64, error: KafkaError?)] {
        if let e = rd_kafka_group_result_error(result) { throw Interop.error(borrowing: e) }
        return rd_kafka_group_result_partitions(result).map { NativePartitionList.elements(of: $0) } ?? []
    }

    // MARK: Metadata

    /// A broker id, or `nil` for librdkafka's "none" (-1).
    static func brokerID(_ id: Int32) -> Int32? { id >= 0 ? id : nil }

    func metadata(topic: String?, timeoutMs: Int32) throws(KafkaError) -> KafkaClusterMetadata {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        var rkt: OpaquePointer? = nil
        if let topic { rkt = rd_kafka_topic_new(rk, topic, nil) }
        defer { if let rkt { rd_kafka_topic_destroy(rkt) } }
        _ = clientErrorCause()
        let code = rd_kafka_metadata(rk, topic == nil ? 1 : 0, rkt, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw failure(code, "metadata request failed")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let m = metadata.pointee
        let brokers = (0..<Int(m.broker_cnt)).map { i in
            KafkaClusterMetadata.Broker(id: m.brokers[i].id, host: String(cString: m.brokers[i].host), port: m.brokers[i].port)
        }
        let topics = (0..<Int(m.topic_cnt)).map { i -> KafkaClusterMetadata.Topic in
            let t = m.topics[i]
            let partitions = (0..<Int(t.partition_cnt)).map { j -> KafkaClusterMetadata.Partition in
                let p = t.partitions[j]
                return KafkaClusterMetadata.Partition(
                    id: p.id, leader: Self.brokerID(p.leader),
                    replicas: (0..<Int(p.replica_cnt)).map { p.replicas[$0] },
                    inSyncReplicas: (0..<Int(p.isr_cnt)).map { p.isrs[$0] },
                    error: p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(p.err))
            }
            return KafkaClusterMetadata.Topic(
                name: String(cString: t.topic), partitions: partitions.sorted { $0.id < $1.id },
                error: t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(t.err))
        }
        var clusterID: String? = nil
        if let id = rd_kafka_clusterid(rk, timeoutMs) {
            clusterID = String(cString: id)
            rd_kafka_mem_free(rk, id)
        }
        return KafkaClusterMetadata(
            clusterID: clusterID, controllerID: Self.brokerID(rd_kafka_controllerid(rk, timeoutMs)),
            brokers: brokers.sorted { $0.id < $1.id }, topics: topics.sorted { $0.name < $1.name })
    }

    func watermarks(_ tp: TopicPartition, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw Interop.error(code, "watermarks of \(tp): \(Interop.errorText(Int32(code.rawValue)))") }
        return (low, high)
    }

    // MARK: Topics

    func createTopics(_ topics: [NewTopic], validateOnly: Bool, timeoutMs: Int32) throws(KafkaError) -> [AdminResult] {
        var made: [OpaquePointer?] = []
        defer { for t in made { rd_kafka_NewTopic_destroy(t) } }
        for topic in topics {
            var errstr = [CChar](repeating: 0, count: 512)
            guard let t = rd_kafka_NewTopic_new(topic.name, topic.partitions ?? -1, topic.replicationFactor ?? -1, &errstr, errstr.count) else {
                throw KafkaError.invalidArgument("topic \(topic.name): \(Interop.string(errstr))")
            }
            made.append(t)
            for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let error = rd_kafka_NewTopic_set_config(t, name, value)
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError.invalidArgument("topic \(topic.name): config \(name)=\(value): \(Interop.errorText(Int32(error.rawValue)))")
                }
            }
        }
        return try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeoutMs: timeoutMs, configure: { options in
            var errstr = [CChar](repeating: 0, count: 512)
            _ = rd_kafka_AdminOptions_set_validate_only(options, validateOnly ? 1 : 0, &errstr, errstr.count)
        }, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return AdminCore.topicResults(results, count)
        })
    }

    func deleteTopics(_ names: [String], timeoutMs: Int32) throws(KafkaError) -> [AdminResult] {
        var made: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
        defer { for t in made { rd_kafka_DeleteTopic_destroy(t) } }
        return try request(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_DeleteTopics(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return AdminCore.topicResults(results, count)
        })
    }

    func createPartitions(_ totals: [String: Int], timeoutMs: Int32) throws(KafkaError) -> [AdminResult] {
        var made: [OpaquePointer?] = []
        defer { for t in made { rd_kafka_NewPartitions_destroy(t) } }
        for (topic, total) in totals.sorted(by: { $0.key < $1.key }) {
            var errstr = [CChar](repeating: 0, count: 512)
            guard let p = rd_kafka_NewPartitions_new(topic, total, &errstr, errstr.count) else {
                throw KafkaError.invalidArgument("topic \(topic): \(Interop.string(errstr))")
            }
            made.append(p)
        }
        return try request(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_CreatePartitions(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
            return AdminCore.topicResults(results, count)
        })
    }
}
