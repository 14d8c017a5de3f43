import RdKafka
import Tracing

// Spans for sends and for processing, with OpenTelemetry's messaging attributes, and the trace
// context carried in message headers (the tracer decides the format: W3C `traceparent` with
// swift-otel).

extension KafkaProducer {
    /// Sends `message` inside a producer span named `send <topic>`, with the span's context
    /// injected into the message's headers, and waits for the broker as `send(_:)` does.
    ///
    /// The span carries `messaging.system=kafka`, `messaging.operation.type=send`,
    /// `messaging.destination.name`, and once delivered `messaging.destination.partition.id` and
    /// `messaging.kafka.offset`; a failed delivery is recorded as the span's error.
    ///
    /// - Parameters:
    ///   - context: The parent context (by default the task's current one).
    ///   - tracer: The tracer (by default the one `InstrumentationSystem` was bootstrapped with).
    public func tracedSend(
        _ message: KafkaProducerMessage, context: ServiceContext = .current ?? .topLevel,
        tracer: any Tracer = InstrumentationSystem.tracer
    ) async throws -> DeliveryReport {
        let span = tracer.startSpan("send \(message.topic)", context: context, ofKind: .producer)
        defer { span.end() }
        span.attributes["messaging.system"] = "kafka"
        span.attributes["messaging.operation.type"] = "send"
        span.attributes["messaging.destination.name"] = message.topic
        if let key = message.key, let text = String(validating: key.bytes, as: UTF8.self) {
            span.attributes["messaging.kafka.message.key"] = text
        }
        var message = message
        tracer.inject(span.context, into: &message.headers, using: KafkaHeadersInjector())
        do {
            let report = try await send(message)
            span.attributes["messaging.destination.partition.id"] = String(report.partition)
            if let offset = report.offset { span.attributes["messaging.kafka.offset"] = Int(offset) }
            return report
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension KafkaMessage {
    /// Runs `body` inside a consumer span named `process <topic>` whose parent is the context
    /// extracted from the message's headers (the producer's span, when the sender traced it), or
    /// `context` when the headers carry none.
    ///
    /// The span carries `messaging.system=kafka`, `messaging.operation.type=process`,
    /// `messaging.destination.name`, `messaging.destination.partition.id`,
    /// `messaging.kafka.offset`, the key when it is text, and `messaging.consumer.group.name`
    /// when given. An error `body` throws is recorded and rethrown.
    public func withProcessingSpan<T>(
        consumerGroup: String? = nil, context: ServiceContext = .current ?? .topLevel,
        tracer: any Tracer = InstrumentationSystem.tracer, _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        var parent = context
        tracer.extract(headers, into: &parent, using: KafkaHeadersExtractor())
        let span = tracer.startSpan("process \(topic)", context: parent, ofKind: .consumer)
        defer { span.end() }
        span.attributes["messaging.system"] = "kafka"
        span.attributes["messaging.operation.type"] = "process"
        span.attributes["messaging.destination.name"] = topic
        span.attributes["messaging.destination.partition.id"] = String(partition)
        span.attributes["messaging.kafka.offset"] = Int(offset)
        if let key = keyString { span.attributes["messaging.kafka.message.key"] = key }
        if let consumerGroup { span.attributes["messaging.consumer.group.name"] = consumerGroup }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

/// Writes trace context into message headers (replacing a header of the same name).
public struct KafkaHeadersInjector: Injector, Sendable {
    public init() {}
    public func inject(_ value: String, forKey key: String, into headers: inout [KafkaHeader]) {
        headers.removeAll { $0.name == key }
        headers.append(KafkaHeader(name: key, value: value))
    }
}

/// Reads trace context from message headers (the first header of the name).
public struct KafkaHeadersExtractor: Extractor, Sendable {
    public init() {}
    public func extract(key: String, from headers: [KafkaHeader]) -> String? {
        headers.first { $0.name == key }?.stringValue
    }
}
