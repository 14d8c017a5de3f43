import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// Runs the sample CLI (built by `swift build`, which `make test` runs first).
func runCLI(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (status: Int32, output: String) {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rdkafka-cli")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw KafkaTestTimeout(what: "the rdkafka-cli binary at \(binary.path) (run swift build first)", got: 0)
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KAFKA_") }.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
    try stdin.fileHandleForWriting.close()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Sample CLI", .serialized, .timeLimit(.minutes(2)))
struct CLITests {
    @Test("rdkafka-cli demo produces and consumes end to end on an embedded mock cluster (make demo)")
    func demo() throws {
        let (status, output) = try runCLI(["demo"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("produced and consumed 3 messages end to end"))
    }

    @Test("topics create, list, describe and delete", arguments: TestEnvironment.full)
    func topics(broker: TestBroker) throws {
        let name = uniqueTopic("cli")
        let create = try runCLI(["topics", "create", name, "--partitions", "2", "--config", "retention.ms=60000", "-b", broker.bootstrap])
        #expect(create.status == 0, "\(create.output)")
        #expect(try runCLI(["topics", "list", "-b", broker.bootstrap]).output.contains("\(name)\tpartitions=2"))
        let describe = try runCLI(["topics", "describe", name, "-b", broker.bootstrap])
        #expect(describe.output.contains("partition 1\tleader"))
        #expect(describe.output.contains("config retention.ms=60000"))
        #expect(try runCLI(["topics", "delete", name, "-b", broker.bootstrap]).status == 0)
        let again = try runCLI(["topics", "describe", "-b", broker.bootstrap])
        #expect(again.status != 0, "a missing argument is an error")
    }

    @Test("groups lag prints committed, end and lag per partition and the total", arguments: TestEnvironment.full)
    func groupLag(broker: TestBroker) async throws {
        let topic = uniqueTopic("cli-lag")
        let group = uniqueTopic("cli-group")
        try await fill(broker, topic: topic, count: 8)
        var config = groupConfig(broker, group: group)
        config.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        _ = try await KafkaTestSupport.collect(3, from: consumer)
        try await consumer.commit()
        let (status, output) = try runCLI(["groups", "lag", group, "-b", broker.bootstrap])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(topic)\t0\t3\t8\t5"))
        #expect(output.contains("TOTAL\t\t\t\t5"))
        let describe = try runCLI(["groups", "describe", group, "-b", broker.bootstrap])
        #expect(describe.output.contains("\(topic)[0]"))
        #expect(try runCLI(["groups", "list", "-b", broker.bootstrap]).output.contains(group))
        try await consumer.close()
    }

    @Test("produce reads lines with keys and headers; consume prints them back as JSON and stops at the end", arguments: TestEnvironment.all)
    func produceAndConsume(broker: TestBroker) throws {
        let topic = uniqueTopic("cli-pc")
        let produced = try runCLI(["produce", "-t", topic, "-p", "0", "-K", ":", "-H", "src=cli", "--report", "-b", broker.bootstrap],
            input: "k1:hello\nk2:world\n")
        #expect(produced.status == 0, "\(produced.output)")
        #expect(produced.output.contains("delivered \(topic)[0]@1"))
        let consumed = try runCLI(["consume", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-J", "-b", broker.bootstrap])
        #expect(consumed.status == 0, "\(consumed.output)")
        let lines = consumed.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("\"key\":\"k1\"") == true)
        #expect(lines.first?.contains("\"value\":\"hello\"") == true)
        #expect(lines.first?.contains("{\"src\":\"cli\"}") == true)
        let fromOffset = try runCLI(["consume", "-t", topic, "-p", "0", "-o", "1", "-c", "1", "-b", broker.bootstrap])
        #expect(fromOffset.output.split(separator: "\n").contains("world"))
    }

    @Test("produce exits non-zero with a count when messages fail", arguments: TestEnvironment.all)
    func produceFailures(broker: TestBroker) throws {
        let topic = uniqueTopic("cli-fail")
        _ = try runCLI(["produce", "-t", topic, "-b", broker.bootstrap], input: "create\n")
        let result = try runCLI(["produce", "-t", topic, "-p", "99", "-b", broker.bootstrap], input: "a\nb\n")
        #expect(result.status != 0)
        #expect(result.output.contains("2 of 2 messages failed"))
    }

    @Test("config prints the effective configuration with origins and secrets redacted")
    func configCommand() throws {
        let file = NSTemporaryDirectory() + "cli-\(UUID().uuidString).properties"
        try "bootstrap.servers=b:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=u\nsasl.password=cli-secret-42\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (status, output) = try runCLI(["config", "-F", file, "-X", "client.id=cli"], environment: ["KAFKA_LINGER_MS": "7"])
        #expect(status == 0, "\(output)")
        #expect(!output.contains("cli-secret-42"))
        #expect(output.contains("sasl.password=[redacted]"))
        #expect(output.contains("linger.ms=7    # by environment variable KAFKA_LINGER_MS"))
        #expect(output.contains("sasl.mechanisms=PLAIN    # at \(file):3"))
        #expect(output.contains("client.id=cli    # in code"))
    }
}
