/// A W3C Trace Context (`traceparent`), to carry a trace through Kafka in a message header, so
/// any tracing library can continue it on the consumer side.
///
/// ```swift
/// var message = KafkaProducerMessage(topic: "orders", value: "...")
/// message.traceContext = TraceContext(traceID: span.traceID, spanID: span.spanID, sampled: true)
/// // consumer side
/// if let parent = received.traceContext { /* start a child span of parent */ }
/// ```
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// The header name, as the W3C recommendation spells it.
    public static let headerName = "traceparent"

    /// 32 lowercase hex digits, not all zero.
    public var traceID: String
    /// 16 lowercase hex digits (the parent span), not all zero.
    public var spanID: String
    /// The sampled flag.
    public var sampled: Bool

    /// A context from ids; `nil` unless they are well-formed.
    public init?(traceID: String, spanID: String, sampled: Bool) {
        guard Self.isID(traceID, count: 32), Self.isID(spanID, count: 16) else { return nil }
        self.traceID = traceID.lowercased()
        self.spanID = spanID.lowercased()
        self.sampled = sampled
    }

    /// Parses a `traceparent` value (`00-<trace-id>-<span-id>-<flags>`); `nil` when malformed.
    public init?(traceparent: String) {
        let parts = traceparent.trimmingWhitespace.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", Self.isHex(String(parts[0]), count: 2),
              Self.isHex(String(parts[3]), count: 2), let flags = UInt8(parts[3], radix: 16),
              parts[0] != "00" || parts.count == 4
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// A new random trace with a random span.
    public static func random(sampled: Bool = true) -> TraceContext {
        func hex(_ bytes: Int) -> String {
            var text = ""
            while text.count < bytes * 2 || text.allSatisfy({ $0 == "0" }) {
                text = (0..<bytes).map { _ in String(format2(UInt8.random(in: 0...255))) }.joined()
            }
            return text
        }
        // Non-nil: random hex of the right length, never all zero.
        return TraceContext(traceID: hex(16), spanID: hex(8), sampled: sampled).unsafelyUnwrapped
    }

    /// The `traceparent` header value.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }
    public var description: String { traceparent }

    private static func isHex(_ text: String, count: Int) -> Bool {
        text.count == count && text.allSatisfy(\.isHexDigit)
    }

    /// Trace and span ids: hex of the right length, and not all zero (the spec's invalid id).
    private static func isID(_ text: String, count: Int) -> Bool {
        isHex(text, count: count) && !text.allSatisfy { $0 == "0" }
    }

    private static func format2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

extension KafkaProducerMessage {
    /// The `traceparent` header: reading gives the first valid one; setting replaces any.
    public var traceContext: TraceContext? {
        get { headers.lazy.filter { $0.name == TraceContext.headerName }.compactMap { $0.stringValue.flatMap(TraceContext.init(traceparent:)) }.first }
        set {
            headers.removeAll { $0.name == TraceContext.headerName }
            if let newValue { headers.append(KafkaHeader(name: TraceContext.headerName, value: newValue.traceparent)) }
        }
    }
}

extension KafkaMessage {
    /// The trace context from the `traceparent` header, if there is a valid one.
    public var traceContext: TraceContext? {
        headers.lazy.filter { $0.name == TraceContext.headerName }.compactMap { $0.stringValue.flatMap(TraceContext.init(traceparent:)) }.first
    }
}
