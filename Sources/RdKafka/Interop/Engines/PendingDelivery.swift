import Synchronization

/// One awaited send: passed to librdkafka as the message's opaque (retained once, released by
/// whoever serves its delivery report).
///
/// The send can be cancelled while librdkafka holds the message, so its continuation is
/// resumed exactly once, by whichever comes first: the report, an enqueue failure, or the
/// cancellation. `state` decides which; the continuation is published by `install`'s release
/// and read only after an acquiring exchange.
final class PendingDelivery: @unchecked Sendable {
    enum Outcome: Sendable {
        case report(DeliveryReport)
        /// librdkafka's queue was full: wait for room, then try again.
        case retry
    }
    typealias Continuation = UnsafeContinuation<Outcome, any Error>

    private var continuation: Continuation?
    private let state = Atomic<Int>(State.new)

    private enum State {
        static let new = 0, installed = 1, cancelled = 2, finished = 3
    }

    /// ``install(_:)`` the continuation before handing the message over.
    init() {}

    /// Keeps the continuation of an awaited send; `false` (after resuming it with
    /// `CancellationError`) when the task was cancelled first: do not enqueue.
    func install(_ continuation: Continuation) -> Bool {
        self.continuation = continuation
        if state.compareExchange(expected: State.new, desired: State.installed, ordering: .acquiringAndReleasing).exchanged {
            return true
        }
        continuation.resume(throwing: CancellationError())
        return false
    }

    /// The waiting task was cancelled: it resumes now with `CancellationError`; the message's
    /// report, when it comes, finds the send cancelled (see ``complete(_:)``).
    func cancel() {
        var expected = State.installed
        while true {
            let (exchanged, original) = state.compareExchange(expected: expected, desired: State.cancelled, ordering: .acquiringAndReleasing)
            if exchanged {
                // Not installed yet: install sees the flag and resumes.
                guard expected == State.installed, let continuation else { return }
                self.continuation = nil
                continuation.resume(throwing: CancellationError())
                return
            }
            // Installed (or not) meanwhile: try again from there; finished or cancelled: done.
            guard original == State.new || original == State.installed else { return }
            expected = original
        }
    }

    /// Ends an awaited send with `result`; `false` when it was cancelled first.
    @discardableResult
    func finish(_ result: consuming Result<Outcome, any Error>) -> Bool {
        guard state.compareExchange(expected: State.installed, desired: State.finished, ordering: .acquiringAndReleasing).exchanged,
              let continuation else { return false }
        self.continuation = nil
        continuation.resume(with: result)
        return true
    }

    /// Resumes the waiting task with `report`; `false` when the send was cancelled first (the
    /// report is then the producer's to pass on).
    /// Consuming: the report moves into the continuation (each copy retains its strings).
    func complete(_ report: consuming DeliveryReport) -> Bool {
        if let error = report.error { return finish(.failure(error)) }
        return finish(.success(.report(report)))
    }
}
