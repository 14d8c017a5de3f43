import CRdKafka
import RdKafka

/// An in-process Kafka cluster from librdkafka's mock broker (`rdkafka_mock.h`), for testing
/// code that uses the SDK without a real broker.
///
/// It speaks the Kafka protocol on 127.0.0.1 ports of its own, so any client (this SDK, kcat,
/// another process) can connect to ``bootstrapServers``. It supports produce, fetch, offsets,
/// consumer groups, idempotence and transactions, and lets tests inject faults: brokers going
/// down, slow brokers, request errors, leader and coordinator moves. It does not support TLS,
/// SASL or admin requests. Topics are created on first use with 4 partitions, or explicitly
/// with ``createTopic(_:partitions:replicationFactor:)``.
///
/// ```swift
/// let cluster = try MockCluster(brokers: 3)
/// var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
/// let producer = try KafkaProducer(configuration: config)
/// ```
///
/// Thread-safe. The cluster stops when the value is released.
public final class MockCluster: @unchecked Sendable {
    private let host: OpaquePointer
    private let cluster: OpaquePointer

    /// The cluster's brokers as `host:port,...`, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// Broker ids, 1 through the number of brokers.
    public let brokerIDs: [Int32]

    /// Starts a cluster of `brokers` brokers (`rd_kafka_mock_cluster_new`).
    public init(brokers: Int = 3) throws {
        guard brokers > 0 else { throw MockClusterError("a mock cluster needs at least one broker") }
        guard let conf = rd_kafka_conf_new() else { throw MockClusterError("librdkafka could not allocate a configuration") }
        var errstr = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_conf_set(conf, "log_level", "0", &errstr, errstr.count)
        // The host client only owns the cluster's thread; it never connects anywhere.
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw MockClusterError("librdkafka could not create the host client: \(String(decoding: errstr.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            throw MockClusterError("librdkafka could not start a mock cluster")
        }
        self.host = rk
        self.cluster = cluster
        self.bootstrapServers = rd_kafka_mock_cluster_bootstraps(cluster).map { String(cString: $0) } ?? ""
        self.brokerIDs = (1...Int32(brokers)).map { $0 }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
    }

    /// Creates a topic (`rd_kafka_mock_topic_create`).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor), "create topic \(name)")
    }

    /// Takes a broker down: its connections close and it accepts none (`rd_kafka_mock_broker_set_down`).
    public func setBrokerDown(_ id: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(cluster, id), "take broker \(id) down")
    }

    /// Brings a broker back up (`rd_kafka_mock_broker_set_up`).
    public func setBrokerUp(_ id: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(cluster, id), "bring broker \(id) up")
    }

    /// Delays every response of a broker (`rd_kafka_mock_broker_set_rtt`).
    public func setRoundTripTime(broker id: Int32, milliseconds: Int) throws {
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, Int32(milliseconds)), "set broker \(id)'s RTT")
    }

    /// Makes the next requests of `apiKey` (e.g. 0 for Produce, 1 for Fetch) fail with `errors`,
    /// in order, on any broker (`rd_kafka_mock_push_request_errors_array`).
    public func pushRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }

    /// Removes queued request errors of `apiKey` (`rd_kafka_mock_clear_request_errors`).
    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    /// Makes every request on a topic fail with `error` (`.noError` to stop)
    /// (`rd_kafka_mock_topic_set_error`).
    public func setTopicError(_ topic: String, _ error: KafkaError.Code) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }

    /// Moves a partition's leadership to `broker` (`rd_kafka_mock_partition_set_leader`).
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker), "move \(topic)[\(partition)]'s leader")
    }

    /// Makes `broker` the coordinator of a group (`key` = group id) or transaction
    /// (`rd_kafka_mock_coordinator_set`).
    public func setCoordinator(group: String, broker: Int32) throws {
        try check(rd_kafka_mock_coordinator_set(cluster, "group", group, broker), "move group \(group)'s coordinator")
    }

    /// Makes `broker` the coordinator of a transactional id.
    public func setTransactionCoordinator(transactionalID: String, broker: Int32) throws {
        try check(rd_kafka_mock_coordinator_set(cluster, "transaction", transactionalID, broker), "move \(transactionalID)'s coordinator")
    }

    private func check(_ code: rd_kafka_resp_err_t, _ what: String) throws {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        throw MockClusterError("could not \(what): \(String(cString: rd_kafka_err2str(code)))")
    }
}

/// A mock cluster operation failed.
public struct MockClusterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
