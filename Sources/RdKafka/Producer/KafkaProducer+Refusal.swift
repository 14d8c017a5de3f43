// The rest of each send once librdkafka refused the message, kept apart from the common path,
// and the sends the SDK refuses up front.

extension KafkaProducer {
    /// The rest of `send(_:)` once the queue was full: wait for room and try again, up to
    /// ``Options/queueFullTimeout``. Kept apart so the common path holds no deadline.
    @inline(never)
    func sendAfterRefusal(_ message: KafkaProducerMessage, seen: UInt64) async throws -> DeliveryReport {
        var seen = seen
        var deadline: ContinuousClock.Instant?
        while true {
            _ = try settle(.queueFull, message, deadline: &deadline)
            try await core.room.wait(after: seen)
            seen = core.room.current
            if case .report(let report) = try await deliver(message) { return report }
        }
    }

    /// The rest of a blocking send once librdkafka refused the message: an error, or a full
    /// queue to wait on (up to ``Options/queueFullTimeout``), serving reports meanwhile.
    /// Kept apart so that the common path stays small and holds no deadline (a resilient
    /// `ContinuousClock.Instant?` in the frame costs value-witness calls per message).
    @inline(never)
    func enqueueAfterRefusal(
        _ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?, seen: UInt64, result: ProducerCore.EnqueueResult
    ) throws(KafkaError) {
        var result = result
        var seen = seen
        var deadline: ContinuousClock.Instant?
        while try !settle(result, message, deadline: &deadline) {
            // Queue full: serve reports here (room comes from them) as long as no other thread
            // does, as C's loop would; else wait for the room that thread makes.
            if !core.serveInline(timeoutMs: 100) { core.room.waitBlocking(after: seen, until: deadline ?? .now) }
            seen = core.room.current
            result = core.enqueue(message, opaque: opaque)
        }
    }

    /// ``enqueueAfterRefusal(_:opaque:seen:result:)`` for async callers: waits for
    /// room without blocking a thread; `CancellationError` when the task is cancelled meanwhile.
    @inline(never)
    func enqueueAfterRefusal(
        _ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?, seen: UInt64, result: ProducerCore.EnqueueResult
    ) async throws {
        var result = result
        var seen = seen
        var deadline: ContinuousClock.Instant?
        while try !settle(result, message, deadline: &deadline) {
            try await core.room.wait(after: seen)
            seen = core.room.current
            result = core.enqueue(message, opaque: opaque)
        }
    }

    /// The error awaited and callback sends throw when `delivery.report.only.error` is on
    /// (`true`, `t` or `1`, as librdkafka reads a bool), or `nil`.
    static func reportsRefusal(_ configuration: KafkaConfiguration) -> KafkaError? {
        guard let entry = configuration.entry("delivery.report.only.error"),
              ["true", "t", "1"].contains(entry.value.lowercased()) else { return nil }
        return .configuration("delivery.report.only.error",
            "delivery.report.only.error=\(entry.value) stops librdkafka from reporting delivered messages, and an awaited or callback send ends only on its message's report: it would wait forever",
            origin: entry.origin,
            fix: "remove delivery.report.only.error (to act on failures only, check report.isDelivered), or send with produce(_:), which needs no report")
    }
}
