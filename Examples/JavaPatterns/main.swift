import Dispatch
import Foundation
import ExampleSupport
import RdKafka

// The Java client's patterns (the seed's "Notes on Kafka and its Java client") in Swift.
//
//   java-patterns send -b BROKERS -t TOPIC [-n N]
//       fire-and-forget, synchronous send, and asynchronous send with a callback, N each
//   java-patterns poll -b BROKERS -t TOPIC -G GROUP
//       poll loop: commitAsync after each batch while running; on SIGINT or SIGTERM (Java's
//       wakeup()), a final synchronous commit, then close
//
// `-F client.properties` and KAFKA_* environment variables work as in the other examples.

/// Unbuffered, so each line shows at once also when the output is a pipe.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

var arguments = CommandLineArguments(program: "java-patterns", usage: "java-patterns send|poll -b BROKERS [-F FILE] -t TOPIC [-G GROUP] [-n N]")
let brokers = arguments.option("-b")
let file = arguments.option("-F")
guard let topic = arguments.option("-t") else { arguments.fail("-t TOPIC is required") }
let count = arguments.number("-n") ?? 3
let group = arguments.option("-G")
arguments.expectNoMore(positional: 1)
let mode = arguments.remaining.first ?? ""

do {
    var config = try KafkaConfiguration.load(file: file)
    if let brokers { config["bootstrap.servers"] = brokers }
    switch mode {
    case "send":
        try await sendModes(config, topic: topic, count: count)
    case "poll":
        guard let group else { arguments.fail("poll needs -G GROUP") }
        config.groupID = group
        config.enableAutoCommit = false
        config.autoOffsetReset = .earliest
        try await pollLoop(config, topic: topic)
    default:
        arguments.fail("unknown mode '\(mode)': use send or poll")
    }
} catch {
    arguments.exit(error)
}

func sendModes(_ config: KafkaConfiguration, topic: String, count: Int) async throws {
    let producer = try KafkaProducer(configuration: config)

    // 1. Fire-and-forget: `producer.send(record)` without looking at the result. The SDK still
    //    keeps what fails: `shutdown` hands back anything undelivered.
    for i in 0..<count {
        _ = try await producer.produce(KafkaProducerMessage(topic: topic, key: "fire-and-forget", value: KafkaPayload("fire-and-forget \(i)")))
    }

    // 2. Synchronous: `producer.send(record).get()`; here the task waits, not the thread.
    for i in 0..<count {
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "sync", value: KafkaPayload("sync \(i)")))
        say("sync: \(report)")
    }

    // 3. Asynchronous with a callback: `producer.send(record, callback)`.
    for i in 0..<count {
        try await producer.send(KafkaProducerMessage(topic: topic, key: "callback", value: KafkaPayload("callback \(i)"))) { report in
            if let error = report.error {
                say("callback: failed: \(error)")
            } else {
                say("callback: \(report)")
            }
        }
    }

    let undelivered = await producer.shutdown(timeout: .seconds(10))
    say("sent \(3 * count) messages, \(undelivered.count) undelivered")
    if !undelivered.isEmpty { exit(1) }
}

func pollLoop(_ config: KafkaConfiguration, topic: String) async throws {
    let consumer = try KafkaConsumer(configuration: config)
    try consumer.subscribe(topics: [topic])

    // SIGINT/SIGTERM cancel the loop's task: Java's consumer.wakeup() from a shutdown hook.
    let loop = Task {
        var processed = 0
        while !Task.isCancelled {
            let records = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(100))
            for record in records {
                say("consumed \(record.keyString ?? "-") \(record.valueString ?? "") at \(record.topic)[\(record.partition)]@\(record.offset)")
                processed += 1
            }
            if !records.isEmpty {
                // Don't wait for the broker: a later commit covers a failed one.
                consumer.commitAsync { error in
                    if let error { say("commitAsync failed: \(error)") }
                }
            }
        }
        return processed
    }
    let signals = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler {
            say("signal \(number): stopping")
            loop.cancel()
        }
        source.resume()
        return source
    }
    say("polling \(topic); stop with Ctrl-C")
    let processed = try await loop.value
    // finally { consumer.commitSync(); consumer.close(); }
    try await consumer.commit()
    say("final commit done after \(processed) messages")
    try await consumer.close()
    signals.forEach { $0.cancel() }
}
