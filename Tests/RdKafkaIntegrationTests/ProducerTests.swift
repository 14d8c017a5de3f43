import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

/// Sum of high watermarks over a topic's partitions: how many messages the broker holds.
func messageCount(_ broker: TestBroker, topic: String, partitions: Int32) async throws -> Int64 {
    let consumer = try KafkaConsumer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
    var total: Int64 = 0
    for p in 0..<partitions {
        total += try await consumer.watermarkOffsets(for: TopicPartition(topic, p)).high
    }
    try await consumer.close()
    return total
}

/// A configuration pointing at a port nobody listens on: messages stay queued.
func unreachableConfiguration() -> KafkaConfiguration {
    var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
    config.messageTimeout = .seconds(600)
    return config
}

@Suite("Producer: flush, purge, shutdown, backpressure, transactions", .serialized, .timeLimit(.minutes(3)))
struct ProducerTests {
    @Test("purge returns exactly the messages it removed")
    func purgeReturnsRemoved() async throws {
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        for i in 0..<500 { try await producer.produce(KafkaProducerMessage(topic: "t", key: "k\(i)", value: "v\(i)", headers: [KafkaHeader(name: "n", value: "\(i)")])) }
        #expect(producer.outstandingMessageCount >= 500)  // also counts pending client events
        let purged = await producer.purge()
        #expect(purged.count == 500)
        #expect(Set(purged.compactMap { $0.value.map { String(decoding: $0.bytes, as: UTF8.self) } }) == Set((0..<500).map { "v\($0)" }))
        #expect(purged.first?.headers.first?.name == "n")
        #expect(producer.outstandingMessageCount < 500)
        #expect(producer.takeUndelivered().isEmpty)  // handed out by purge, not twice
        _ = await producer.shutdown()
    }

    @Test("an awaited send that is purged throws _PURGE_QUEUE")
    func purgedSendThrows() async throws {
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        async let outcome: DeliveryReport = producer.send(KafkaProducerMessage(topic: "t", value: "x"))
        // outstandingMessageCount also counts client events (the refused connection), so it can
        // turn positive before the send has enqueued: purge until the message is caught.
        var purged: [KafkaProducerMessage] = []
        while purged.isEmpty {
            try await Task.sleep(for: .milliseconds(5))
            purged = await producer.purge()
        }
        #expect(purged.count == 1)
        do {
            _ = try await outcome
            Issue.record("expected a purge error")
        } catch let error as KafkaError {
            #expect(error.code == .purgeQueue)
        } catch {
            Issue.record("unexpected \(error)")
        }
        _ = await producer.shutdown()
    }

    @Test("shutdown with 100,000 messages queued delivers all of them", arguments: TestEnvironment.all.filter { $0.kind != .noida })
    func shutdownLosesNothing(broker: TestBroker) async throws {
        let topic = uniqueTopic("shutdown")
        let producer = try KafkaProducer(configuration: broker.configuration())
        let payload = KafkaPayload([UInt8](repeating: 7, count: 20))
        for _ in 0..<100_000 { try await producer.produce(KafkaProducerMessage(topic: topic, value: payload)) }
        let left = await producer.shutdown(timeout: .seconds(60))
        #expect(left.isEmpty)
        #expect(producer.failedDeliveryCount == 0)
        #expect(try await messageCount(broker, topic: topic, partitions: broker.autoCreatedPartitions) == 100_000)
    }

    @Test("shutdown hands back every message it could not deliver")
    func shutdownHandsBackUndelivered() async throws {
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        for i in 0..<100_000 { try await producer.produce(KafkaProducerMessage(topic: "t", value: "\(i)")) }
        let left = await producer.shutdown(timeout: .milliseconds(300))
        #expect(left.count == 100_000)
        #expect(Set(left.map { String(decoding: $0.value?.bytes ?? [], as: UTF8.self) }).count == 100_000)
        #expect(throws: KafkaError.self) { try producer.produce(KafkaProducerMessage(topic: "t", value: "late")) }
    }

    @Test("a producer dropped without shutdown still delivers what it queued (deinit flushes)", arguments: TestEnvironment.all.filter { $0.kind != .noida })
    func deinitFlushes(broker: TestBroker) async throws {
        let topic = uniqueTopic("deinit")
        do {
            let producer = try KafkaProducer(configuration: broker.configuration())
            for i in 0..<1_000 { try await producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)")) }
        }
        // Dropped inside a task, the producer flushes on an SDK thread: the drop does not wait.
        let deadline = ContinuousClock.now + .seconds(15)
        var count = try await messageCount(broker, topic: topic, partitions: broker.autoCreatedPartitions)
        while count < 1_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            count = try await messageCount(broker, topic: topic, partitions: broker.autoCreatedPartitions)
        }
        #expect(count == 1_000)
    }

    @Test("a producer dropped inside a task returns at once; an SDK thread flushes, then logs how many messages it discarded")
    func deinitReportsDiscarded() async throws {
        let logs = LogLines()
        var dropped = ContinuousClock.now
        do {
            var options = KafkaProducer.Options(deinitFlushTimeout: .seconds(2), logHandler: logs.handler)
            options.failFastOnSecurityErrors = true
            let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: options)
            for i in 0..<10 { try await producer.produce(KafkaProducerMessage(topic: "t", value: "\(i)")) }
            dropped = ContinuousClock.now
        }
        // The flush (2 s against a dead broker) is not the releasing task's to wait for.
        #expect(ContinuousClock.now - dropped < .milliseconds(500))
        let deadline = ContinuousClock.now + .seconds(15)
        while !logs.text.contains("10 messages were not delivered"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(logs.text.contains("10 messages were not delivered"))
    }

    @Test("queue-full backpressure: 1,000,000 sends through a 1,000-message queue lose none", arguments: TestEnvironment.all.filter { $0.kind != .noida })
    func backpressureLosesNothing(broker: TestBroker) async throws {
        let topic = uniqueTopic("backpressure")
        var config = broker.configuration()
        config.queueBufferingMaxMessages = 1_000
        let producer = try KafkaProducer(configuration: config, options: .init(deliveryReportBufferSize: 50_000))
        let count = 1_000_000
        let reports = Task {
            var delivered = 0, failed = 0
            for await report in producer.deliveryReports! {
                if report.error == nil { delivered += 1 } else { failed += 1 }
                if delivered + failed == count { break }
            }
            return (delivered, failed)
        }
        let payload = KafkaPayload([UInt8](repeating: 1, count: 10))
        for _ in 0..<count { try await producer.produce(KafkaProducerMessage(topic: topic, value: payload)) }
        let (delivered, failed) = await reports.value
        #expect(delivered == count)
        #expect(failed == 0)
        #expect(await producer.shutdown().isEmpty)
    }

    @Test("awaited sends wait for room instead of failing when the queue is full", arguments: TestEnvironment.all.filter { $0.kind != .noida })
    func awaitedSendsWaitForRoom(broker: TestBroker) async throws {
        let topic = uniqueTopic("room")
        var config = broker.configuration()
        config.queueBufferingMaxMessages = 10
        let producer = try KafkaProducer(configuration: config)
        let offsets = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<2_000 { group.addTask { try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)")).offset ?? -1 } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(offsets) == Set(0..<2_000))
        _ = await producer.shutdown()
    }

    @Test("a full queue that never drains fails the send after queueFullTimeout")
    func queueFullTimesOut() async throws {
        var config = unreachableConfiguration()
        config.queueBufferingMaxMessages = 5
        let producer = try KafkaProducer(configuration: config, options: .init(queueFullTimeout: .milliseconds(300), logHandler: KafkaLog.none))
        for _ in 0..<5 { try await producer.produce(KafkaProducerMessage(topic: "t", value: "x")) }
        let start = ContinuousClock.now
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: "t", value: "y")) }
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        #expect(await producer.shutdown(timeout: .milliseconds(100)).count == 5)
    }

    @Test("per-message errors come back typed: too large, unknown partition, empty topic", arguments: TestEnvironment.all)
    func perMessageErrors(broker: TestBroker) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
        let topic = uniqueTopic("errors")
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "create"))
        let huge = KafkaPayload([UInt8](repeating: 0, count: 2_000_000))
        do {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, value: huge))
            Issue.record("a 2 MB message should be refused")
        } catch let error as KafkaError {
            #expect(error.code == .messageSizeTooLarge)
            #expect(error.fix?.contains("message.max.bytes") == true)
        }
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 99, value: "x")) }
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: "", value: "x")) }
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: -3, value: "x")) }
        _ = await producer.shutdown()
    }

    @Test("shutdown racing four producing threads: every message it accepted is handed back, none after")
    func shutdownRacingProducersLosesNothing() async throws {
        // Nothing is delivered (no broker), so shutdown hands back everything that got in. A
        // message that got in after shutdown had looked would be missing from what it returns.
        for round in 0..<10 {
            var config = unreachableConfiguration()
            config.queueBufferingMaxMessages = 1_000_000
            let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none))
            let accepted = Locked<Set<String>>([])
            let started = Atomic<Int>(0)
            let threads = DispatchGroup()
            for t in 0..<4 {
                threads.enter()
                Thread.detachNewThread {
                    defer { threads.leave() }
                    var mine: Set<String> = []
                    for i in 0..<200_000 {
                        let value = "\(round)-\(t)-\(i)"
                        do throws(KafkaError) {
                            try producer.produce(KafkaProducerMessage(topic: "t", value: KafkaPayload(value)))
                        } catch {
                            #expect(error.code == .destroy, "\(error)")
                            break
                        }
                        mine.insert(value)
                        if i == 100 { started.add(1, ordering: .relaxed) }
                    }
                    accepted.withLock { $0.formUnion(mine) }
                }
            }
            while started.load(ordering: .relaxed) < 4 { try await Task.sleep(for: .milliseconds(1)) }
            let left = await producer.shutdown(timeout: .zero)
            await withCheckedContinuation { done in threads.notify(queue: .global()) { done.resume() } }
            let handedBack = Set(left.map { String(decoding: $0.value?.bytes ?? [], as: UTF8.self) })
            let got = accepted.withLock { $0 }
            #expect(left.count == handedBack.count, "round \(round): a message handed back twice")
            #expect(got.count > 400, "round \(round): the threads produced \(got.count) messages")
            #expect(got.subtracting(handedBack).isEmpty, "round \(round): \(got.subtracting(handedBack).count) accepted messages lost")
            #expect(handedBack.subtracting(got).isEmpty, "round \(round): handed back messages no thread produced")
        }
    }

    @Test("message ids stay unique across producing threads and across producers used in turn")
    func idsUniqueAcrossThreads() async throws {
        let a = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        let b = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none))
        let ids = Locked<(a: [UInt64], b: [UInt64])>(([], []))
        let threads = DispatchGroup()
        for _ in 0..<4 {
            threads.enter()
            Thread.detachNewThread {
                defer { threads.leave() }
                var mineA: [UInt64] = [], mineB: [UInt64] = []
                for i in 0..<3_000 {
                    // Alternating producers on one thread, in runs, so id blocks change hands.
                    let message = KafkaProducerMessage(topic: "t", value: "x")
                    if (i / 700) % 2 == 0 {
                        if let id = try? a.produce(message) { mineA.append(id) }
                    } else {
                        if let id = try? b.produce(message) { mineB.append(id) }
                    }
                }
                ids.withLock { $0.a += mineA; $0.b += mineB }
            }
        }
        await withCheckedContinuation { done in threads.notify(queue: .global()) { done.resume() } }
        let (idsA, idsB) = ids.withLock { $0 }
        #expect(idsA.count + idsB.count == 12_000)
        #expect(Set(idsA).count == idsA.count)
        #expect(Set(idsB).count == idsB.count)
        #expect(!idsA.contains(0) && !idsB.contains(0))
        _ = await a.shutdown(timeout: .milliseconds(10))
        _ = await b.shutdown(timeout: .milliseconds(10))
    }

    @Test("every call on a shut-down producer throws a typed 'closed' error")
    func callsAfterShutdown() async throws {
        let broker = try #require(TestEnvironment.all.first)
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(logHandler: KafkaLog.none))
        _ = await producer.shutdown()
        let message = KafkaProducerMessage(topic: uniqueTopic("closed"), value: "x")
        func expectClosed(_ error: KafkaError?, _ call: String) {
            #expect(error?.code == .destroy, "\(call): \(String(describing: error))")
            #expect(error?.fix == "create a new client", "\(call)")
        }
        expectClosed(#expect(throws: KafkaError.self) { try producer.produce(message) }, "produce")
        expectClosed(await #expect(throws: KafkaError.self) { _ = try await producer.send(message) }, "send")
        expectClosed(#expect(throws: KafkaError.self) { try producer.send(message) { _ in } }, "send(onDelivery:)")
        expectClosed(await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(1)) }, "flush")
        expectClosed(#expect(throws: KafkaError.self) { try producer.beginTransaction() }, "beginTransaction")
    }

    @Test("a producer whose handlers capture it is freed after shutdown (no retain cycle)")
    func handlerCapturingProducerIsFreed() async throws {
        let broker = try #require(TestEnvironment.all.first)
        final class Holder: @unchecked Sendable { var producer: KafkaProducer? }
        weak var freed: KafkaProducer?
        do {
            let holder = Holder()
            let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(
                logHandler: KafkaLog.none, errorHandler: { _ in _ = holder.producer }, deliveryHandler: { _ in _ = holder.producer }))
            holder.producer = producer
            freed = producer
            try await producer.produce(KafkaProducerMessage(topic: uniqueTopic("cycle"), value: "x"))
            #expect(await producer.shutdown().isEmpty)
        }
        #expect(freed == nil, "shutdown drops the handlers, so the cycle through them is broken")
    }

    @Test("admin requests with bad arguments throw or report typed errors", arguments: TestEnvironment.full)
    func adminBadArguments(broker: TestBroker) async throws {
        let admin = try KafkaAdmin(configuration: broker.configuration())
        await #expect(throws: KafkaError.self) { _ = try await admin.createTopics([NewTopic(name: "", partitions: 1, replicationFactor: 1)]) }
        await #expect(throws: KafkaError.self) { _ = try await admin.createTopics([NewTopic(name: uniqueTopic("bad"), partitions: -5, replicationFactor: 1)]) }
        await #expect(throws: KafkaError.self) { _ = try await admin.createTopics([]) }
        let missing = try await admin.deleteTopics([uniqueTopic("never-created")])
        #expect(missing.first?.error?.code == .unknownTopicOrPartition, "\(missing)")
    }

    @Test("an aborted transaction is invisible to a read_committed consumer", arguments: TestEnvironment.full)
    func transactions(broker: TestBroker) async throws {
        let topic = uniqueTopic("txn")
        var config = broker.configuration()
        config.transactionalID = uniqueTopic("txn-id")
        let producer = try KafkaProducer(configuration: config)
        try await producer.initTransactions()
        try producer.beginTransaction()
        for i in 0..<3 { _ = try await producer.produce(KafkaProducerMessage(topic: topic, partition: 0, value: "aborted-\(i)")) }
        try await producer.flush()
        try await producer.abortTransaction()
        try producer.beginTransaction()
        for i in 0..<2 { _ = try await producer.produce(KafkaProducerMessage(topic: topic, partition: 0, value: "committed-\(i)")) }
        try await producer.commitTransaction()
        _ = await producer.shutdown()

        var consumerConfig = broker.configuration()
        consumerConfig.isolationLevel = .readCommitted
        let consumer = try KafkaConsumer(configuration: consumerConfig)
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
        let messages = try await KafkaTestSupport.collect(2, from: consumer)
        #expect(messages.map { $0.valueString ?? "" } == ["committed-0", "committed-1"])
        let more = try await consumer.poll(maxMessages: 10, timeout: .seconds(2))
        #expect(more.isEmpty)
        try await consumer.close()
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    var text: String { lines.joined(separator: "\n") }
    var handler: KafkaLogHandler { { [self] in append($0.description) } }
}
