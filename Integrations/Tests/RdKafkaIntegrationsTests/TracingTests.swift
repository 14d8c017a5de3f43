import InMemoryTracing
import RdKafka
import RdKafkaTesting
import RdKafkaTracing
import Testing
import Tracing

/// A trace across a real (mock) broker: the consumer's span is the producer span's child.
@Suite("Distributed tracing", .timeLimit(.minutes(2)))
struct TracingTests {
    @Test("the process span's parent is the send span, through the message headers, with messaging attributes")
    func sendAndProcess() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.uniqueTopicName("tracing")
        try cluster.createTopic(topic, partitions: 1)
        let tracer = InMemoryTracer()
        let config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none))
        let report = try await producer.tracedSend(KafkaProducerMessage(topic: topic, key: "order-1", value: "x"), tracer: tracer)
        _ = await producer.shutdown()

        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: KafkaLog.none))
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
        let message = try #require(try await KafkaTestSupport.collect(1, from: consumer).first)
        try await consumer.close()
        #expect(message.headers.contains { $0.name == InMemoryTracer.traceIDKey })
        let inner = await message.withProcessingSpan(consumerGroup: "billing", tracer: tracer) { span in
            ServiceContext.current?.inMemorySpanContext?.spanID
        }

        let spans = tracer.finishedSpans
        let send = try #require(spans.first { $0.operationName == "send \(topic)" })
        let process = try #require(spans.first { $0.operationName == "process \(topic)" })
        #expect(send.kind == .producer && process.kind == .consumer)
        #expect(process.spanContext.traceID == send.spanContext.traceID)
        #expect(process.spanContext.parentSpanID == send.spanContext.spanID)
        #expect(inner == process.spanContext.spanID, "the body runs in the process span's context")
        #expect(send.attributes["messaging.system"]?.toSpanAttribute() == .string("kafka"))
        #expect(send.attributes["messaging.kafka.offset"]?.toSpanAttribute() == .int64(report.offset ?? -1))
        #expect(process.attributes["messaging.destination.name"]?.toSpanAttribute() == .string(topic))
        #expect(process.attributes["messaging.consumer.group.name"]?.toSpanAttribute() == .string("billing"))
        #expect(process.attributes["messaging.kafka.message.key"]?.toSpanAttribute() == .string("order-1"))
    }
}
