import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

@Suite("Send paths: where reports are served, what a refused send does", .serialized, .timeLimit(.minutes(2 * TestEnvironment.slowdown)))
struct SendPathTests {
    @Test("blocking callback sends serve reports on the sending thread now and then, one callback at a time, each once",
          arguments: [TestEnvironment.mock].compactMap { $0 })
    func blockingCallbackSendsServeInline(broker: TestBroker) async throws {
        // A small queue that fills long before its batch leaves (linger.ms): the sender meets it
        // full, where it serves while it waits, however fast this machine is. The linger is
        // longer than the sender's 100 ms poll while the queue is full: it must poll again, not
        // leave the reports to the delivery thread. Fast senders also serve every 1,024 sends.
        var config = broker.configuration()
        config.queueBufferingMaxMessages = 100
        config.linger = .milliseconds(150)
        let producer = try KafkaProducer(configuration: config)
        let topic = uniqueTopic("inline")
        // Sends until a callback has run on the sender.
        let limit = 10_000
        let sent = Atomic<Int>(0)
        // The sender by identity, not by name: under ThreadSanitizer, Foundation's
        // `Thread.current.name = ...` now and then leaves the name the thread inherited.
        // The thread lives to the end of the test, so that no other thread's object can take
        // its object's address.
        let sender = Locked<ObjectIdentifier?>(nil)
        let senderMayEnd = DispatchSemaphore(value: 0)
        defer { senderMayEnd.signal() }
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        let seen = Locked<(calls: [Int], onSender: Int)>((Array(repeating: 0, count: limit), 0))
        let failures = Locked<[String]>([])
        let done = DispatchGroup()
        done.enter()
        Thread.detachNewThread {
            defer {
                done.leave()
                senderMayEnd.wait()
            }
            sender.withLock { $0 = ObjectIdentifier(Thread.current) }
            for i in 0..<limit {
                if i % 100 == 0, i > 0, seen.withLock({ $0.onSender }) > 0 { break }
                sent.store(i + 1, ordering: .relaxed)
                do {
                    try blockingSend(producer, KafkaProducerMessage(topic: topic, value: KafkaPayload("\(i)"))) { report in
                        if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { overlaps.add(1, ordering: .relaxed) }
                        // A slow callback (2 us), so that two threads serving at once would overlap in it.
                        let until = ContinuousClock.now + .microseconds(2)
                        while ContinuousClock.now < until {}
                        let onSender = sender.withLock { $0 } == ObjectIdentifier(Thread.current)
                        seen.withLock {
                            $0.calls[i] += report.error == nil ? 1 : 1_000
                            if onSender { $0.onSender += 1 }
                        }
                        inside.subtract(1, ordering: .sequentiallyConsistent)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        await withCheckedContinuation { finished in done.notify(queue: .global()) { finished.resume() } }
        try await producer.flush()
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(overlaps.load(ordering: .relaxed) == 0)
        let count = sent.load(ordering: .relaxed)
        #expect(seen.withLock { $0.calls[..<count] }.allSatisfy { $0 == 1 }, "a report missing, failed or delivered twice")
        #expect(seen.withLock { $0.onSender } > 0, "no callback ran on the sending thread")
        _ = await producer.shutdown()
    }

    @Test("a callback send calls its closure once with the message's report, then lets go of what the closure holds; a refused send lets go without calling",
          arguments: [TestEnvironment.mock].compactMap { $0 })
    func callbackSendReleasesItsClosure(broker: TestBroker) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration())
        let topic = uniqueTopic("callback-release")
        let reports = Locked<[DeliveryReport]>([])
        weak var held: Held?
        do {
            let captured = Held()
            held = captured
            try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "x")) { report in
                withExtendedLifetime(captured) { reports.withLock { $0.append(report) } }
            }
        }
        try await producer.flush()
        for _ in 0..<500 where held != nil || reports.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        let delivered = reports.withLock { $0 }
        #expect(delivered.count == 1)
        #expect(delivered.first?.topic == topic)
        #expect(delivered.first?.partition == 0)
        #expect(delivered.first?.offset != nil && delivered.first?.error == nil)
        #expect(delivered.first?.latencyMicroseconds != nil, "callback sends carry their latency")
        #expect(held == nil, "the closure was kept after its report")

        _ = await producer.shutdown()
        do {
            let captured = Held()
            held = captured
            #expect(throws: KafkaError.self) {
                try blockingSend(producer, KafkaProducerMessage(topic: topic, value: "y")) { report in
                    withExtendedLifetime(captured) { reports.withLock { $0.append(report) } }
                }
            }
        }
        #expect(held == nil, "a refused send kept its closure")
        #expect(reports.withLock { $0.count } == 1, "a refused send called its closure")
    }

    @Test("with delivery.report.only.error on, awaited and callback sends throw naming it (they would wait forever for a report); produce still sends",
          arguments: [TestEnvironment.mock].compactMap { $0 })
    func onlyErrorReportsRefuseAwaitedSends(broker: TestBroker) async throws {
        var config = broker.configuration()
        config.set("delivery.report.only.error", "True")
        let producer = try KafkaProducer(configuration: config)
        let message = KafkaProducerMessage(topic: uniqueTopic("only-error"), value: "x")
        let called = Atomic<Int>(0)
        let onDelivery: @Sendable (DeliveryReport) -> Void = { _ in called.add(1, ordering: .relaxed) }
        for form in ["send", "callback", "async callback"] {
            do {
                switch form {
                case "send": _ = try await producer.send(message)
                case "callback": try blockingSend(producer, message, onDelivery: onDelivery)
                default: try await producer.send(message, onDelivery: onDelivery)
                }
                Issue.record("\(form) was accepted")
            } catch let error as KafkaError {
                #expect(error.property == "delivery.report.only.error", "\(form): \(error)")
                #expect(error.fix?.contains("produce(_:)") == true, "\(form): \(error)")
            }
        }
        _ = try await producer.produce(message)
        try await producer.flush(timeout: .seconds(10))
        #expect(called.load(ordering: .relaxed) == 0)
        _ = await producer.shutdown()
    }

    @Test("every form of send fails with _QUEUE_FULL after queueFullTimeout when the queue never drains, and calls no callback",
          arguments: ["produce", "async produce", "callback", "async callback"])
    func queueFullTimesOutInEveryForm(form: String) async throws {
        var config = unreachableConfiguration()
        config.queueBufferingMaxMessages = 5
        let producer = try KafkaProducer(configuration: config, options: .init(queueFullTimeout: .milliseconds(300), logHandler: KafkaLog.none))
        for _ in 0..<5 { try await producer.produce(KafkaProducerMessage(topic: "t", value: "x")) }
        let message = KafkaProducerMessage(topic: "t", value: "y")
        let calls = Atomic<Int>(0)
        weak var held: Held?
        let start = ContinuousClock.now
        do {
            let captured = Held()
            held = captured
            let onDelivery: @Sendable (DeliveryReport) -> Void = { _ in withExtendedLifetime(captured) { _ = calls.add(1, ordering: .relaxed) } }
            switch form {
            case "produce": try blockingProduce(producer, message)
            case "async produce": try await producer.produce(message)
            case "callback": try blockingSend(producer, message, onDelivery: onDelivery)
            default: try await producer.send(message, onDelivery: onDelivery)
            }
            Issue.record("\(form) was accepted by a full queue")
        } catch let error as KafkaError {
            #expect(error.code == .queueFull)
        }
        #expect(held == nil, "the refused send kept its callback")
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        #expect(await producer.shutdown(timeout: .milliseconds(100)).count == 5)
        #expect(calls.load(ordering: .relaxed) == 0)
    }
}

/// The blocking forms, which async code may not call directly.
private func blockingProduce(_ producer: KafkaProducer, _ message: KafkaProducerMessage) throws {
    try producer.produce(message)
}

private func blockingSend(
    _ producer: KafkaProducer, _ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (DeliveryReport) -> Void
) throws {
    try producer.send(message, onDelivery: onDelivery)
}

private final class Held: Sendable {}
