import Dispatch

/// A continuation resumed once, by the first of several racing events (an outcome, a timer, a
/// cancellation); later ones are ignored. An event that comes before the continuation is
/// installed is kept and resumes it at once.
final class FirstOf<Value: Sendable>: Sendable {
    private struct State {
        var continuation: UnsafeContinuation<Value, Never>?
        var early: Value?
        var resolved = false
    }
    private let state = Locked(State())

    func install(_ continuation: UnsafeContinuation<Value, Never>) {
        let early: Value? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resolve(_ value: Value) {
        let continuation: UnsafeContinuation<Value, Never>? = state.withLock { state in
            guard !state.resolved else { return nil }
            state.resolved = true
            guard let continuation = state.continuation else {
                state.early = value
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}

/// How a close that runs on an SDK thread ended for the task awaiting it.
enum CloseOutcome: Sendable {
    case closed(KafkaError?)
    case timedOut
    case cancelled

    /// Starts a close with `start` (which reports its end once) and waits for the first of: that
    /// end, `timeout`, the awaiting task's cancellation. The close goes on after the other two.
    static func race(timeout: Duration, _ start: @escaping @Sendable (@escaping @Sendable (KafkaError?) -> Void) -> Void) async -> CloseOutcome {
        let first = FirstOf<CloseOutcome>()
        // Started before the await, not inside the continuation's closure: a close that ended
        // while that closure still ran resumed the task before it had suspended, which
        // ThreadSanitizer reported as a race on the task's frame. An end that comes first is
        // kept by `first` and resumes the task at install.
        start { first.resolve(.closed($0)) }
        let wait = DispatchTimeInterval.milliseconds(Int(timeout.clampedMilliseconds))
        DispatchQueue.global().asyncAfter(deadline: .now() + wait) { first.resolve(.timedOut) }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { first.install($0) }
        } onCancel: {
            first.resolve(.cancelled)
        }
    }
}
