import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization
import Testing

final class StatsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ json: String) { lock.lock(); stored.append(json); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

@Suite("Observability: statistics, trace context, client errors", .serialized, .timeLimit(.minutes(2)))
struct ObservabilityTests {
    @Test("producer statistics decode from real librdkafka output", arguments: TestEnvironment.all)
    func producerStatistics(broker: TestBroker) async throws {
        let stats = StatsBox()
        var config = broker.configuration()
        config.statisticsInterval = .milliseconds(100)
        let producer = try KafkaProducer(configuration: config, options: .init(statisticsHandler: { stats.append($0) }))
        let topic = uniqueTopic("stats")
        for i in 0..<50 { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: "\(i)")) }
        let deadline = ContinuousClock.now + .seconds(10)
        var decoded: KafkaStatistics?
        while ContinuousClock.now < deadline {
            if let last = stats.all.last, let s = try? KafkaStatistics(json: last), (s.txMessages ?? 0) >= 50 { decoded = s; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let s = try #require(decoded, "no statistics with 50 sent messages")
        #expect(s.type == "producer")
        #expect(s.brokers.values.contains { $0.state == "UP" && ($0.rtt?.cnt ?? 0) >= 0 })
        #expect(s.topics[topic]?.partition(0)?.txMessages == 50)
        // Payloads are "0"..."49": 90 bytes.
        #expect((s.txMessageBytes ?? 0) >= 90, "txmsg_bytes \(String(describing: s.txMessageBytes))")
        #expect(s.brokers.values.contains { ["configured", "learned"].contains($0.source) && ($0.txBytes ?? 0) > 0 && $0.nodeName?.contains(":") == true },
                "\(s.brokers.values.map { "\($0.name) source=\($0.source ?? "nil") txbytes=\($0.txBytes ?? -1) nodename=\($0.nodeName ?? "nil")" })")
        _ = await producer.shutdown()
    }

    @Test("consumer statistics report the same lag as the consumer", arguments: TestEnvironment.all)
    func consumerLagMatches(broker: TestBroker) async throws {
        let topic = uniqueTopic("stats-lag")
        try await fill(broker, topic: topic, count: 20)
        let stats = StatsBox()
        var config = groupConfig(broker, group: uniqueTopic("stats-group"))
        config.statisticsInterval = .milliseconds(100)
        config.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: config, options: .init(eventHandler: { event in
            if case .statistics(let json) = event { stats.append(json) }
        }))
        try consumer.subscribe(topics: [topic])
        _ = try await KafkaTestSupport.collect(5, from: consumer)
        try await consumer.commit()
        let tp = TopicPartition(topic, 0)
        let expected = try await consumer.watermarkOffsets(for: tp).high - 5
        // Statistics are made on the poll thread: keep polling until one shows the commit.
        let deadline = ContinuousClock.now + .seconds(15)
        var lag: Int64?
        while ContinuousClock.now < deadline {
            _ = try await consumer.poll(maxMessages: 1, timeout: .milliseconds(100))
            if let last = stats.all.last, let s = try? KafkaStatistics(json: last),
               let p = s.topics[topic]?.partition(0), p.committedOffset == 5, p.consumerLag ?? -1 >= 0 {
                lag = p.consumerLag
                #expect(s.consumerGroup?.state == "up")
                break
            }
        }
        #expect(lag == expected, "statistics lag \(String(describing: lag)), expected \(expected)")
        try await consumer.close()
    }

    @Test("a trace context survives the trip through the broker", arguments: TestEnvironment.all)
    func traceContextRoundTrip(broker: TestBroker) async throws {
        let topic = uniqueTopic("trace")
        let producer = try KafkaProducer(configuration: broker.configuration())
        var message = KafkaProducerMessage(topic: topic, partition: 0, value: "traced")
        let context = TraceContext.random()
        message.traceContext = context
        _ = try await producer.send(message)
        _ = await producer.shutdown()
        let consumer = try KafkaConsumer(configuration: broker.configuration())
        try await consumer.assign([TopicPartition(topic, 0): .beginning])
        #expect(try await KafkaTestSupport.collect(1, from: consumer).first?.traceContext == context)
        try await consumer.close()
    }

    @Test("all brokers down arrives as a client error event within seconds")
    func allBrokersDown() async throws {
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        let deadline = ContinuousClock.now + .seconds(10)
        while !errors.all.contains(where: { $0.code == .allBrokersDown }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(errors.all.contains { $0.code == .allBrokersDown && $0.fix?.contains("bootstrap.servers") == true })
        _ = await producer.shutdown(timeout: .milliseconds(100))
    }

    @Test("a fatal error reaches the error handler and fails the next call with a clear KafkaError", arguments: TestEnvironment.all)
    func fatalErrorFailsNextCall(broker: TestBroker) async throws {
        var config = broker.configuration()
        config.enableIdempotence = true
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        let topic = uniqueTopic("fatal")
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "before"))
        try producer.injectFatalError(reason: "fenced by a newer instance (test)")
        let deadline = ContinuousClock.now + .seconds(10)
        while !errors.all.contains(where: \.isFatal), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(errors.all.contains { $0.isFatal && $0.message.contains("fenced by a newer instance") }, "\(errors.all)")

        let next = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "after"))
        }
        #expect(next?.isFatal == true, "\(String(describing: next))")
        #expect(next?.message.contains("fenced by a newer instance") == true, "\(String(describing: next))")
        _ = await producer.shutdown(timeout: .seconds(1))
    }

    @Test("a log handler receives librdkafka's lines at the levels chosen by debug contexts")
    func logLevels() async throws {
        let quiet = LogBox()
        let plain = try KafkaProducer(configuration: unreachableConfiguration(), options: .init(logHandler: quiet.handler))
        let chatty = LogBox()
        var config = unreachableConfiguration()
        config["debug"] = "broker,topic"
        let debugging = try KafkaProducer(configuration: config, options: .init(logHandler: chatty.handler))
        try await Task.sleep(for: .seconds(2))
        _ = await plain.shutdown(timeout: .milliseconds(100))
        _ = await debugging.shutdown(timeout: .milliseconds(100))
        #expect(!quiet.lines.contains { $0.level == .debug }, "no debug lines without debug contexts")
        #expect(quiet.lines.contains { $0.level >= .error && $0.facility == "FAIL" }, "connection failures arrive as errors: \(quiet.lines.map(\.description))")
        let debugLines = chatty.lines.filter { $0.level == .debug }
        #expect(debugLines.count > 5)
        #expect(debugLines.contains { $0.facility == "BROKER" || $0.facility == "BRKMAIN" || $0.facility == "STATE" })
        #expect(debugLines.allSatisfy { !$0.clientName.isEmpty }, "each line names its client")
    }
}

/// Collects log lines from librdkafka's threads.
final class LogBox: Sendable {
    private let box = Locked<[KafkaLogMessage]>([])
    var lines: [KafkaLogMessage] { box.withLock { $0 } }
    var handler: KafkaLogHandler { { line in self.box.withLock { $0.append(line) } } }
}
