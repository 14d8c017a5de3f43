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
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
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

    private func check(_ code: rd_kafka_resp_err_t) -> NativeMockError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : NativeMockError(String(cString: rd_kafka_err2str(code)))
    }
}

/// Why a mock cluster call failed, in librdkafka's words.
package struct NativeMockError: Error {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}
