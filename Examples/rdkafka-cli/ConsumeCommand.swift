import Foundation
import RdKafka
import RdKafkaSchemaRegistry

/// `rdkafka-cli consume`: by partition assignment, or in a group (`-G`, committing as it goes)
/// (``usage``).
enum ConsumeCommand {
    static let usage = CommandUsage(name: "consume", text: """
        consume -t topic [-p partition] [-o beginning|end|stored|OFFSET|s@MS] [-G group]
                [-c count] [-e] [-J]        by assignment, or in group -G; -e stops at the end,
                                        -J prints JSON lines (topic, partition, offset, ...);
                                        -c stops after count messages (in a group, commits
                                        those and no more)
        consume ... -s value=avro|json [-r URL]
                                        decodes Schema Registry records and prints each as
                                        one line of JSON (Avro JSON for avro; -r
                                        http(s)://user:secret@host, or schema.registry.url in
                                        the -F file)
        consume -t topic --share-group NAME [--ack accept|release|reject] [-c count] [-J]
                                        a share-group member (KIP-932, librdkafka 2.15+):
                                        records are accepted as printed, or acknowledged as
                                        --ack says; -J adds delivery_count; SIGINT stops and
                                        releases what was not printed
        """)

    static func run(_ arguments: [String]) async throws -> Int32 {
        var options = try ClientOptions(arguments, usage: usage)
        let topicFlag = try options.flag("-t")
        let partitionText = try options.flag("-p")
        let offsetText = try options.flag("-o")
        let group = try options.flag("-G")
        let countText = try options.flag("-c")
        let exitAtEnd = options.switchFlag("-e")
        let json = options.switchFlag("-J")
        let schemas = try SchemaOptions(&options, usage: usage)
        let shareGroup = try options.flag("--share-group")
        let ack = try options.flag("--ack")
        // Before anything runs: an unknown option must not make a consumer that does something else.
        try options.rejectUnknown()
        guard let topic = topicFlag else { throw CLIError("consume needs -t TOPIC") }
        if ack != nil, shareGroup == nil { throw CLIError("--ack is for a share group: add --share-group NAME", usage: usage) }
        let partition = try partitionText.map { value -> Int32 in
            guard let p = Int32(value), p >= 0 else { throw CLIError("-p takes a partition number, got '\(value)'") }
            return p
        }
        let start = try parseOffset(offsetText ?? "beginning")
        let limit = try countText.map { value -> Int in
            guard let count = Int(value), count >= 0 else { throw CLIError("-c takes a message count, got '\(value)'") }
            return count
        }
        if let shareGroup {
            let unused = [("-p", partitionText), ("-o", offsetText), ("-G", group)].filter { $0.1 != nil }.map(\.0) + (exitAtEnd ? ["-e"] : [])
            guard unused.isEmpty else {
                throw CLIError("\(unused.joined(separator: ", ")) do not apply to a share group: the broker assigns records", usage: usage)
            }
            return try await ShareConsumeCommand.run(topic: topic, group: shareGroup, ack: ack, limit: limit, json: json,
                config: try options.configuration())
        }
        let config = try options.configuration()
        let ends = EndTracker()
        let consumer = try KafkaConsumer(configuration: { () -> KafkaConfiguration in
            var c = config
            c.enablePartitionEOF = true
            if let group {
                c.groupID = group
                if c.autoOffsetReset == nil { c.autoOffsetReset = start == .end ? .latest : .earliest }
            }
            return c
        }(), options: .init(eventHandler: { event in
            if case .partitionEOF(let tp, let offset) = event { ends.reached(tp, at: offset) }
        }))
        var partitions: [Int32] = []
        if group != nil {
            try consumer.subscribe(topics: [topic])
        } else {
            let admin = try KafkaAdmin(configuration: config)
            let count = try await admin.metadata(topic: topic).topics.first?.partitions.count ?? 1
            partitions = partition.map { [$0] } ?? (0..<Int32(count)).map { $0 }
            try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic, $0), start) }))
        }
        let valueDecoder = try schemas.registry.flatMap { registry in try schemas.value.map { try RecordDecoder($0, registry, isKey: false) } }
        let keyDecoder = try schemas.registry.flatMap { registry in try schemas.key.map { try RecordDecoder($0, registry, isKey: true) } }
        var consumed = 0
        while limit.map({ consumed < $0 }) ?? true {
            if exitAtEnd, !partitions.isEmpty, ends.count >= partitions.count { break }
            if exitAtEnd, group != nil, ends.count > 0, try consumer.assignment.count <= ends.count { break }
            // Every message poll returns counts as taken (its offset is stored, then committed):
            // ask for no more than are still wanted.
            let wanted = limit.map { min(1_000, $0 - consumed) } ?? 1_000
            for message in try await consumer.poll(maxMessages: wanted, timeout: .milliseconds(500)) {
                var line = json ? jsonLine(message) : (message.valueString ?? "")
                if schemas.isActive {
                    let key = try await keyDecoder?.jsonText(of: message)
                    let value = try await valueDecoder?.jsonText(of: message)
                    line = try decodedLine(message, key: key, value: value, json: json)
                }
                // Unbuffered, so a pipe sees each message as it comes.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
                consumed += 1
                ends.more(message.topicPartition, at: message.offset)
            }
        }
        try await consumer.close()
        return 0
    }

    static func parseOffset(_ text: String) throws -> KafkaOffset {
        switch text {
        case "beginning": return .beginning
        case "end": return .end
        case "stored": return .committed
        default:
            if text.hasPrefix("s@"), let ms = Int64(text.dropFirst(2)) { return .timestamp(KafkaTimestamp(millisecondsSinceEpoch: ms)) }
            if let offset = Int64(text), offset >= 0 { return .offset(offset) }
            throw CLIError("-o takes beginning, end, stored, an offset, or s@MILLISECONDS; got '\(text)'")
        }
    }

    /// How `-s key=...` / `-s value=...` read a record's key or value.
    enum RecordDecoder {
        case avro(AvroDeserializer)
        case json(JSONSchemaDeserializer)

        init(_ format: SchemaOptions.Format, _ registry: SchemaRegistryClient, isKey: Bool) throws {
            switch format {
            case .avro: self = .avro(try AvroDeserializer(registry: registry, isKey: isKey))
            case .json: self = .json(JSONSchemaDeserializer(registry: registry, isKey: isKey))
            }
        }

        /// The key or value as JSON text: Avro JSON with the writer's schema, or the JSON itself.
        func jsonText(of message: KafkaMessage) async throws -> String {
            switch self {
            case .avro(let decoder):
                let (value, schema) = try await decoder.value(of: message)
                return value.avroJSON(schema: schema)
            case .json(let decoder):
                return try await decoder.json(of: message).jsonText
            }
        }
    }

    /// A Schema Registry record: the decoded value as JSON, or with -J the message's JSON line
    /// with the decoded key and value in place.
    static func decodedLine(_ message: KafkaMessage, key: String?, value: String?, json: Bool) throws -> String {
        guard json else { return value ?? message.valueString ?? "" }
        guard var object = try JSONSerialization.jsonObject(with: Data(jsonLine(message).utf8)) as? [String: Any] else { return jsonLine(message) }
        if let value { object["value"] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) }
        if let key { object["key"] = try JSONSerialization.jsonObject(with: Data(key.utf8), options: .fragmentsAllowed) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func jsonLine(_ message: KafkaMessage) -> String {
        var object: [String: Any] = [
            "topic": message.topic, "partition": Int(message.partition), "offset": Int(message.offset),
            "key": message.keyString as Any? ?? NSNull(), "value": message.valueString as Any? ?? NSNull(),
            "headers": message.headers.map { [$0.name: $0.stringValue as Any? ?? NSNull()] },
        ]
        object["timestamp"] = message.timestamp.map { Int($0.millisecondsSinceEpoch) } ?? -1
        if let count = message.deliveryCount { object["delivery_count"] = count }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Partitions that have reached their end, and where (EOF events arrive while a batch is
/// fetched, before its messages are printed).
final class EndTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var ended: [TopicPartition: Int64] = [:]
    func reached(_ tp: TopicPartition, at offset: Int64) { lock.lock(); ended[tp] = offset; lock.unlock() }
    func more(_ tp: TopicPartition, at offset: Int64) {
        lock.lock()
        if let end = ended[tp], offset >= end { ended[tp] = nil }
        lock.unlock()
    }
    var count: Int { lock.lock(); defer { lock.unlock() }; return ended.count }
}
