import Foundation
import RdKafka

/// `rdkafka-cli consume -t TOPIC [-p PARTITION] [-o beginning|end|OFFSET|s@MS] [-G GROUP]
/// [-c COUNT] [-e] [-J]`: by partition assignment, or in a group (`-G`, committing as it goes).
enum ConsumeCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        var options = try ClientOptions(arguments)
        guard let topic = try options.flag("-t") else { throw CLIError("consume needs -t TOPIC") }
        let partition = try options.flag("-p").flatMap { Int32($0) }
        let start = try parseOffset(try options.flag("-o") ?? "beginning")
        let group = try options.flag("-G")
        let limit = try options.flag("-c").flatMap { Int($0) }
        let exitAtEnd = options.rest.contains("-e")
        let json = options.rest.contains("-J")
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
            try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic, $0), start) }))
        }
        var consumed = 0
        while limit.map({ consumed < $0 }) ?? true {
            if exitAtEnd, !partitions.isEmpty, ends.count >= partitions.count { break }
            if exitAtEnd, group != nil, ends.count > 0, try consumer.assignment.count <= ends.count { break }
            for message in try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(500)) {
                // Unbuffered, so a pipe sees each message as it comes.
                FileHandle.standardOutput.write(Data(((json ? jsonLine(message) : (message.valueString ?? "")) + "\n").utf8))
                consumed += 1
                ends.more(message.topicPartition, at: message.offset)
                if let limit, consumed >= limit { break }
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
            if text.hasPrefix("s@"), let ms = Int64(text.dropFirst(2)) { return .timestamp(ms) }
            if let offset = Int64(text), offset >= 0 { return .offset(offset) }
            throw CLIError("-o takes beginning, end, stored, an offset, or s@MILLISECONDS; got '\(text)'")
        }
    }

    static func jsonLine(_ message: KafkaMessage) -> String {
        var object: [String: Any] = [
            "topic": message.topic, "partition": Int(message.partition), "offset": Int(message.offset),
            "key": message.keyString as Any? ?? NSNull(), "value": message.valueString as Any? ?? NSNull(),
            "headers": message.headers.map { [$0.name: $0.stringValue as Any? ?? NSNull()] },
        ]
        object["timestamp"] = message.timestamp.map { Int($0.millisecondsSinceEpoch) } ?? -1
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
