import Foundation
import ExampleSupport
import RdKafka

// The Siddhi streaming guide in Swift: consume `{"event":{"name":..,"amount":..}}` from
// `productions`, transform, publish to an output topic, exactly once.
//
//   production-stream -b localhost:9092 [-F client.properties] [--from productions=2]
//       [--input productions] [--output production-totals] [-G production-stream]
//       [--max N] [--idle SECONDS] [--crash-after N]
//
// `--idle` stops after that many seconds without input (once partitions are assigned).
//
// `--from topic=offset` is Siddhi's `topic.offsets.map`: where to start when the group has no
// committed offset. After a restart the group's committed offset wins, so nothing is read twice.
// Each batch is one transaction holding the outputs and the consumed offsets: a crash at any
// point (try `--crash-after`) leaves neither outputs nor offsets behind, so after a restart
// nothing is lost or repeated for `read_committed` readers. Give each instance a
// `group.instance.id` in its config file (static membership), so a restarted instance takes
// its partitions back at once instead of after the crashed one's session times out.

/// What arrives on `productions`.
struct Production: Codable {
    struct Event: Codable {
        var name: String
        var amount: Double
    }
    var event: Event
}

/// What goes to the output topic: the event, normalised, with where it came from.
struct ProductionRecord: Codable {
    var name: String
    var amount: Double
    var source: String
}


var arguments = CommandLineArguments(program: "production-stream", usage: """
    production-stream -b BROKERS [-F FILE] [--from TOPIC=OFFSET] [--input TOPIC] [--output TOPIC] [-G GROUP]
                             [--max N] [--idle SECONDS] [--crash-after N]
    """)
let input = arguments.option("--input") ?? "productions"
let output = arguments.option("--output") ?? "production-totals"
let deadLetters = "\(input).invalid"
let group = arguments.option("-G") ?? "production-stream"
let maxEvents = arguments.number("--max") ?? Int.max
let idleSeconds = arguments.number("--idle")
let crashAfter = arguments.number("--crash-after")
let file = arguments.option("-F")
let brokers = arguments.option("-b")
let from = arguments.option("--from")
arguments.expectNoMore()

do {
    var config = try KafkaConfiguration.load(file: file)
    if let brokers { config["bootstrap.servers"] = brokers }

    var consumerConfig = config
    consumerConfig.groupID = group
    consumerConfig.enableAutoCommit = false  // offsets are committed by the transaction
    consumerConfig.autoOffsetReset = .earliest
    consumerConfig.isolationLevel = .readCommitted
    var producerConfig = config
    producerConfig.transactionalID = "\(group)-\(input)"

    // `productions=2` applies to every partition of the topic.
    var startingAt: [TopicPartition: KafkaOffset] = [:]
    for entry in (from ?? "").split(separator: ",") {
        let parts = entry.split(separator: "=")
        guard parts.count == 2, let offset = Int64(parts[1]) else { arguments.fail("--from takes topic=offset[,topic=offset], got '\(entry)'") }
        let admin = try KafkaAdmin(configuration: config)
        let metadata = try await admin.metadata(topic: String(parts[0]))
        for topic in metadata.topics where topic.name == parts[0] {
            for partition in topic.partitions { startingAt[TopicPartition(topic.name, partition.id)] = .offset(offset) }
        }
    }

    let producer = try KafkaProducer(configuration: producerConfig)
    try await producer.initTransactions()
    let consumer = try KafkaConsumer(configuration: consumerConfig)
    try consumer.subscribe(topics: [input], startingAt: startingAt)

    var processed = 0
    var idle = 0
    while processed < maxEvents {
        let batch = try await consumer.poll(maxMessages: min(500, maxEvents - processed), timeout: .seconds(1))
        if batch.isEmpty {
            // Idle time counts once partitions are assigned: joining can wait for a crashed
            // member's session to time out.
            if try !consumer.assignment.isEmpty { idle += 1 }
            if let idleSeconds, idle >= idleSeconds { break }
            continue
        }
        idle = 0
        try producer.beginTransaction()
        var next: [TopicPartition: Int64] = [:]
        for message in batch {
            let source = "\(message.topic)[\(message.partition)]@\(message.offset)"
            let outgoing: KafkaProducerMessage
            let line: String
            do {
                let production = try message.decode(Production.self)
                let record = ProductionRecord(name: production.event.name.capitalized, amount: production.event.amount, source: source)
                outgoing = KafkaProducerMessage(topic: output, key: KafkaPayload(record.name), value: try KafkaPayload(json: record))
                line = "\(source) -> \(record.name) \(record.amount)"
            } catch {
                // Kept, not dropped: the raw bytes go to the dead-letter topic in the same transaction.
                outgoing = KafkaProducerMessage(topic: deadLetters, value: KafkaPayload(message.value ?? []))
                line = "\(source) -> \(deadLetters) (\(error))"
            }
            try await enqueue(outgoing, on: producer)
            print(line)
            next[message.topicPartition] = message.offset + 1
            processed += 1
            if processed == crashAfter {
                print("crashing on purpose with the transaction open")
                fflush(nil)
                _exit(3)  // like a crash: no clean-up, no exit handlers
            }
        }
        try await producer.sendOffsetsToTransaction(next, groupMetadata: try consumer.groupMetadata())
        do {
            try await producer.commitTransaction()
        } catch where error.transactionRequiresAbort {
            try await producer.abortTransaction()
            // Read the batch again: the aborted outputs are invisible to read_committed readers.
            try await consumer.seek(Dictionary(batch.map { ($0.topicPartition, KafkaOffset.offset($0.offset)) }, uniquingKeysWith: { first, _ in first }))
            processed -= batch.count
        }
    }
    try await consumer.close()
    _ = await producer.shutdown()
    print("processed \(processed) events")
} catch {
    arguments.exit(error)
}

/// Top-level code does not rank an async overload first; a function of its own does. Its errors
/// are KafkaErrors: nothing cancels the top-level task.
func enqueue(_ message: KafkaProducerMessage, on producer: KafkaProducer) async throws(KafkaError) {
    do {
        try await producer.produce(message)
    } catch let error as KafkaError {
        throw error
    } catch {
        throw KafkaError(code: .fail, message: "\(error)")
    }
}
