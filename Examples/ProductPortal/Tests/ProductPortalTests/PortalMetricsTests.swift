import Foundation
import HummingbirdTesting
import Metrics
import MetricsTestKit
import ProductPortal
import RdKafka
import RdKafkaMetrics
import Testing

/// The portal feeds its clients' statistics to the metrics bridge (RdKafkaMetrics).
@Suite("Portal metrics wiring")
struct PortalMetricsTests {
    @Test("with statistics.interval.ms set, the portal's producer and subscribers feed the bridge")
    func portalWiring() async throws {
        let topic = try await TestKafka.createTopic()
        let subscribers = TestKafka.uniqueSubscribers()
        var settings = try TestKafka.settings(topic: topic, subscribers: subscribers)
        settings.kafkaOverrides["statistics.interval.ms"] = "100"
        let metrics = TestMetrics()
        let received = ReceivedUpdates()
        let (logger, _) = CapturingLogHandler.logger(level: .warning)
        let app = try PortalApplication.build(
            settings: settings, logger: logger, metrics: KafkaMetricsBridge(factory: metrics), onUpdate: { received.append($0) })

        try await app.test(.router) { client in
            #expect(try await PortalRequests.updateABC(client).status == "Success")
            _ = try await received.wait { Set($0.map(\.subscriber)).count == subscribers.count }
            // Client names are librdkafka's: `<client.id>#producer-<n>`, `<client.id>#consumer-<n>`.
            func total(_ label: String, clientPrefix: String) -> Double? {
                metrics.recorders(label: label).first { gauge in
                    gauge.dimensions.contains { $0.0 == "client" && $0.1.hasPrefix(clientPrefix) }
                }?.lastValue
            }
            try await eventually("every client's totals") {
                total("kafka_client_tx_messages", clientPrefix: "product-admin-portal#producer-") == 1
                    && subscribers.allSatisfy { total("kafka_client_rx_messages", clientPrefix: "\($0.name)#consumer-") == 1 }
            }
        }
    }

    @Test("statistics.interval.ms comes from the PORTAL_KAFKA_CONFIG file or KAFKA_STATISTICS_INTERVAL_MS, for every client")
    func statisticsSetting() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("portal-\(UUID()).properties").path
        try "statistics.interval.ms=5000\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        for (environment, expected) in [
            (["PORTAL_KAFKA_CONFIG": file], Duration.seconds(5)), (["PORTAL_KAFKA_CONFIG": file, "KAFKA_STATISTICS_INTERVAL_MS": "250"], .milliseconds(250)), ([:], nil),
        ] {
            let settings = try PortalSettings.fromEnvironment(environment)
            #expect(try settings.producerConfiguration().statisticsInterval == expected, "\(environment)")
            for subscriber in settings.subscribers {
                #expect(try settings.consumerConfiguration(for: subscriber).statisticsInterval == expected, "\(environment)")
            }
        }
    }

}

/// Checks `condition` every 50 ms until it holds, failing after `timeout`.
private func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
