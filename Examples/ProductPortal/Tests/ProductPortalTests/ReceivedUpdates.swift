import ProductPortal
import Synchronization

/// Collects what subscribers receive, for a test to wait on.
final class ReceivedUpdates: Sendable {
    private let updates = Mutex<[ReceivedPriceUpdate]>([])

    func append(_ update: ReceivedPriceUpdate) { updates.withLock { $0.append(update) } }

    var all: [ReceivedPriceUpdate] { updates.withLock { $0 } }

    /// Waits until `done` holds for what was received, failing after `timeout`.
    @discardableResult
    func wait(timeout: Duration = .seconds(30), until done: ([ReceivedPriceUpdate]) -> Bool) async throws -> [ReceivedPriceUpdate] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let now = all
            if done(now) { return now }
            if ContinuousClock.now >= deadline { throw TestFailure("timed out after \(timeout); received \(now)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
