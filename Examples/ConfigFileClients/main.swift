import Foundation
import ExampleSupport
import RdKafka

// Clients driven entirely by a configuration file (the Confluent Cloud / .NET and Aiven guides):
// brokers, security and group come from the file; the environment (KAFKA_*) overrides it.
//
//   config-file-client produce FILE [--section Kafka] TOPIC [MESSAGE...]   (else lines of stdin)
//   config-file-client consume FILE [--section Kafka] TOPIC [--count N] [--timeout SECONDS]
//
// FILE is a `.properties` file (librdkafka or Java names) or an `appsettings.json`
// (librdkafka or Confluent.Kafka .NET names, in the section named by --section).


var arguments = CommandLineArguments(program: "config-file-client",
    usage: "config-file-client produce|consume FILE [--section NAME] TOPIC [MESSAGE...] [--count N] [--timeout SECONDS]")
let section = arguments.option("--section")
let count = arguments.number("--count") ?? Int.max
let timeout = arguments.number("--timeout") ?? 30
guard arguments.remaining.count >= 3, ["produce", "consume"].contains(arguments.remaining[0]) else { arguments.fail("missing arguments") }
let (command, file, topic) = (arguments.remaining[0], arguments.remaining[1], arguments.remaining[2])
if command == "consume" { arguments.expectNoMore(positional: 3) }

do {
    let config = try KafkaConfiguration.load(file: file, section: section)
    if command == "produce" {
        let producer = try KafkaProducer(configuration: config)
        var messages = Array(arguments.remaining.dropFirst(3))
        if messages.isEmpty {
            while let line = readLine() { messages.append(line) }
        }
        let failed = Counter()
        for text in messages { try await send(text, to: topic, with: producer, failed: failed) }
        // Flush(TimeSpan.FromSeconds(10)): wait for every report before leaving.
        try await producer.flush(timeout: .seconds(10))
        let undelivered = await producer.shutdown(timeout: .seconds(5))
        if failed.value + undelivered.count > 0 { arguments.exit("\(failed.value + undelivered.count) of \(messages.count) messages failed") }
    } else {
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(timeout)
        var received = 0
        while received < count, ContinuousClock.now < deadline {
            for message in try await consumer.poll(maxMessages: count - received, timeout: .milliseconds(500)) {
                print("Consumed '\(message.valueString ?? "")' from \(message.topic)[\(message.partition)]@\(message.offset)")
                received += 1
            }
        }
        try await consumer.close()
        if received < count && count != Int.max { arguments.exit("received \(received) of \(count) messages within \(timeout) s") }
    }
} catch {
    arguments.exit(error)
}

/// Delivery reports arrive on the SDK's delivery thread; this counts failures across threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// The .NET guide's delivery handler: one report per message, on the SDK's thread. A function of
/// its own: top-level code does not rank the async overload of `send` first.
func send(_ text: String, to topic: String, with producer: KafkaProducer, failed: Counter) async throws {
    try await producer.send(KafkaProducerMessage(topic: topic, value: KafkaPayload(text))) { report in
        if let error = report.error {
            failed.increment()
            print("Delivery failed for '\(text)': \(error)")
        } else {
            print("Delivered '\(text)' to \(report)")
        }
    }
}
