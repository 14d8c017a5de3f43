import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

@Suite("Consumer group under churn", .serialized, .timeLimit(.minutes(3 * TestEnvironment.slowdown)))
struct ChurnTests {
    /// What every member processed, shared across members.
    final class Ledger: Sendable {
        private let counts = Locked<[String: Int]>([:])
        func record(_ message: KafkaMessage) { counts.withLock { $0["\(message.partition):\(message.offset)", default: 0] += 1 } }
        var unique: Int { counts.withLock { $0.count } }
        var total: Int { counts.withLock { $0.values.reduce(0, +) } }
    }

    @Test("4 consumers join and leave while 100,000 messages flow: every message processed, duplicates only after refused commits",
          arguments: TestEnvironment.all)
    func churn(broker: TestBroker) async throws {
        let topic = uniqueTopic("churn")
        let group = uniqueTopic("churn-group")
        let count = 100_000
        let ledger = Ledger()
        let events = LogLines()
        var config = groupConfig(broker, group: group)
        config.enableAutoCommit = false

        // The uncommitted window of a member: what it processed since its last commit, plus the
        // batch it holds.
        let batch = 500
        let commitEvery = 500
        /// A member that commits in its revoke hook and every `commitEvery` messages.
        func member(_ name: String) throws -> (KafkaConsumer, Task<Void, Error>) {
            let holder = ConsumerHolder()
            let consumer = try KafkaConsumer(configuration: config, options: .init(maxBatchSize: batch, logHandler: KafkaLog.none, rebalanceHandler: { event in
                events.append("\(name) \(event)")
                if case .revoked = event {
                    do { try await holder.consumer?.commit() } catch { events.append("\(name) revoke commit refused: \(error)") }
                }
            }))
            holder.consumer = consumer
            try consumer.subscribe(topics: [topic])
            let loop = Task {
                var processed = 0
                for try await message in consumer.messages {
                    ledger.record(message)
                    processed += 1
                    if processed % commitEvery == 0 {
                        consumer.commitAsync { error in if let error { events.append("\(name) async commit refused: \(error)") } }
                    }
                }
            }
            return (consumer, loop)
        }
        func leave(_ member: (KafkaConsumer, Task<Void, Error>)) async throws {
            try await member.0.close()
            try? await member.1.value
        }

        // The producer paces 100,000 messages over about 8 s while members come and go.
        let producing = Task {
            let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
            for start in stride(from: 0, to: count, by: 2_500) {
                for i in start..<(start + 2_500) { try await producer.produce(KafkaProducerMessage(topic: topic, key: KafkaPayload("\(i % 64)"), value: KafkaPayload("\(i)"))) }
                try await Task.sleep(for: .milliseconds(200))
            }
            return await producer.shutdown()
        }
        let a = try member("a")
        let b = try member("b")
        try await Task.sleep(for: .seconds(1.5))
        let c = try member("c")
        try await Task.sleep(for: .seconds(1.5))
        try await leave(a)
        try await Task.sleep(for: .seconds(1))
        let d = try member("d")
        try await Task.sleep(for: .seconds(1.5))
        try await leave(b)
        try await Task.sleep(for: .seconds(1.5))
        let a2 = try member("a2")
        #expect(try await producing.value.isEmpty)

        let deadline = ContinuousClock.now + .seconds(90 * TestEnvironment.slowdown)
        while ledger.unique < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        for remaining in [c, d, a2] { try await leave(remaining) }

        let duplicates = ledger.total - ledger.unique
        let refused = events.lines.filter { $0.contains("revoke commit refused") }.count
        // A refused commitAsync (the test brokers refuse commits while the group rebalances)
        // leaves its commitEvery messages uncommitted until the member's next commit lands.
        let asyncRefused = events.lines.filter { $0.contains("async commit refused") }.count
        let rebalances = events.lines.filter { $0.contains("revoked") || $0.contains("assigned") }.count
        let lost = events.lines.filter { $0.contains(" lost(") }.count
        print("churn (\(broker.kind)): produced \(count), processed \(ledger.total), unique \(ledger.unique), duplicates \(duplicates), rebalance events \(rebalances), revoke commits refused \(refused), async commits refused \(asyncRefused), partitions lost \(lost)")
        // The rebalance history goes with a failure: a stall shows which member held what.
        #expect(ledger.unique == count, "every message processed at least once; events: \(events.lines)")
        // A duplicate needs an uncommitted window: a commit the broker refused during the rebalance
        // (the test brokers refuse those), partitions lost, or a commitAsync still in flight (one
        // per member). Each window is at most one member's uncommitted messages plus its batch.
        #expect(duplicates <= (refused + lost + 5) * (batch + commitEvery) + asyncRefused * commitEvery,
                "duplicates \(duplicates) exceed the uncommitted windows (\(refused) refused, \(asyncRefused) async refused, \(lost) lost): \(events.lines)")
    }
}
