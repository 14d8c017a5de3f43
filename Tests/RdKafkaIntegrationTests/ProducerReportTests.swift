import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

@Suite("Producer: delivery reports of every send form", .serialized, .timeLimit(.minutes(3)))
struct ProducerReportTests {
    @Test("the callback form reports each message once", arguments: TestEnvironment.all)
    func callbackForm(broker: TestBroker) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration())
        let topic = uniqueTopic("callback")
        let seen = LogLines()
        for i in 0..<100 {
            try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)")) { report in
                seen.append("\(report.offset ?? -1):\(report.error == nil)")
            }
        }
        try await producer.flush()
        #expect(Set(seen.lines) == Set((0..<100).map { "\($0):true" }))
        _ = await producer.shutdown()
    }

    @Test("the delivery handler gets every report once, one call at a time, in offset order, while flush serves too", arguments: TestEnvironment.all.filter { $0.kind != .noida })
    func handlerServedByOneThreadAtATime(broker: TestBroker) async throws {
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        // Touched only inside the handler; `inside` would catch two callers at once.
        let seen = Locked<(count: Int, ids: Set<UInt64>, lastOffset: [Int32: Int64], outOfOrder: Int, untimed: Int)>(
            (0, [], [:], 0, 0))
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(deliveryHandler: { report in
            if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { overlaps.add(1, ordering: .relaxed) }
            // A slow handler (2 us), so that two threads serving at once would overlap in it.
            let until = ContinuousClock.now + .microseconds(2)
            while ContinuousClock.now < until {}
            seen.withLock { s in
                s.count += 1
                s.ids.insert(report.messageID)
                let offset = report.offset ?? -1
                if let last = s.lastOffset[report.partition], offset <= last { s.outOfOrder += 1 }
                s.lastOffset[report.partition] = offset
                // CreateTime, or LogAppendTime where the broker sets it (librdkafka's mock answers
                // every produce with LogAppendTime 1234 ms): never missing.
                if report.timestamp == nil { s.untimed += 1 }
            }
            inside.subtract(1, ordering: .sequentiallyConsistent)
        }))
        let topic = uniqueTopic("serial")
        // A second task flushes while this one produces (and serves reports every 1,024
        // messages): librdkafka serves reports inside rd_kafka_flush too.
        let flushing = Atomic<Bool>(true)
        let flusher = Task {
            for _ in 0..<25 { try? await producer.flush(timeout: .milliseconds(20)) }
            flushing.store(false, ordering: .relaxed)
        }
        var ids: Set<UInt64> = []
        var i = 0
        while i < 20_000 || (flushing.load(ordering: .relaxed) && i < 500_000) {
            await ids.insert(try producer.produce(KafkaProducerMessage(topic: topic, value: "\(i)")))
            i += 1
        }
        await flusher.value
        let n = ids.count
        try await producer.flush()
        let result = seen.withLock { $0 }
        #expect(result.count == n)
        #expect(result.ids == ids)
        #expect(overlaps.load(ordering: .relaxed) == 0, "the handler was called by two threads at once")
        #expect(result.outOfOrder == 0, "reports of one partition out of offset order")
        #expect(result.untimed == 0, "reports without a timestamp")
        _ = await producer.shutdown()
    }

    @Test("fire-and-forget reports name each message's topic when topics alternate, and carry latency only when measured", arguments: TestEnvironment.all)
    func reportsAcrossTopicsAndLatency(broker: TestBroker) async throws {
        let topics = (0..<3).map { uniqueTopic("alternate\($0)") }
        for measures in [false, true] {
            let seen = Locked<[UInt64: (topic: String, latency: Int64?, delivered: Bool)]>([:])
            let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(
                deliveryHandler: { report in seen.withLock { $0[report.messageID] = (report.topic, report.latencyMicroseconds, report.isDelivered) } },
                measuresLatency: measures))
            var sent: [UInt64: String] = [:]
            for i in 0..<300 {
                let topic = topics[i % topics.count]  // a new topic every message: the cache's slow path each time
                await sent[try producer.produce(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)"))] = topic
            }
            try await producer.flush()
            let reports = seen.withLock { $0 }
            #expect(reports.count == 300)
            #expect(reports.allSatisfy { id, report in report.delivered && sent[id] == report.topic })
            #expect(reports.values.allSatisfy { measures ? ($0.latency ?? -1) >= 0 : $0.latency == nil }, "measuresLatency \(measures)")
            let awaited = try await producer.send(KafkaProducerMessage(topic: topics[0], partition: 0, value: "awaited"))
            #expect((awaited.latencyMicroseconds ?? -1) >= 0, "an awaited send always carries its latency")
            _ = await producer.shutdown()
        }
    }

    @Test("fire-and-forget, callback and awaited reports interleaved each carry their own topic, id and latency", arguments: TestEnvironment.all)
    func interleavedReportKinds(broker: TestBroker) async throws {
        // The delivery thread refills one report for every kind: no field may leak from one
        // message's report into the next one's.
        let topics = (0..<2).map { uniqueTopic("kinds\($0)") }
        let handled = Locked<[UInt64: (topic: String, latency: Int64?)]>([:])
        let called = Locked<[String: (topic: String, id: UInt64, latency: Int64?, offset: Int64?)]>([:])
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(
            deliveryHandler: { report in handled.withLock { $0[report.messageID] = (report.topic, report.latencyMicroseconds) } }))
        var produced: [UInt64: String] = [:]
        var calledTopics: [String: String] = [:]
        for i in 0..<300 {
            let topic = topics[i % 2]
            let message = KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)")
            switch i % 3 {
            case 0:
                await produced[try producer.produce(message)] = topic
            case 1:
                calledTopics["\(i)"] = topic
                try await producer.send(message) { report in
                    called.withLock { $0["\(i)"] = (report.topic, report.messageID, report.latencyMicroseconds, report.offset) }
                }
            default:
                let report = try await producer.send(message)
                #expect(report.topic == topic && report.messageID == 0 && report.isDelivered)
                #expect((report.latencyMicroseconds ?? -1) >= 0, "an awaited send carries its latency")
            }
        }
        try await producer.flush()
        let fireAndForget = handled.withLock { $0 }
        #expect(fireAndForget.count == 100)
        #expect(fireAndForget.allSatisfy { id, report in produced[id] == report.topic && report.latency == nil })
        let callbacks = called.withLock { $0 }
        #expect(callbacks.count == 100)
        #expect(callbacks.allSatisfy { key, report in
            calledTopics[key] == report.topic && report.id == 0 && (report.latency ?? -1) >= 0 && (report.offset ?? -1) >= 0
        })
        _ = await producer.shutdown()
    }

    @Test("a slow reader of a small report stream gets every report once, in delivery order", arguments: [TestEnvironment.mock].compactMap { $0 })
    func slowStreamReaderKeepsOrder(broker: TestBroker) async throws {
        // A capacity that divides nothing the SDK batches by, and a reader that sleeps now and
        // then: the buffer is full, empty and in between while reports arrive.
        let producer = try KafkaProducer(configuration: broker.configuration(), options: .init(deliveryReportBufferSize: 7))
        let reports = try #require(producer.deliveryReports)
        let count = 5_000
        let reader = Task { () -> [UInt64] in
            var ids: [UInt64] = []
            for await report in reports {
                ids.append(report.messageID)
                if ids.count % 700 == 0 { try? await Task.sleep(for: .milliseconds(20)) }
                if ids.count == count { break }
            }
            return ids
        }
        let topic = uniqueTopic("ordered")
        var sent: [UInt64] = []
        for i in 0..<count { sent.append(try await producer.produce(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)"))) }
        let received = await reader.value
        // One partition: librdkafka reports in the order the messages were produced.
        #expect(received == sent)
        _ = await producer.shutdown()
    }
}
