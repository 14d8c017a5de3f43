@testable import RdKafka
import Testing

@Suite("W3C trace context in message headers")
struct TraceContextTests {
    @Test("parses and prints traceparent")
    func roundTrip() throws {
        let value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let context = try #require(TraceContext(traceparent: value))
        #expect(context.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID == "00f067aa0ba902b7")
        #expect(context.sampled)
        #expect(context.traceparent == value)
    }

    @Test("rejects malformed values", arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-xyz92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ])
    func rejectsMalformed(value: String) {
        #expect(TraceContext(traceparent: value) == nil)
    }

    @Test("a producer message carries one traceparent header")
    func producerMessageHeader() {
        var message = KafkaProducerMessage(topic: "t", value: "v", headers: [KafkaHeader(name: "other", value: "1")])
        let first = TraceContext.random()
        message.traceContext = first
        message.traceContext = TraceContext.random(sampled: false)
        #expect(message.headers.filter { $0.name == "traceparent" }.count == 1)
        #expect(message.traceContext != first)
        #expect(message.traceContext?.sampled == false)
        #expect(message.headers.first?.name == "other")
    }
}
