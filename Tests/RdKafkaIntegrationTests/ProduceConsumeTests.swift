import Foundation
import RdKafka
import RdKafkaTesting
import Testing

@Suite("Produce and consume on every test broker", .serialized)
struct ProduceConsumeTests {
    @Test("offsets in delivery reports are the offsets consumed", arguments: TestEnvironment.all)
    func reportOffsetsMatchConsumedOffsets(broker: TestBroker) async throws {
        let topic = uniqueTopic("roundtrip")
        let producer = try KafkaProducer(configuration: broker.configuration())
        var reports: [DeliveryReport] = []
        for i in 0..<20 {
            reports.append(try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: "k\(i)", value: "v\(i)")))
        }
        #expect(reports.map(\.offset) == Array(0..<20).map(Int64.init))
        #expect(reports.allSatisfy { $0.topic == topic && $0.partition == 0 && $0.error == nil })

        let consumer = try KafkaConsumer(configuration: broker.configuration())
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
        let messages = try await KafkaTestSupport.collect(20, from: consumer)
        #expect(messages.map(\.offset) == reports.map(\.offset))
        #expect(messages.map { $0.valueString ?? "" } == (0..<20).map { "v\($0)" })
        #expect(messages.map { $0.keyString ?? "" } == (0..<20).map { "k\($0)" })
        _ = await producer.shutdown()
        try await consumer.close()
    }

    @Test("headers, keys, timestamps and explicit partitions round-trip byte for byte", arguments: TestEnvironment.all)
    func fieldsRoundTrip(broker: TestBroker) async throws {
        let topic = uniqueTopic("fields")
        let producer = try KafkaProducer(configuration: broker.configuration())
        let binary: [UInt8] = (0...255).map { UInt8($0) }
        let headers = [
            KafkaHeader(name: "a", value: "1"), KafkaHeader(name: "a", value: "2"),
            KafkaHeader(name: "bin", value: binary), KafkaHeader(name: "null", value: nil), KafkaHeader(name: "empty", value: []),
        ]
        let timestamp = KafkaTimestamp(millisecondsSinceEpoch: 1_600_000_000_123)
        let partition = broker.autoCreatedPartitions - 1
        let sent = KafkaProducerMessage(topic: topic, partition: partition, key: KafkaPayload(binary), value: KafkaPayload(Data(binary.reversed())),
            headers: headers, timestamp: timestamp)
        let report = try await producer.send(sent)
        #expect(report.partition == partition)
        let empty = try await producer.send(KafkaProducerMessage(topic: topic, partition: partition, key: nil, value: KafkaPayload([])))
        let null = try await producer.send(KafkaProducerMessage(topic: topic, partition: partition, key: "k", value: nil))

        let consumer = try KafkaConsumer(configuration: broker.configuration())
        try await consumer.assign([TopicPartition(topic, partition): .beginning])
        let messages = try await KafkaTestSupport.collect(3, from: consumer)
        let first = messages[0]
        #expect(first.key == binary)
        #expect(first.value == Array(binary.reversed()))
        #expect(first.headers == headers)
        #expect(first.timestamp == timestamp)
        #expect(first.partition == partition)
        #expect(messages[1].offset == empty.offset && messages[1].value == [] && messages[1].key == nil)
        #expect(messages[2].offset == null.offset && messages[2].value == nil && messages[2].keyString == "k")
        _ = await producer.shutdown()
        try await consumer.close()
    }

    @Test("flush waits until every message has its delivery report", arguments: TestEnvironment.all)
    func flushWaitsForEverything(broker: TestBroker) async throws {
        let topic = uniqueTopic("flush")
        var config = broker.configuration()
        config.linger = .milliseconds(50)
        let producer = try KafkaProducer(configuration: config, options: .init(deliveryReportBufferSize: 20_000))
        for i in 0..<10_000 { try await producer.produce(KafkaProducerMessage(topic: topic, value: KafkaPayload("m\(i)"))) }
        try await producer.flush(timeout: .seconds(30))
        #expect(producer.outstandingMessageCount == 0)
        var delivered = 0
        for await report in producer.deliveryReports! {
            #expect(report.error == nil)
            delivered += 1
            if delivered == 10_000 { break }
        }
        #expect(delivered == 10_000)
        let left = await producer.shutdown()
        #expect(left.isEmpty)
    }
}
