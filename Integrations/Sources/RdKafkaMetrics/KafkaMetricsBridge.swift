#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Metrics
import RdKafka

/// Records librdkafka's statistics (`statistics.interval.ms`) as swift-metrics gauges.
///
/// ```swift
/// let metrics = KafkaMetricsBridge()
/// let producer = try KafkaProducer(configuration: config, options: .init(statisticsHandler: metrics.statisticsHandler))
/// let consumer = try KafkaConsumer(configuration: config, options: .init(eventHandler: metrics.consumerEventHandler))
/// ```
///
/// The gauges, each with the librdkafka statistics field it comes from. All have the dimension
/// `client` (the client's `name`); broker gauges add `broker` (the broker's `name`), partition
/// gauges add `topic` and `partition`. Totals that only grow are gauges set to librdkafka's
/// total, as swift-metrics counters can only be incremented.
/// - `kafka_client_queue_messages`, `kafka_client_queue_bytes`: `msg_cnt`, `msg_size`
/// - `kafka_client_tx_messages`, `kafka_client_tx_bytes`: `txmsgs`, `txmsg_bytes`
/// - `kafka_client_rx_messages`, `kafka_client_rx_bytes`: `rxmsgs`, `rxmsg_bytes`
/// - `kafka_broker_up`: 1 when `brokers[].state` is `UP`, else 0
/// - `kafka_broker_rtt_p50_seconds`, `kafka_broker_rtt_p99_seconds`: `brokers[].rtt.p50`, `.p99`
///   (microseconds in librdkafka); left as they were when the window is empty (`rtt.cnt` 0)
/// - `kafka_broker_outbuf_requests`, `kafka_broker_waitresp_requests`: `brokers[].outbuf_cnt`, `.waitresp_cnt`
/// - `kafka_consumer_lag`, `kafka_consumer_lag_stored`: `topics[].partitions[].consumer_lag`,
///   `.consumer_lag_stored`; only when known (not -1), and not for librdkafka's internal partition -1
/// - `kafka_consumer_group_up`: 1 when `cgrp.state` is `up`, else 0;
///   `kafka_consumer_group_assigned_partitions`: `cgrp.assignment_size`;
///   `kafka_consumer_group_rebalances`: `cgrp.rebalance_cnt`
/// - `kafka_client_errors` (a counter, dimension `code`, such as `_TRANSPORT`): client errors
///   passed to ``errorHandler`` or, for a consumer, to ``consumerEventHandler``
/// - `kafka_statistics_decode_errors` (a counter): JSON that ``KafkaStatistics`` could not decode
///
/// A broker or partition that leaves the statistics (librdkafka lists `host:port/bootstrap`
/// entries only until it knows the cluster's brokers) keeps its gauges at their last value.
///
/// Thread safety: the SDK calls the handlers on its own threads (the producer's delivery thread,
/// each consumer's poll thread), concurrently when there are several clients. The bridge keeps no
/// state but the factory, and swift-metrics factories are thread-safe: `record` may run concurrently.
public struct KafkaMetricsBridge: Sendable {
    private let factory: any MetricsFactory

    /// - Parameter factory: Where the gauges go; by default `MetricsSystem.factory` as it is now,
    ///   so bootstrap the backend first.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// For `KafkaProducer.Options.statisticsHandler`.
    public var statisticsHandler: @Sendable (String) -> Void { { json in record(json: json) } }

    /// For `KafkaProducer.Options.errorHandler`: counts client errors by code.
    public var errorHandler: @Sendable (KafkaError) -> Void { { error in record(error: error) } }

    /// For `KafkaConsumer.Options.eventHandler`: records statistics, counts errors, and ignores
    /// other events.
    public var consumerEventHandler: @Sendable (KafkaConsumerEvent) -> Void {
        { event in
            switch event {
            case .statistics(let json): record(json: json)
            case .error(let error): record(error: error)
            default: break
            }
        }
    }

    /// Counts one client error under its code.
    public func record(error: KafkaError) {
        Counter(label: "kafka_client_errors", dimensions: [("code", error.code.name)], factory: factory).increment()
    }

    /// Decodes librdkafka's statistics JSON and records it.
    public func record(json: String) {
        do { record(try KafkaStatistics(json: json)) } catch {
            Counter(label: "kafka_statistics_decode_errors", factory: factory).increment()
        }
    }

    public func record(_ statistics: KafkaStatistics) {
        let client = [("client", statistics.name)]
        // Byte totals are not modelled by KafkaStatistics: read them from its raw JSON.
        let bytes = try? JSONDecoder().decode(ByteTotals.self, from: Data(statistics.json.utf8))
        set("kafka_client_queue_messages", client, statistics.messageCount)
        set("kafka_client_queue_bytes", client, bytes?.queued)
        set("kafka_client_tx_messages", client, statistics.txMessages)
        set("kafka_client_tx_bytes", client, bytes?.tx)
        set("kafka_client_rx_messages", client, statistics.rxMessages)
        set("kafka_client_rx_bytes", client, bytes?.rx)
        for broker in statistics.brokers.values {
            let dimensions = client + [("broker", broker.name)]
            set("kafka_broker_up", dimensions, Int64(broker.state == "UP" ? 1 : 0))
            if let rtt = broker.rtt, (rtt.cnt ?? 0) > 0 {
                set("kafka_broker_rtt_p50_seconds", dimensions, rtt.p50.map { Double($0) / 1_000_000 })
                set("kafka_broker_rtt_p99_seconds", dimensions, rtt.p99.map { Double($0) / 1_000_000 })
            }
            set("kafka_broker_outbuf_requests", dimensions, broker.outbufCount)
            set("kafka_broker_waitresp_requests", dimensions, broker.waitResponseCount)
        }
        for topic in statistics.topics.values {
            for partition in topic.partitions.values where partition.partition >= 0 {
                let dimensions = client + [("topic", topic.topic), ("partition", String(partition.partition))]
                set("kafka_consumer_lag", dimensions, partition.consumerLag.flatMap { $0 >= 0 ? $0 : nil })
                set("kafka_consumer_lag_stored", dimensions, partition.consumerLagStored.flatMap { $0 >= 0 ? $0 : nil })
            }
        }
        if let group = statistics.consumerGroup {
            set("kafka_consumer_group_up", client, Int64(group.state == "up" ? 1 : 0))
            set("kafka_consumer_group_assigned_partitions", client, group.assignmentSize)
            set("kafka_consumer_group_rebalances", client, group.rebalanceCount)
        }
    }

    private func set(_ label: String, _ dimensions: [(String, String)], _ value: Int64?) {
        if let value { Gauge(label: label, dimensions: dimensions, factory: factory).record(value) }
    }

    private func set(_ label: String, _ dimensions: [(String, String)], _ value: Double?) {
        if let value { Gauge(label: label, dimensions: dimensions, factory: factory).record(value) }
    }

    private struct ByteTotals: Decodable {
        var queued: Int64?, tx: Int64?, rx: Int64?
        enum CodingKeys: String, CodingKey { case queued = "msg_size", tx = "txmsg_bytes", rx = "rxmsg_bytes" }
    }
}
