import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

@Test func exploreStats() async throws {
    let cluster = try MockCluster(brokers: 3)
    try cluster.createTopic("t", partitions: 2)
    var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
    config.statisticsIntervalMs = 100
    let last = Mutex<String>("")
    let producer = try KafkaProducer(configuration: config, options: .init(statisticsHandler: { j in last.withLock { $0 = j } }))
    for i in 0..<3 { _ = try await producer.send(KafkaProducerMessage(topic: "t", key: KafkaPayload("k\(i)"), value: KafkaPayload("v\(i)"))) }
    try await Task.sleep(for: .milliseconds(300))
    try last.withLock { try $0.write(toFile: "/tmp/explore/producer.json", atomically: true, encoding: .utf8) }
    _ = await producer.shutdown(timeout: .seconds(5))

    var cc = config
    cc.groupID = "g1"
    cc.autoOffsetReset = .earliest
    let clast = Mutex<String>("")
    let consumer = try KafkaConsumer(configuration: cc, options: .init(eventHandler: { e in if case .statistics(let j) = e { clast.withLock { $0 = j } } }))
    try consumer.subscribe(topics: ["t"])
    try await KafkaTestSupport.waitForAssignment(consumer, partitions: 2)
    _ = try await consumer.poll(maxMessages: 1, timeout: .seconds(2))
    try await consumer.commit()
    _ = try await consumer.poll(maxMessages: 0, timeout: .milliseconds(500))
    try clast.withLock { try $0.write(toFile: "/tmp/explore/consumer.json", atomically: true, encoding: .utf8) }
    try await consumer.close()
}
