import Dispatch
import Foundation
import RdKafka
import Synchronization

/// `rdkafka-cli produce -t TOPIC [-p PARTITION] [-K DELIM] [-H name=value]... [-D DELIM]
/// [--report] [FILE]`: one message per line (or per `-D` delimiter) from FILE or standard input.
enum ProduceCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        var options = try ClientOptions(arguments)
        guard let topic = try options.flag("-t") else { throw CLIError("produce needs -t TOPIC") }
        let partition = try options.flag("-p").map { value -> Int32 in
            guard let p = Int32(value), p >= 0 else { throw CLIError("-p takes a partition number, got '\(value)'") }
            return p
        }
        let keyDelimiter = try options.flag("-K")
        let delimiter = try options.flag("-D") ?? "\n"
        var headers: [KafkaHeader] = []
        while let pair = try options.flag("-H") {
            guard let eq = pair.firstIndex(of: "=") else { throw CLIError("-H takes name=value, got '\(pair)'") }
            headers.append(KafkaHeader(name: String(pair[..<eq]), value: String(pair[pair.index(after: eq)...])))
        }
        let undeliveredFile = try options.flag("--undelivered")
        let printReports = options.rest.contains("--report")
        let jsonInput = options.rest.contains("-J")
        options.rest.removeAll { $0 == "--report" || $0 == "-J" }
        let input: Data
        if let file = options.rest.first {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            input = data
        } else {
            input = FileHandle.standardInput.readDataToEndOfFile()
        }
        let producer = try KafkaProducer(configuration: try options.configuration())
        var records = String(decoding: input, as: UTF8.self).components(separatedBy: delimiter)
        if records.last == "" { records.removeLast() }
        let failures = FailureCount()
        // SIGINT/SIGTERM: stop reading input, deliver what is queued, hand back the rest.
        let stop = Atomic<Int32>(0)
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.store(number, ordering: .relaxed) }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        var sent = 0
        for (index, record) in records.enumerated() {
            if stop.load(ordering: .relaxed) != 0 { break }
            let message: KafkaProducerMessage
            if jsonInput {
                message = try jsonMessage(record, line: index + 1, topic: topic, partition: partition, headers: headers)
            } else {
                var key: KafkaPayload? = nil
                var value = record
                if let keyDelimiter, let range = record.range(of: keyDelimiter) {
                    key = KafkaPayload(String(record[..<range.lowerBound]))
                    value = String(record[range.upperBound...])
                }
                message = KafkaProducerMessage(topic: topic, partition: partition, key: key, value: KafkaPayload(value), headers: headers)
            }
            sent += 1
            do {
                try producer.send(message) { report in
                    if let error = report.error {
                        failures.add()
                        FileHandle.standardError.write(Data("delivery failed: \(error)\n".utf8))
                    } else if printReports {
                        print("delivered \(report.topic)[\(report.partition)]@\(report.offset)")
                    }
                }
            } catch {
                if error.isFatal || error.code == .destroy { throw error }
                // Refused at once (a partition the cluster is known not to have, a message too
                // large...): counted like a failed delivery; the other messages still go.
                failures.add()
                FileHandle.standardError.write(Data("produce failed: \(error)\n".utf8))
            }
        }
        let left = await producer.shutdown(timeout: .seconds(30))
        if !left.isEmpty {
            let lines = left.map { String(decoding: $0.value?.bytes ?? [], as: UTF8.self) + "\n" }.joined()
            if let undeliveredFile {
                _ = FileManager.default.createFile(atPath: undeliveredFile, contents: Data(lines.utf8))
            } else {
                FileHandle.standardError.write(Data(lines.utf8))
            }
        }
        let signalled = stop.load(ordering: .relaxed)
        if signalled != 0 {
            let delivered = sent - failures.value - left.count
            print("stopped by signal \(signalled): \(sent) of \(records.count) messages sent, \(delivered) delivered, \(left.count) handed back\(undeliveredFile.map { " to \($0)" } ?? "")")
        }
        let failed = failures.value + left.count
        if failed > 0 {
            FileHandle.standardError.write(Data("rdkafka-cli: \(failed) of \(sent) messages failed\n".utf8))
            return 1
        }
        return signalled == 0 ? 0 : 128 + signalled
    }
}

extension ProduceCommand {
    /// A `-J` input line, in the shape `consume -J` prints: `{"value": ..., "key": ...,
    /// "headers": [{"name": "value"}], "partition": N, "topic": ...}`; only `value` is needed.
    static func jsonMessage(_ line: String, line number: Int, topic: String, partition: Int32?, headers: [KafkaHeader]) throws -> KafkaProducerMessage {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw CLIError("input line \(number) is not a JSON object: \(line.prefix(80))")
        }
        func text(_ name: String) throws -> String? {
            switch object[name] {
            case nil, is NSNull: return nil
            case let value as String: return value
            case let value?:
                // A JSON value that is not a string is sent as its JSON text.
                guard JSONSerialization.isValidJSONObject([value]),
                      let data = try? JSONSerialization.data(withJSONObject: [value]) else { throw CLIError("input line \(number): bad \(name)") }
                return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
            }
        }
        var all = headers
        for entry in object["headers"] as? [[String: Any]] ?? [] {
            for (name, value) in entry { all.append(KafkaHeader(name: name, value: value as? String ?? "")) }
        }
        for (name, value) in object["headers"] as? [String: Any] ?? [:] { all.append(KafkaHeader(name: name, value: value as? String ?? "")) }
        var messagePartition = partition
        if let p = object["partition"] as? Int, p >= 0 { messagePartition = Int32(p) }
        return KafkaProducerMessage(
            topic: object["topic"] as? String ?? topic, partition: messagePartition,
            key: try text("key").map { KafkaPayload($0) }, value: try text("value").map { KafkaPayload($0) }, headers: all)
    }
}

final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
