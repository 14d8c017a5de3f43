import Foundation
import RdKafka

/// Helpers for tests of code that uses the SDK.
public enum KafkaTestSupport {
    /// A topic name no other test run uses: `prefix-<random>`.
    public static func uniqueTopicName(_ prefix: String = "test") -> String {
        "\(prefix)-\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }

    /// A group id no other test run uses.
    public static func uniqueGroupID(_ prefix: String = "group") -> String { uniqueTopicName(prefix) }

    /// Collects `count` messages from `consumer`, failing after `timeout`.
    ///
    /// - Throws: ``KafkaTestTimeout`` with the messages collected so far.
    public static func collect(_ count: Int, from consumer: KafkaConsumer, timeout: Duration = .seconds(30)) async throws -> [KafkaMessage] {
        var collected: [KafkaMessage] = []
        let deadline = ContinuousClock.Instant.after(timeout)
        while collected.count < count {
            let left = deadline - ContinuousClock.now
            if left <= .zero { throw KafkaTestTimeout(what: "\(count) messages", got: collected.count) }
            let batch = try await consumer.poll(maxMessages: count - collected.count, timeout: min(left, .milliseconds(500)))
            collected += batch
        }
        return collected
    }

    /// Polls `consumer` until the group has given it at least one partition (or `partitions`
    /// of them), failing after `timeout`. Messages polled meanwhile are returned.
    @discardableResult
    public static func waitForAssignment(_ consumer: KafkaConsumer, partitions: Int = 1, timeout: Duration = .seconds(30)) async throws -> [KafkaMessage] {
        let deadline = ContinuousClock.Instant.after(timeout)
        var polled: [KafkaMessage] = []
        while try consumer.assignment.count < partitions {
            if ContinuousClock.now >= deadline { throw KafkaTestTimeout(what: "an assignment of \(partitions) partitions", got: try consumer.assignment.count) }
            polled += try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(200))
        }
        return polled
    }
}

/// A test helper gave up waiting.
public struct KafkaTestTimeout: Error, CustomStringConvertible {
    public var what: String
    public var got: Int
    public var description: String { "timed out waiting for \(what) (got \(got))" }

    public init(what: String, got: Int) {
        self.what = what
        self.got = got
    }
}
