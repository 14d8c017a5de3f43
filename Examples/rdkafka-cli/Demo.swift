import Foundation
import RdKafka
import RdKafkaTesting

/// `rdkafka-cli demo`: a newcomer's first run. Produces a few JSON price updates, awaits each
/// delivery report, and reads them back.
enum Demo {
    struct PriceUpdate: Codable {
        var Product: String
        var UpdatedPrice: Double
    }

    static let usage = CommandUsage(name: "demo", text: """
        demo    [-b brokers]            produce and consume a few messages end to end
                                        (starts an embedded mock cluster unless -b or
                                        KAFKA_BOOTSTRAP_SERVERS names brokers)
        """)

    static func run(_ arguments: [String]) async throws {
        let options = try ClientOptions(arguments, usage: usage)
        try options.rejectUnknown()
        var config = try options.configuration()
        var cluster: MockCluster?
        if config.bootstrapServers.isEmpty {
            let mock = try MockCluster(brokers: 3)
            cluster = mock
            config.bootstrapServers = [mock.bootstrapServers]
            print("demo: started an embedded librdkafka mock cluster (3 brokers) at \(mock.bootstrapServers)")
        } else {
            print("demo: using brokers \(config.bootstrapServers.joined(separator: ","))")
        }
        print("demo: librdkafka \(Librdkafka.version)")
        let topic = "product-price-demo-\(UInt32.random(in: 0...UInt32.max))"
        if let cluster { try cluster.createTopic(topic, partitions: 1) }

        let producer = try KafkaProducer(configuration: config)
        let updates = [PriceUpdate(Product: "ABC", UpdatedPrice: 100.0), PriceUpdate(Product: "XYZ", UpdatedPrice: 42.5),
                       PriceUpdate(Product: "ABC", UpdatedPrice: 99.9)]
        for update in updates {
            let report = try await producer.send(try KafkaProducerMessage(topic: topic, key: KafkaPayload(update.Product), json: update))
            print("produced \(update.Product)=\(update.UpdatedPrice) -> \(report) in \(report.latencyMicroseconds ?? 0) us")
        }
        let left = await producer.shutdown()
        guard left.isEmpty else { throw CLIError("\(left.count) messages were not delivered") }

        var consumerConfig = config
        consumerConfig.groupID = "demo-inventory"
        consumerConfig.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: consumerConfig)
        try consumer.subscribe(topics: [topic])
        var received = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while received < updates.count, ContinuousClock.now < deadline {
            for message in try await consumer.poll(maxMessages: 10, timeout: .milliseconds(500)) {
                let update = try message.decode(PriceUpdate.self)
                print("consumed \(message.topic)[\(message.partition)]@\(message.offset) key=\(message.keyString ?? "-") \(update.Product)=\(update.UpdatedPrice)")
                received += 1
            }
        }
        try await consumer.close()
        guard received == updates.count else { throw CLIError("consumed \(received) of \(updates.count) messages within 30 s") }
        print("demo: produced and consumed \(received) messages end to end. Next: make test, and the guides in README.md")
        _ = cluster
    }
}
