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
