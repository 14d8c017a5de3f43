import Foundation
import RdKafka
import RdKafkaTesting
import Testing

func openFileDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }
func threadCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1 }

/// Counts come from Linux's /proc; elsewhere the suite is skipped, saying why.
@Suite("Resources return to where they started", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "counts threads and descriptors through Linux's /proc"))
struct ResourceTests {
    @Test("creating and closing 1,000 producers and consumers leaves no file descriptors or threads behind")
    func createAndClose() async throws {
        let broker = try #require(TestEnvironment.all.first)
        // Warm up the runtime's own threads and descriptors first.
        do {
            let producer = try KafkaProducer(configuration: broker.configuration())
            _ = await producer.shutdown()
            let consumer = try KafkaConsumer(configuration: broker.configuration())
            try await consumer.close()
        }
        try await Task.sleep(for: .milliseconds(200))
        let fdsBefore = openFileDescriptors()
        let threadsBefore = threadCount()
        for i in 0..<500 {
            let producer = try KafkaProducer(configuration: broker.configuration())
            if i % 50 == 0 { _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("res"), value: "x")) }
            _ = await producer.shutdown()
            let consumer = try KafkaConsumer(configuration: broker.configuration())
            try await consumer.close()
        }
        // librdkafka joins its threads in rd_kafka_destroy; give the kernel a moment to reap.
        var fdsAfter = openFileDescriptors()
        var threadsAfter = threadCount()
        let deadline = ContinuousClock.now + .seconds(5)
        while (fdsAfter > fdsBefore || threadsAfter > threadsBefore), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            fdsAfter = openFileDescriptors()
            threadsAfter = threadCount()
        }
        #expect(fdsAfter <= fdsBefore, "file descriptors: \(fdsBefore) -> \(fdsAfter)")
        #expect(threadsAfter <= threadsBefore + 2, "threads: \(threadsBefore) -> \(threadsAfter)")
    }
}
