import Logging
import ProductPortal
import RdKafka
import RdKafkaTesting
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("graceful shutdown delivers the updates still in flight, then stops the publisher and subscribers", .timeLimit(.minutes(1)))
    func shutdownDeliversInFlightUpdates() async throws {
        // A cluster of its own (also when the other tests use an external one), made slow so
        // updates are still in flight when shutdown starts.
        let slow = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("product-price")
        try slow.createTopic(topic, partitions: 2)
        try slow.setRoundTripTime(broker: 1, to: .milliseconds(500))
        var settings = try TestKafka.settings(topic: topic)
        settings.kafkaEnvironment = ["KAFKA_BOOTSTRAP_SERVERS": slow.bootstrapServers]
        let (logger, logs) = CapturingLogHandler.logger(level: .info)
        let publisher = try PricePublisher(configuration: try settings.producerConfiguration(), topic: topic, logger: logger)
        let subscriberDefinition = TestKafka.uniqueSubscribers()[0]
        let subscriber = try PriceSubscriber(
            definition: subscriberDefinition, configuration: try settings.consumerConfiguration(for: subscriberDefinition),
            topic: topic, logger: logger, onUpdate: { _ in })
        let group = ServiceGroup(configuration: .init(services: [publisher, subscriber], logger: logger))
        let running = Task { try await group.run() }

        let count = 20
        let results = Task {
            await withTaskGroup(of: Bool.self) { tasks in
                for i in 0..<count {
                    tasks.addTask { (try? await publisher.publish(PriceUpdate(product: "P\(i)", updatedPrice: Double(i)))) != nil }
                }
                return await tasks.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while publisher.pendingCount < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(publisher.pendingCount >= count, "the updates should be queued or in flight when shutdown starts")

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await results.value == count, "every update queued before shutdown must be delivered")
        #expect(try await TestKafka.messageCount(topic: topic, configuration: settings.kafkaConfiguration()) == Int64(count))
        #expect(logs.all.contains { "\($0.message)" == "Kafka producer shut down; every update was delivered" })
        #expect(logs.all.contains { "\($0.message)" == "Unsubscribed" })
        withExtendedLifetime(slow) {}
    }
}
