import Dispatch
import Foundation
import Synchronization
import RdKafka
import RdKafkaTesting
import Testing

/// An `await` that ignores cancellation for `duration` (a slow commit to an external store).
func uncancellableWait(_ duration: Duration) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(duration.components.seconds * 1000))) {
            continuation.resume()
        }
    }
}

/// Runs `body` in a task, cancels it after `after`, and returns what it threw and how long the
/// task took from the cancel on.
func cancelled<T: Sendable>(after: Duration, _ body: @escaping @Sendable () async throws -> T) async -> (error: (any Error)?, afterCancel: Duration) {
    let task = Task { try await body() }
    try? await Task.sleep(for: after)
    let start = ContinuousClock.now
    task.cancel()
    let result = await task.result
    let elapsed = ContinuousClock.now - start
    if case .failure(let error) = result { return (error, elapsed) }
    return (nil, elapsed)
}

@Suite("Core under cancellation, deadlines and sharing", .serialized, .timeLimit(.minutes(3)))
struct CancellationTests {
    @Test("close(timeout:) returns by its timeout while a revoke hook takes far longer, naming the hook", arguments: [TestEnvironment.mock].compactMap { $0 })
    func closeHoldsTimeoutWithSlowHook(broker: TestBroker) async throws {
        let topic = uniqueTopic("slow-hook")
        try await fill(broker, topic: topic, count: 10)
        let revoking = Atomic<Bool>(false)
        let consumer = try KafkaConsumer(configuration: groupConfig(broker, group: uniqueTopic("g")), options: .init(
            logHandler: KafkaLog.none,
            rebalanceHandler: { event in
                guard case .revoked = event else { return }
                revoking.store(true, ordering: .relaxed)
                await uncancellableWait(.seconds(8))
            }))
        try consumer.subscribe(topics: [topic])
        _ = try await KafkaTestSupport.collect(10, from: consumer)
        let start = ContinuousClock.now
        do {
            try await consumer.close(timeout: .seconds(2))
            Issue.record("close returned without error while the hook still ran")
        } catch {
            #expect(error.code == .timedOut)
            #expect(error.message.contains("rebalance hook"), "\(error)")
        }
        let took = ContinuousClock.now - start
        #expect(took < .seconds(3), "close took \(took)")
        let hookRan = revoking.load(ordering: .relaxed)
        #expect(hookRan)
    }

    @Test("a cancelled close returns at once; the close goes on in the background")
    func cancelledCloseReturns() async throws {
        let consumer = try KafkaConsumer(configuration: groupConfig(try #require(TestEnvironment.all.first), group: uniqueTopic("g")),
            options: .init(logHandler: KafkaLog.none))
        try consumer.subscribe(topics: [uniqueTopic("never")])
        let outcome = await cancelled(after: .zero) { try await consumer.close(timeout: .seconds(60)) }
        #expect(outcome.afterCancel < .milliseconds(500))
    }

    @Test("headers of the same messages read from 8 tasks at once agree (no race in librdkafka's header cache)", arguments: TestEnvironment.all)
    func headersFromManyTasks(broker: TestBroker) async throws {
        let topic = uniqueTopic("headers")
        let producer = try KafkaProducer(configuration: broker.configuration())
        for i in 0..<200 {
            _ = try await producer.produce(KafkaProducerMessage(topic: topic, partition: 0, value: "v\(i)",
                headers: [KafkaHeader(name: "n", value: "\(i)"), KafkaHeader(name: "m", value: "x\(i)")]))
        }
        #expect(await producer.shutdown().isEmpty)
        let consumer = try KafkaConsumer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
        let messages = try await KafkaTestSupport.collect(200, from: consumer)
        let seen = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { messages.map { $0.headers.map { "\($0.name)=\($0.stringValue ?? "")" }.joined(separator: ",") } }
            }
            var all: [[String]] = []
            for await one in group { all.append(one) }
            return all
        }
        let expected = (0..<200).map { "n=\($0),m=x\($0)" }
        for one in seen { #expect(one == expected) }
        try await consumer.close()
    }

    @Test("durations from users never crash: huge and negative timeouts saturate or mean 'do not wait'")
    func durationsSaturate() async throws {
        var options = KafkaProducer.Options(queueFullTimeout: .seconds(Int64.max), logHandler: KafkaLog.none)
        options.deinitFlushTimeout = .seconds(-5)
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: options)
        try await producer.flush(timeout: .seconds(Int64.max))  // nothing queued: returns at once
        _ = try await producer.produce(KafkaProducerMessage(topic: "t", value: "x"))
        let start = ContinuousClock.now
        await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(-1)) }
        await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .nanoseconds(Int64.min)) }
        #expect(ContinuousClock.now - start < .seconds(1))
        let left = await producer.shutdown(timeout: .seconds(Int64.min))
        #expect(left.count == 1)
        let admin = try KafkaAdmin(configuration: unreachableConfiguration(), logHandler: KafkaLog.none)
        await #expect(throws: KafkaError.self) { _ = try await admin.metadata(timeout: .seconds(-1)) }
        let consumer = try KafkaConsumer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        #expect(try await consumer.poll(timeout: .seconds(-3)).isEmpty)
        try await consumer.close(timeout: .seconds(Int64.max))
    }

    @Test("an awaited send cancelled while librdkafka holds the message returns at once; the message is handed back later")
    func cancelledSend() async throws {
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        let outcome = await cancelled(after: .milliseconds(100)) {
            try await producer.send(KafkaProducerMessage(topic: "t", value: "cancelled"))
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        #expect(outcome.afterCancel < .milliseconds(100))
        let left = await producer.shutdown(timeout: .milliseconds(100))
        #expect(left.map { $0.value.map { String(decoding: $0.bytes, as: UTF8.self) } } == ["cancelled"])
    }

    @Test("a task waiting for room in a full queue returns at once when cancelled", arguments: ["produce", "send", "callback"])
    func cancelledWaitForRoom(kind: String) async throws {
        var config = unreachableConfiguration()
        config["queue.buffering.max.messages"] = "1"
        let producer = try KafkaProducer(configuration: config, options: .init(queueFullTimeout: .seconds(60), logHandler: KafkaLog.none))
        _ = try await producer.produce(KafkaProducerMessage(topic: "t", value: "fills the queue"))
        let outcome = await cancelled(after: .milliseconds(200)) {
            let message = KafkaProducerMessage(topic: "t", value: "waits")
            switch kind {
            case "produce": _ = try await producer.produce(message)
            case "send": _ = try await producer.send(message)
            default: try await producer.send(message) { _ in }
            }
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        #expect(outcome.afterCancel < .milliseconds(100))
        #expect(await producer.shutdown(timeout: .zero).count == 1)
    }

    @Test("a report stream iteration ends at once when its task is cancelled")
    func cancelledReportIteration() async throws {
        let producer = try KafkaProducer(configuration: unreachableConfiguration(),
            options: .init(deliveryReportBufferSize: 10, logHandler: KafkaLog.none))
        let reports = try #require(producer.deliveryReports)
        let outcome = await cancelled(after: .milliseconds(100)) { () async throws -> Int in
            var count = 0
            for await _ in reports { count += 1 }
            return count
        }
        #expect(outcome.error == nil)
        #expect(outcome.afterCancel < .milliseconds(100))
        _ = await producer.shutdown(timeout: .zero)
    }

    @Test("two iterators of deliveryReports share the reports: each exactly once, neither hangs", arguments: [TestEnvironment.mock].compactMap { $0 })
    func twoReportIterators(broker: TestBroker) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(deliveryReportBufferSize: 100))
        let reports = try #require(producer.deliveryReports)
        let readers = (0..<2).map { _ in
            Task { () -> [UInt64] in
                var ids: [UInt64] = []
                for await report in reports { ids.append(report.messageID) }
                return ids
            }
        }
        var sent: [UInt64] = []
        let topic = uniqueTopic("reports")
        for i in 0..<2_000 { sent.append(try await producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)"))) }
        #expect(await producer.shutdown(timeout: .seconds(30)).isEmpty)
        var received: [UInt64] = []
        for reader in readers { received += await reader.value }
        #expect(received.count == sent.count)
        #expect(Set(received) == Set(sent))
    }

    @Test("a consumer dropped inside a task returns at once while its revoke hook is slow", arguments: [TestEnvironment.mock].compactMap { $0 })
    func droppedConsumerDoesNotBlock(broker: TestBroker) async throws {
        let topic = uniqueTopic("drop")
        try await fill(broker, topic: topic, count: 5)
        let hookDone = Atomic<Bool>(false)
        var dropped = ContinuousClock.now
        do {
            let consumer = try KafkaConsumer(configuration: groupConfig(broker, group: uniqueTopic("g")), options: .init(
                logHandler: KafkaLog.none,
                rebalanceHandler: { event in
                    guard case .revoked = event else { return }
                    await uncancellableWait(.seconds(2))
                    hookDone.store(true, ordering: .relaxed)
                }))
            try consumer.subscribe(topics: [topic])
            _ = try await KafkaTestSupport.collect(5, from: consumer)
            dropped = ContinuousClock.now
        }
        #expect(ContinuousClock.now - dropped < .milliseconds(500))
        let deadline = ContinuousClock.now + .seconds(20)
        while !hookDone.load(ordering: .relaxed), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let ran = hookDone.load(ordering: .relaxed)
        #expect(ran, "the close in the background ran the revoke hook")
    }

    @Test("a producer whose last reference a delivery callback drops shuts down on another thread, not deadlocked on its own", arguments: [TestEnvironment.mock].compactMap { $0 })
    func producerReleasedInsideCallback(broker: TestBroker) async throws {
        var producer: KafkaProducer? = try KafkaProducer(configuration: broker.configuration(), options: .init(deliveryReportBufferSize: 10))
        let reports = try #require(producer?.deliveryReports)
        let captured = try #require(producer)
        let topic = uniqueTopic("release")
        try await captured.send(KafkaProducerMessage(topic: topic, value: "x")) { _ in _ = captured.name }
        producer = nil
        _ = consume captured  // the callback now holds the last reference
        // The stream ends once the producer's shutdown has stopped its delivery thread.
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in reports {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(ended, "the producer's shutdown never finished")
    }

    @Test("shutdown returns by its timeout when nobody reads the full report stream", arguments: [TestEnvironment.mock].compactMap { $0 })
    func shutdownWithUnreadStream(broker: TestBroker) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(deliveryReportBufferSize: 1))
        let topic = uniqueTopic("unread")
        for i in 0..<200 { _ = try await producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)")) }
        let start = ContinuousClock.now
        let left = await producer.shutdown(timeout: .seconds(5))
        #expect(ContinuousClock.now - start < .seconds(7))
        #expect(left.isEmpty)
    }

    @Test("clients released inside a task are destroyed on another thread: rd_kafka_destroy joins librdkafka's threads, and can hang there")
    func destroyedOffTheTask() async throws {
        // librdkafka logs "Terminating instance" (debug=generic) on the thread that destroys the client.
        let destroyedOnTask = Mutex<[Bool]>([])
        let options = KafkaProducer.Options(logHandler: { line in
            guard line.facility == "DESTROY", line.message.contains("Terminating instance") else { return }
            destroyedOnTask.withLock { $0.append(withUnsafeCurrentTask { $0 != nil }) }
        })
        do {
            let cluster = try MockCluster(brokers: 1)
            var config = KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers])
            config.debugContexts = ["generic"]
            let producer = try KafkaProducer(configuration: config, options: options)
            _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("destroy"), value: "x"))
            _ = await producer.shutdown()  // the producer is released below, in this task
            let admin = try KafkaAdmin(configuration: config, logHandler: options.logHandler)
            _ = try await admin.metadata()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while destroyedOnTask.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(destroyedOnTask.withLock { $0 } == [false, false])
    }

    @Test("a producer dropped inside a task flushes on an SDK thread that exit waits for")
    func droppedProducerFlushIsWaitedForAtExit() async throws {
        // Earlier tests' destroys drain first, so that the count below is this producer's.
        let drained = ContinuousClock.now + .seconds(30)
        while NativeThread.detachedUnderWay > 0, ContinuousClock.now < drained { try await Task.sleep(for: .milliseconds(20)) }
        do {
            // Nothing listens there: the message stays queued, and the flush waits its timeout.
            let config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
            let producer = try KafkaProducer(configuration: config, options: .init(deinitFlushTimeout: .seconds(2), logHandler: { _ in }))
            try await producer.produce(KafkaProducerMessage(topic: uniqueTopic("exit-wait"), value: "x"))
        }
        #expect(NativeThread.detachedUnderWay > 0, "a program returning from main now would exit under the flush")
        let deadline = ContinuousClock.now + .seconds(20)
        while NativeThread.detachedUnderWay > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(NativeThread.detachedUnderWay == 0, "the flush did not end by its timeout")
    }
}
