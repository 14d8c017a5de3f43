import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// librdkafka 2.0.2 stops fetching for about a second whenever its consumer queue holds
/// `queued.min.messages`; one fetch round of a small-message backlog holds more than its
/// default 100,000. The SDK's consumer defaults must not run into that pause.
@Suite("Consumer defaults and librdkafka's fetch pause", .serialized, .timeLimit(.minutes(2)))
struct FetchPauseTests {
    /// Produces `count` 10-byte messages to a fresh 16-partition topic of an embedded cluster.
    func backlog(_ count: Int) async throws -> (MockCluster, String) {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.uniqueTopicName("backlog")
        try cluster.createTopic(topic, partitions: 16)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for i in 0..<count {
            try producer.produce(KafkaProducerMessage(topic: topic, partition: Int32(i % 16), value: "0123456789"))
        }
        #expect(await producer.shutdown().isEmpty)
        return (cluster, topic)
    }

    /// Reads `count` messages from the beginning of all 16 partitions; the longest wait between
    /// two messages.
    func longestGap(_ cluster: MockCluster, _ topic: String, count: Int, configure: (inout KafkaConfiguration) -> Void) async throws -> Duration {
        var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        configure(&config)
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        var assignment: [TopicPartition: KafkaOffset] = [:]
        for p in 0..<Int32(16) { assignment[TopicPartition(topic, p)] = .beginning }
        try consumer.assign(assignment)
        var seen = 0
        var last = ContinuousClock.now
        var longest = Duration.zero
        for try await _ in consumer.messages {
            let now = ContinuousClock.now
            if seen > 0 { longest = max(longest, now - last) }
            last = now
            seen += 1
            if seen == count { break }
        }
        try await consumer.close()
        #expect(seen == count)
        return longest
    }

    @Test("a backlog of 400,000 small messages is read without librdkafka's one-second fetch pause at SDK defaults")
    func defaultsAvoidFetchPause() async throws {
        let count = 400_000
        let (cluster, topic) = try await backlog(count)
        let atDefaults = try await longestGap(cluster, topic, count: count) { _ in }
        // The control: librdkafka's own default pauses, which shows that the test can fail.
        let atLibrdkafkaDefault = try await longestGap(cluster, topic, count: count) { $0.queuedMinMessages = 100_000 }
        print("fetch pause: longest gap at SDK defaults \(atDefaults), with queued.min.messages=100000 \(atLibrdkafkaDefault)")
        #expect(atDefaults < .milliseconds(400 * TestEnvironment.slowdown), "SDK defaults: longest gap \(atDefaults)")
        // Under a sanitizer the loop is too slow for a fetch round to outrun it: no control there.
        if TestEnvironment.slowdown == 1 {
            #expect(atLibrdkafkaDefault > .milliseconds(400), "librdkafka default: longest gap \(atLibrdkafkaDefault)")
        }
    }
}
