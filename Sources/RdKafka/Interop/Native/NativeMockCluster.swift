import CRdKafka

/// librdkafka's mock cluster (`rdkafka_mock.h`) for `RdKafkaTesting.MockCluster`: a host
/// client that owns the cluster's thread, and the cluster. Destroys both in `deinit`.
/// Failures are the C error's text; the testing module words them.
package final class NativeMockCluster: @unchecked Sendable {
    private let host: OpaquePointer
    private let cluster: OpaquePointer
    /// `host:port,...` of the brokers (`rd_kafka_mock_cluster_bootstraps`).
    package let bootstraps: String

    /// Starts `brokers` brokers (`rd_kafka_mock_cluster_new`); `nil` with the reason when
    /// librdkafka cannot.
    package static func start(brokers: Int32) -> Result<NativeMockCluster, NativeMockError> {
        guard let conf = rd_kafka_conf_new() else { return .failure(NativeMockError("librdkafka could not allocate a configuration")) }
        var errstr = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_conf_set(conf, "log_level", "0", &errstr, errstr.count)
        // The host client only owns the cluster's thread; it never connects anywhere.
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            return .failure(NativeMockError("librdkafka could not create the host client: \(Interop.string(errstr))"))
        }
        guard let cluster = rd_kafka_mock_cluster_new(rk, brokers) else {
            rd_kafka_destroy(rk)
            return .failure(NativeMockError("librdkafka could not start a mock cluster"))
        }
        return .success(NativeMockCluster(host: rk, cluster: cluster))
    }

    private init(host: OpaquePointer, cluster: OpaquePointer) {
        self.host = host
        self.cluster = cluster
        self.bootstraps = rd_kafka_mock_cluster_bootstraps(cluster).map { String(cString: $0) } ?? ""
    }

    deinit {
        // Joins the cluster's and the host's threads: as a client's destroy, never on a task's thread.
        let owned = Owned(host: host, cluster: cluster)
        NativeThread.outsideTasks("mock cluster destroy") {
            rd_kafka_mock_cluster_destroy(owned.cluster)
            rd_kafka_destroy(owned.host)
        }
    }

    private struct Owned: @unchecked Sendable {
        let host: OpaquePointer
        let cluster: OpaquePointer
    }

    /// `rd_kafka_mock_topic_create`.
    package func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) -> NativeMockError? {
        check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor))
    }

    /// `rd_kafka_mock_broker_set_down` / `rd_kafka_mock_broker_set_up`.
    package func setBroker(_ id: Int32, up: Bool) -> NativeMockError? {
        check(up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id))
    }

    /// `rd_kafka_mock_broker_set_rtt`.
    package func setRoundTripTime(broker id: Int32, milliseconds: Int32) -> NativeMockError? {
        check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds))
    }

    /// `rd_kafka_mock_push_request_errors_array`.
    package func pushRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }

    /// `rd_kafka_mock_clear_request_errors`.
    package func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    /// `rd_kafka_mock_topic_set_error`.
    package func setTopicError(_ topic: String, _ error: KafkaError.Code) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }

    /// `rd_kafka_mock_partition_set_leader`.
    package func setPartitionLeader(topic: String, partition: Int32, broker: Int32) -> NativeMockError? {
        check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker))
    }

    /// `rd_kafka_mock_coordinator_set`; `kind` is `group` or `transaction`.
    package func setCoordinator(kind: String, key: String, broker: Int32) -> NativeMockError? {
        check(rd_kafka_mock_coordinator_set(cluster, kind, key, broker))
    }

    /// `rd_kafka_mock_sharegroup_set_*` (librdkafka 2.15+, found at run time); `nil` leaves a
    /// setting alone.
    package func setShareGroup(autoOffsetReset: Int32?, recordLockMs: Int32?, maxDeliveryAttempts: Int32?, sessionTimeoutMs: Int32?,
                                heartbeatIntervalMs: Int32?) -> NativeMockError? {
        typealias Setter = @convention(c) (OpaquePointer?, Int32) -> Void
        let settings: [(String, Int32?)] = [
            ("rd_kafka_mock_sharegroup_set_auto_offset_reset", autoOffsetReset),
            ("rd_kafka_mock_sharegroup_set_record_lock_duration", recordLockMs),
            ("rd_kafka_mock_sharegroup_set_max_delivery_attempts", maxDeliveryAttempts),
            ("rd_kafka_mock_sharegroup_set_session_timeout", sessionTimeoutMs),
            ("rd_kafka_mock_sharegroup_set_heartbeat_interval", heartbeatIntervalMs),
        ]
        for (name, value) in settings {
            guard let value else { continue }
            guard let setter = NewerAPI.function(name, Setter.self) else {
                return NativeMockError("librdkafka \(Interop.versionString)'s mock cluster has no share groups (\(name) needs 2.15 or later)")
            }
            setter(cluster, value)
        }
        return nil
    }

    /// The member ids of a share group (`rd_kafka_mock_sharegroup_get_member_ids`, 2.15+);
    /// empty when the group does not exist yet.
    package func shareGroupMembers(_ group: String) -> Result<[String], NativeMockError> {
        typealias Get = @convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
            UnsafeMutablePointer<Int>?) -> rd_kafka_resp_err_t
        guard let get = NewerAPI.function("rd_kafka_mock_sharegroup_get_member_ids", Get.self) else {
            return .failure(NativeMockError("librdkafka \(Interop.versionString)'s mock cluster has no share groups (2.15 or later)"))
        }
        var ids: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        var count = 0
        guard get(cluster, group, &ids, &count) == RD_KAFKA_RESP_ERR_NO_ERROR, let ids else { return .success([]) }
        let members = (0..<count).compactMap { i in ids[i].map { String(cString: $0) } }
        for i in 0..<count { rd_kafka_mem_free(host, ids[i]) }
        rd_kafka_mem_free(host, ids)
        return .success(members)
    }

    /// Gives every member in `members` the same `partitions`, as Kafka's share groups do and
    /// the mock's own assignor (one owner per partition) does not
    /// (`rd_kafka_mock_sharegroup_target_assignment`, 2.15+).
    package func assignShareGroup(_ group: String, members: [String], partitions: [(String, Int32)]) -> NativeMockError? {
        typealias Assign = @convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?,
            UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?>?, Int) -> Void
        guard let assign = NewerAPI.function("rd_kafka_mock_sharegroup_target_assignment", Assign.self) else {
            return NativeMockError("librdkafka \(Interop.versionString)'s mock cluster has no share groups (2.15 or later)")
        }
        let lists = members.map { _ in NativePartitionList(partitions.map { (TopicPartition($0.0, $0.1), Int64(-1001)) }) }
        var pointers: [UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?] = lists.map(\.pointer)
        Syscalls.withCStrings(members) { ids in
            assign(cluster, group, &ids, &pointers, members.count)  // copies both
        }
        return nil
    }

    private func check(_ code: rd_kafka_resp_err_t) -> NativeMockError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : NativeMockError(String(cString: rd_kafka_err2str(code)))
    }
}

/// Why a mock cluster call failed, in librdkafka's words.
package struct NativeMockError: Error {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}
