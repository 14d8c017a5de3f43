/// What to do when one awaited or callback-style message's delivery report arrives. Passed to
/// librdkafka as the message's opaque pointer (retained once, released by the delivery thread).
final class PendingDelivery {
    enum Outcome: Sendable {
        case report(DeliveryReport)
        /// librdkafka's queue was full: wait for room, then try again.
        case retry
    }

    enum Completion {
        case continuation(UnsafeContinuation<Outcome, any Error>)
        case callback(@Sendable (DeliveryReport) -> Void)
    }

    let completion: Completion
    let topic: String

    init(_ completion: Completion, topic: String) {
        self.completion = completion
        self.topic = topic
    }

    func complete(_ report: DeliveryReport) {
        switch completion {
        case .continuation(let continuation):
            Self.resume(continuation, with: report)
        case .callback(let callback):
            callback(report)
        }
    }

    static func resume(_ continuation: UnsafeContinuation<Outcome, any Error>, with report: DeliveryReport) {
        if let error = report.error { continuation.resume(throwing: error) } else { continuation.resume(returning: .report(report)) }
    }
}
