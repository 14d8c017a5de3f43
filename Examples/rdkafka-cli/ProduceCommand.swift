import Dispatch
import Foundation
import RdKafka
import RdKafkaSchemaRegistry
import Synchronization

/// `rdkafka-cli produce`: one message per line (or per `-D` delimiter) from a file or standard
/// input (``usage``).
enum ProduceCommand {
    static let usage = CommandUsage(name: "produce", text: """
        produce -t topic [-p partition] [-K keydelim] [-D delim] [-H name=value]... [-J] [--report]
                [--undelivered FILE] [file|-]
                                        one message per line of file or standard input;
                                        -J: each line a JSON object as consume -J prints it
                                        ({"key":..,"value":..,"headers":[..],"partition":..});
                                        exits 1 with a count and the cause when any message
                                        failed; on SIGINT/SIGTERM stops reading, delivers what
                                        is queued and hands back (FILE or stderr) the rest
        produce ... -s value=avro|json [-r URL] --value-schema FILE
                                        each line a JSON value, encoded with the schema
                                        (Avro: Avro JSON, unions as {"type": value}, or
                                        plain; json: checked against the JSON schema), which
                                        is registered under TOPIC-value
        """)

    static func run(_ arguments: [String]) async throws -> Int32 {
        var options = try ClientOptions(arguments, usage: usage)
        let topicFlag = try options.flag("-t")
        let partitionText = try options.flag("-p")
        let keyDelimiter = try options.flag("-K")
        let delimiter = try options.flag("-D") ?? "\n"
        var headerPairs: [String] = []
        while let pair = try options.flag("-H") { headerPairs.append(pair) }
        let undeliveredFile = try options.flag("--undelivered")
        let printReports = options.switchFlag("--report")
        let jsonInput = options.switchFlag("-J")
        let schemas = try SchemaOptions(&options, usage: usage)
        let valueSchemaFile = try options.flag("--value-schema")
        // Before reading input: an unknown option is not a file name.
        try options.rejectUnknown()
        guard let topic = topicFlag else { throw CLIError("produce needs -t TOPIC") }
        let partition = try partitionText.map { value -> Int32 in
            guard let p = Int32(value), p >= 0 else { throw CLIError("-p takes a partition number, got '\(value)'") }
            return p
        }
        var headers: [KafkaHeader] = []
        for pair in headerPairs {
            guard let eq = pair.firstIndex(of: "=") else { throw CLIError("-H takes name=value, got '\(pair)'") }
            headers.append(KafkaHeader(name: String(pair[..<eq]), value: String(pair[pair.index(after: eq)...])))
        }
        var serializer: ValueSerializer?
        if let registry = schemas.registry {
            guard let format = schemas.value, schemas.key == nil, !jsonInput else {
                throw CLIError("produce encodes values only: -s value=avro or -s value=json, without -J", usage: usage)
            }
            guard let valueSchemaFile, let text = FileManager.default.contents(atPath: valueSchemaFile) else {
                throw CLIError("-s value=\(format) needs --value-schema FILE (a readable \(format == .avro ? ".avsc" : "JSON schema") file)", usage: usage)
            }
            let schema = String(decoding: text, as: UTF8.self)
            switch format {
            case .avro: serializer = .avro(try AvroSerializer(registry: registry, schema: schema))
            case .json: serializer = .json(try JSONSchemaSerializer(registry: registry, schema: schema))
            }
        } else if valueSchemaFile != nil {
            throw CLIError("--value-schema needs -s value=avro or -s value=json", usage: usage)
        }
        let input: Data
        if let file = options.rest.first, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            input = data
        } else {
            input = FileHandle.standardInput.readDataToEndOfFile()
        }
        let outcome = ProduceOutcome()
        let producer = try KafkaProducer(configuration: try options.configuration(), options: .init(errorHandler: { error in
            outcome.clientError(error)
        }))
        var records = String(decoding: input, as: UTF8.self).components(separatedBy: delimiter)
        if records.last == "" { records.removeLast() }
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
                var payload = KafkaPayload(value)
                if let serializer {
                    payload = KafkaPayload(try await serializer.encode(value, line: index + 1, topic: topic))
                }
                message = KafkaProducerMessage(topic: topic, partition: partition, key: key, value: payload, headers: headers)
            }
            sent += 1
            do {
                // The async overload: waits for room in a full queue without blocking a thread.
                try await producer.send(message) { report in
                    if let error = report.error {
                        outcome.failed(error)
                        // A purged message is handed back below, and the last line says why.
                        if !ProduceOutcome.isPurge(error.code) {
                            FileHandle.standardError.write(Data("delivery failed: \(error)\n".utf8))
                        }
                    } else if printReports {
                        print("delivered \(report)")
                    }
                }
            } catch let error as KafkaError where !error.isFatal && error.code != .destroy {
                // Refused at once (a partition the cluster is known not to have, a message too
                // large...): counted like a failed delivery; the other messages still go.
                outcome.failed(error)
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
        // What shutdown hands back was purged, and each purged message has had its failed
        // report already: count it once.
        let failed = max(outcome.failures, left.count)
        let signalled = stop.load(ordering: .relaxed)
        if signalled != 0 {
            let delivered = sent - failed
            print("stopped by signal \(signalled): \(sent) of \(records.count) messages sent, \(delivered) delivered, \(left.count) handed back\(undeliveredFile.map { " to \($0)" } ?? "")")
        }
        if failed > 0 {
            let cause = outcome.cause.map { ": \($0)" } ?? ""
            FileHandle.standardError.write(Data("rdkafka-cli: \(failed) of \(sent) messages failed\(cause)\n".utf8))
            return 1
        }
        return signalled == 0 ? 0 : 128 + signalled
    }
}

extension ProduceCommand {
    /// How `-s value=...` encodes each input line.
    enum ValueSerializer {
        case avro(AvroSerializer)
        case json(JSONSchemaSerializer)

        /// One input line's JSON, encoded with the schema: for Avro, Avro JSON first, then
        /// plain JSON, whose unions take the first branch the value fits; for JSON Schema,
        /// checked against the schema.
        func encode(_ line: String, line number: Int, topic: String) async throws -> [UInt8] {
            let json: JSONValue
            do {
                json = try JSONValue(parsing: line)
            } catch {
                throw CLIError("line \(number) is not JSON: \(error.message)")
            }
            switch self {
            case .json(let serializer):
                do {
                    return try await serializer.serialize(json: json, topic: topic)
                } catch {
                    throw CLIError("line \(number): \(error)")
                }
            case .avro(let serializer):
                let value: AvroValue
                do {
                    value = try AvroValue(json: json, schema: serializer.schema)
                } catch {
                    do {
                        value = try AvroValue(json: json, schema: serializer.schema, unionsTagged: false)
                    } catch let plain {
                        throw CLIError("line \(number) does not match the schema: \(plain.message)")
                    }
                }
                return try await serializer.serialize(value, topic: topic)
            }
        }
    }

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

/// Failed messages and the client errors seen meanwhile, written by the delivery thread and
/// the sending loop.
final class ProduceOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var failureCount = 0
    /// Failures whose own code says only that time ran out or shutdown purged them.
    private var unexplained = 0
    private var lastClientError: KafkaError?
    /// The last error other than "all brokers down", which follows and hides the real one
    /// (connection refused, resolve, TLS...).
    private var lastSpecificError: KafkaError?

    static func isPurge(_ code: KafkaError.Code) -> Bool { code == .purgeQueue || code == .purgeInflight }

    func failed(_ error: KafkaError) {
        lock.lock()
        defer { lock.unlock() }
        failureCount += 1
        if Self.isPurge(error.code) || error.code == .messageTimedOut { unexplained += 1 }
    }

    func clientError(_ error: KafkaError) {
        lock.lock()
        defer { lock.unlock() }
        lastClientError = error
        if error.code != .allBrokersDown { lastSpecificError = error }
    }

    var failures: Int {
        lock.lock()
        defer { lock.unlock() }
        return failureCount
    }

    /// Why messages timed out or were purged: the client errors behind it (the messages' own
    /// codes, `_MSG_TIMED_OUT` or `_PURGE_QUEUE`, do not say). Nil when there were none.
    var cause: String? {
        lock.lock()
        defer { lock.unlock() }
        guard unexplained > 0, let last = lastClientError else { return nil }
        var text = last.message
        if last.code == .allBrokersDown, let specific = lastSpecificError {
            text += "; last connection error: \(specific.message)"
        }
        if let fix = last.fix ?? lastSpecificError?.fix { text += ". Fix: \(fix)" }
        return text
    }
}
