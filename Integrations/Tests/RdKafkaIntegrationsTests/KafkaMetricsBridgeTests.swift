import Foundation
import Metrics
import MetricsTestKit
import RdKafkaMetrics
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

/// Real statistics from real clients on an in-process mock cluster, recorded into a
/// `TestMetrics` factory given to the bridge (no global `MetricsSystem.bootstrap`).
@Suite("swift-metrics bridge", .timeLimit(.minutes(2)))
struct KafkaMetricsBridgeTests {
    @Test("a producer's totals and brokers become gauges")
    func producerStatistics() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("metrics")
        try cluster.createTopic(topic, partitions: 2)
        try cluster.setPartitionLeader(topic: topic, partition: 0, broker: 2)
        for id in cluster.brokerIDs { try cluster.setRoundTripTime(broker: id, to: .milliseconds(50)) }

        let metrics = TestMetrics()
        let bridge = KafkaMetricsBridge(factory: metrics)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        config.statisticsInterval = .milliseconds(100)
        let producer = try KafkaProducer(
            configuration: config, options: .init(logHandler: KafkaLog.none, statisticsHandler: bridge.statisticsHandler))
        var payloadBytes: Int64 = 0
        for i in 0..<5 {
            let (key, value) = ("product-\(i)", "{\"UpdatedPrice\":\(i)}")
            payloadBytes += Int64(key.utf8.count + value.utf8.count)
            _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: KafkaPayload(key), value: KafkaPayload(value)))
        }
        let client = [("client", producer.name)]
        // txmsgs counts messages sent; msg_cnt drops when the acknowledgement has been handled.
        try await eventually("txmsgs 5, none queued") {
            try metrics.expectGauge("kafka_client_tx_messages", client).lastValue == 5
                && metrics.expectGauge("kafka_client_queue_messages", client).lastValue == 0
        }
        _ = await producer.shutdown(timeout: .seconds(5))

        #expect(try metrics.expectGauge("kafka_client_tx_bytes", client).lastValue ?? 0 >= Double(payloadBytes))
        // The sends were one at a time, each in flight for 50 ms or more: some statistics saw one queued.
        let queued = try metrics.expectGauge("kafka_client_queue_messages", client).values
        #expect(queued.max() == 1, "\(queued)")
        // One broker gauge per mock broker, named host:port/id (besides librdkafka's host:port/bootstrap
        // entries, listed until the cluster's brokers are known), with the client and broker dimensions.
        let up = metrics.recorders(label: "kafka_broker_up").filter { $0.dimensions.first { $0.0 == "client" }?.1 == producer.name }
        #expect(up.allSatisfy { $0.dimensions.count == 2 })
        let brokerNames = up.compactMap { gauge in gauge.dimensions.first { $0.0 == "broker" }?.1 }.filter { !$0.hasSuffix("/bootstrap") }
        #expect(brokerNames.count == 3, "\(brokerNames)")
        for id in cluster.brokerIDs { #expect(brokerNames.filter { $0.hasSuffix("/\(id)") }.count == 1, "broker \(id) in \(brokerNames)") }
        // The partition's leader took the messages: it is up, and its RTT shows the mock's 50 ms, in seconds.
        let leader = try #require(brokerNames.first { $0.hasSuffix("/2") })
        let leaderDimensions = client + [("broker", leader)]
        #expect(try metrics.expectGauge("kafka_broker_up", leaderDimensions).lastValue == 1)
        let p50 = try #require(try metrics.expectGauge("kafka_broker_rtt_p50_seconds", leaderDimensions).lastValue)
        let p99 = try #require(try metrics.expectGauge("kafka_broker_rtt_p99_seconds", leaderDimensions).lastValue)
        #expect(p50 >= 0.05 && p50 < 5 && p99 >= p50, "p50 \(p50) s, p99 \(p99) s")
        #expect(try metrics.expectGauge("kafka_broker_waitresp_requests", leaderDimensions).lastValue != nil)
        // A producer has no consumer lag nor group.
        #expect(metrics.recorders(label: "kafka_consumer_lag").isEmpty && metrics.recorders(label: "kafka_consumer_group_up").isEmpty)
    }

    @Test("a consumer's lag per partition matches lag(for:)")
    func consumerLag() async throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("metrics-lag")
        try cluster.createTopic(topic, partitions: 2)
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none))
        for (partition, count) in [(Int32(0), 6), (1, 4)] {
            for i in 0..<count { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: partition, value: KafkaPayload("m\(i)"))) }
        }
        _ = await producer.shutdown(timeout: .seconds(5))

        let metrics = TestMetrics()
        let bridge = KafkaMetricsBridge(factory: metrics)
        let latest = Mutex<KafkaStatistics?>(nil)
        config.statisticsInterval = .milliseconds(100)
        config.groupID = KafkaTestSupport.uniqueGroupID("metrics")
        config.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none, eventHandler: { event in
            bridge.consumerEventHandler(event)
            if case .statistics(let json) = event, let statistics = try? KafkaStatistics(json: json) { latest.withLock { $0 = statistics } }
        }))
        try consumer.subscribe(topics: [topic])
        // Take messages one at a time until the group has assigned both partitions and each has given one.
        var next: [Int32: Int64] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        while try next.count < 2 || consumer.assignment.count < 2 {
            guard ContinuousClock.now < deadline else { throw TestFailure("took \(next) before the deadline") }
            for message in try await consumer.poll(maxMessages: 1, timeout: .milliseconds(200)) { next[message.partition] = message.offset + 1 }
        }
        let partitions = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        try consumer.pause(partitions)
        try await consumer.commit()
        // Polling serves statistics; paused partitions give no more messages.
        try await eventually("statistics with the committed offsets \(next)") {
            let polled = try await consumer.poll(maxMessages: 1, timeout: .milliseconds(200))
            #expect(polled.isEmpty, "paused, yet got \(polled)")
            return latest.withLock { statistics in
                next.allSatisfy { statistics?.topics[topic]?.partition($0.key)?.committedOffset == $0.value }
            }
        }

        let lag = try await consumer.lag(for: partitions)
        let client = [("client", consumer.name)]
        for tp in partitions {
            let dimensions = client + [("topic", topic), ("partition", "\(tp.partition)")]
            let remaining = (tp.partition == 0 ? 6 : 4) - (next[tp.partition] ?? 0)
            #expect(lag[tp] == remaining)
            #expect(try metrics.expectGauge("kafka_consumer_lag", dimensions).lastValue == Double(remaining), "\(tp)")
            #expect(try metrics.expectGauge("kafka_consumer_lag_stored", dimensions).lastValue == Double(remaining), "\(tp)")
        }
        #expect(try metrics.expectGauge("kafka_consumer_group_up", client).lastValue == 1)
        #expect(try metrics.expectGauge("kafka_consumer_group_assigned_partitions", client).lastValue == 2)
        #expect(try metrics.expectGauge("kafka_client_rx_messages", client).lastValue ?? 0 >= Double(next.values.reduce(0, +)))
        try await consumer.close()
    }

    @Test("text that is not librdkafka statistics is counted, not recorded")
    func decodeError() throws {
        let metrics = TestMetrics()
        KafkaMetricsBridge(factory: metrics).statisticsHandler("{\"not\": \"statistics\"}")
        #expect(try metrics.expectCounter("kafka_statistics_decode_errors").totalValue == 1)
        #expect(metrics.recorders.isEmpty)
    }
}

/// Checks `condition` every 50 ms until it holds, failing after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

@Suite("swift-metrics bridge: errors")
struct KafkaMetricsErrorTests {
    @Test("client errors are counted by code")
    func errorsByCode() throws {
        let metrics = TestMetrics()
        let bridge = KafkaMetricsBridge(factory: metrics)
        bridge.errorHandler(KafkaError(code: .transport, message: "down"))
        bridge.errorHandler(KafkaError(code: .transport, message: "down again"))
        bridge.consumerEventHandler(.error(KafkaError(code: .allBrokersDown, message: "all down")))
        #expect(try metrics.expectCounter("kafka_client_errors", [("code", "_TRANSPORT")]).totalValue == 2)
        #expect(try metrics.expectCounter("kafka_client_errors", [("code", "_ALL_BROKERS_DOWN")]).totalValue == 1)
    }
}
