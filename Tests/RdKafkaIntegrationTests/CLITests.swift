import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// Runs the sample CLI (built by `swift build`, which `make test` runs first).
func runCLI(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (status: Int32, output: String) {
    let process = try ExampleProcess("rdkafka-cli", arguments, environment: environment, input: input)
    return process.waitForExit()
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
        let alter = try runCLI(["topics", "alter-config", name, "--set", "retention.ms=120000", "--delete", "max.message.bytes", "-b", broker.bootstrap])
        #expect(alter.status == 0 && alter.output.contains("altered \(name): retention.ms=120000 -max.message.bytes"), "\(alter.output)")
        #expect(try runCLI(["topics", "describe", name, "-b", broker.bootstrap]).output.contains("config retention.ms=120000"))
        #expect(try runCLI(["topics", "delete", name, "-b", broker.bootstrap]).status == 0)
        let again = try runCLI(["topics", "describe", "-b", broker.bootstrap])
        #expect(again.status != 0, "a missing argument is an error")
    }

    @Test("cluster describe and offsets list (librdkafka 2.3+), or an error naming the release they need", arguments: TestEnvironment.full)
    func clusterAndOffsets(broker: TestBroker) async throws {
        let topic = uniqueTopic("cli-offsets")
        try await fill(broker, topic: topic, count: 3)
        let cluster = try runCLI(["cluster", "describe", "-b", broker.bootstrap])
        let offsets = try runCLI(["offsets", "list", topic, "-b", broker.bootstrap])
        if Librdkafka.supports(.describeCluster) {
            #expect(cluster.status == 0 && cluster.output.contains("controller") && cluster.output.contains("broker "), "\(cluster.output)")
            #expect(offsets.status == 0 && offsets.output.contains("\(topic)\t0\t3"), "\(offsets.output)")
            let earliest = try runCLI(["offsets", "list", topic, "--earliest", "-b", broker.bootstrap])
            #expect(earliest.output.contains("\(topic)\t0\t0"), "\(earliest.output)")
        } else {
            for result in [cluster, offsets] {
                #expect(result.status == 1 && result.output.contains("needs librdkafka 2.3.0"), "\(result.output)")
            }
        }
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

    @Test("check passes every step on a plaintext broker", arguments: TestEnvironment.all)
    func checkPlaintext(broker: TestBroker) throws {
        let (status, output) = try runCLI(["check", "-b", broker.bootstrap])
        #expect(status == 0, "\(output)")
        for step in ["config", "resolve", "tcp", "metadata"] { #expect(output.contains("\(step.padding(toLength: 9, withPad: " ", startingAt: 0)) pass"), "\(step): \(output)") }
        #expect(output.contains("check: all steps passed"))
    }

    @Test("check names the failing step and the fix: closed port, untrusted CA, wrong password; passes with the right ones")
    func checkSecurity() throws {
        guard let front = TestEnvironment.front else {
            Issue.record("the TLS/SASL front is not running (make test starts it)")
            return
        }
        let sasl = ["-b", front.saslSSL, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
                    "-X", "sasl.username=\(front.user)", "-X", "ssl.ca.location=\(front.path("ca.pem"))"]
        let good = try runCLI(["check"] + sasl + ["-X", "sasl.password=\(front.password)"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("tls       pass"), "\(good.output)")
        #expect(good.output.contains("sasl      pass  authenticated as \(front.user) with SCRAM-SHA-512"), "\(good.output)")

        let wrongPassword = try runCLI(["check"] + sasl + ["-X", "sasl.password=not-the-password"])
        #expect(wrongPassword.status == 1)
        #expect(wrongPassword.output.contains("sasl      FAIL"), "\(wrongPassword.output)")
        #expect(wrongPassword.output.contains("fix:  the broker rejected the SASL credentials"), "\(wrongPassword.output)")
        #expect(!wrongPassword.output.contains("not-the-password"), "the password is never printed")

        let untrusted = try runCLI(["check", "-b", front.ssl, "-X", "security.protocol=SSL", "-X", "ssl.ca.location=\(front.path("other-ca.pem"))"])
        #expect(untrusted.status == 1)
        #expect(untrusted.output.contains("tls       FAIL"), "\(untrusted.output)")
        #expect(untrusted.output.contains("fix:  set ssl.ca.location to the CA certificate that signed the broker's certificate"), "\(untrusted.output)")

        let closed = try runCLI(["check", "-b", "127.0.0.1:1"])
        #expect(closed.status == 1)
        #expect(closed.output.contains("tcp       FAIL  127.0.0.1:1: Connection refused"), "\(closed.output)")

        let unresolvable = try runCLI(["check", "-b", "no-such-host.invalid:9092"])
        #expect(unresolvable.output.contains("resolve   FAIL  no-such-host.invalid"), "\(unresolvable.output)")
    }

    @Test("SIGTERM while producing at full speed: every acknowledged message is in the topic, the rest is handed back", arguments: TestEnvironment.all)
    func produceSigterm(broker: TestBroker) async throws {
        let topic = uniqueTopic("sigterm")
        let total = 300_000
        let undelivered = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("undelivered")).path
        let input = (0..<total).map { "m\($0)" }.joined(separator: "\n") + "\n"
        let producer = try ExampleProcess("rdkafka-cli", ["produce", "-t", topic, "-b", broker.bootstrap, "--report", "--undelivered", undelivered], input: input)
        try await producer.waitFor("delivered ", count: 2_000)
        producer.signal(SIGTERM)
        let (status, output) = producer.waitForExit()
        #expect(status == 143, "exit status 128 + SIGTERM")
        let summary = try #require(output.split(separator: "\n").first { $0.hasPrefix("stopped by signal 15") }, "\(output.suffix(2_000))")
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // "stopped by signal 15: SENT of TOTAL messages sent, DELIVERED delivered, LEFT handed back ..."
        let (sent, delivered, left) = (numbers[1], numbers[3], numbers[4])
        #expect(sent < total, "the signal came before the input ran out: \(summary)")
        #expect(delivered + left == sent, "\(summary)")
        #expect(output.components(separatedBy: "delivered \(topic)").count - 1 == delivered, "one report per delivered message")
        let handedBack = (try? String(contentsOfFile: undelivered, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(handedBack == left)

        var config = broker.configuration()
        config["enable.partition.eof"] = "true"
        let consumer = try KafkaConsumer(configuration: config)
        try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<broker.autoCreatedPartitions).map { (TopicPartition(topic, $0), KafkaOffset.beginning) }))
        let stored = try await KafkaTestSupport.collect(delivered, from: consumer, timeout: .seconds(60))
        #expect(Set(stored.compactMap(\.valueString)).count == delivered)
        #expect(try await consumer.poll(maxMessages: 10, timeout: .seconds(1)).isEmpty, "nothing beyond what was acknowledged")
        try await consumer.close()
        print("sigterm: \(summary)")
    }

    @Test("produce -J takes what consume -J prints: key, value, headers and partition round-trip", arguments: TestEnvironment.all)
    func jsonRoundTrip(broker: TestBroker) throws {
        let topic = uniqueTopic("cli-json")
        let input = [
            #"{"key":"k1","value":"v1","headers":[{"a":"1"},{"a":"2"}],"partition":0}"#,
            #"{"value":{"n":1},"partition":0}"#,
            #"{"key":null,"value":"v3","partition":0}"#,
        ].joined(separator: "\n")
        let produced = try runCLI(["produce", "-t", topic, "-b", broker.bootstrap, "-J"], input: input)
        #expect(produced.status == 0, "\(produced.output)")
        let consumed = try runCLI(["consume", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-J", "-b", broker.bootstrap])
        #expect(consumed.status == 0, "\(consumed.output)")
        let lines = consumed.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(objects.count == 3, "\(consumed.output)")
        #expect(objects[0]["key"] as? String == "k1")
        #expect(objects[0]["value"] as? String == "v1")
        #expect((objects[0]["headers"] as? [[String: String]])?.map { $0["a"] } == ["1", "2"], "headers in order, duplicates kept")
        #expect(objects[1]["value"] as? String == #"{"n":1}"#, "a JSON value is sent as its text")
        #expect(objects[2]["key"] is NSNull)
        #expect(objects.allSatisfy { $0["partition"] as? Int == 0 })

        let bad = try runCLI(["produce", "-t", topic, "-b", broker.bootstrap, "-J"], input: "not json\n")
        #expect(bad.status != 0)
        #expect(bad.output.contains("input line 1 is not a JSON object"), "\(bad.output)")
    }

    @Test("consume -G -c 40 on 100 messages prints 40 and commits those 40, no more: a lag of 60", arguments: TestEnvironment.all)
    func consumeCountCommitsOnlyPrinted(broker: TestBroker) async throws {
        let topic = uniqueTopic("cli-count")
        let group = uniqueTopic("cli-count-group")
        let tp = TopicPartition(topic, 0)
        try await fill(broker, topic: topic, count: 100)
        let consumed = try runCLI(["consume", "-t", topic, "-G", group, "-c", "40", "-b", broker.bootstrap])
        #expect(consumed.status == 0, "\(consumed.output)")
        #expect(consumed.output.split(separator: "\n").filter { $0.hasPrefix("m-") }.count == 40, "\(consumed.output)")
        let check = try KafkaConsumer(configuration: groupConfig(broker, group: group))
        let committed = try await check.committed(for: [tp])[tp]
        let end = try await check.watermarkOffsets(for: tp).high
        #expect(committed == 40, "the messages printed, not the rest of a polled batch")
        #expect(end - (committed ?? 0) == 60, "lag")
        try await check.close()
    }

    @Test("produce to an unreachable broker counts the message once and names the connection failure, not _PURGE_QUEUE")
    func produceUnreachable() throws {
        let result = try runCLI(["produce", "-t", uniqueTopic("cli-down"), "-b", "127.0.0.1:1", "-X", "message.timeout.ms=3000"], input: "one\n")
        #expect(result.status == 1, "\(result.output)")
        let summary = try #require(result.output.split(separator: "\n").first { $0.contains("messages failed") }, "\(result.output)")
        #expect(summary.contains("1 of 1 messages failed"), "\(summary)")
        #expect(summary.contains("Connection refused"), "\(summary)")
        #expect(!summary.contains("_PURGE_QUEUE"), "\(summary)")
    }

    @Test("-X group.protocol=consumer on a librdkafka without KIP-848 names the release it needs and the one loaded",
          .disabled(if: Librdkafka.supports(.consumerGroupProtocol), "librdkafka \(Librdkafka.version) has KIP-848"))
    func consumerProtocolOnOldLibrary() throws {
        let result = try runCLI(["consume", "-t", "t", "-G", "g", "-X", "group.protocol=consumer", "-b", "127.0.0.1:1"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("needs librdkafka 2.12.0") && result.output.contains("loaded librdkafka \(Librdkafka.version)"), "\(result.output)")
    }

    @Test("consume --share-group --ack release prints delivery_count 1; the released records come back with 2 to the next member",
          .enabled(if: Librdkafka.supports(.shareConsumer), "needs librdkafka 2.15.0"))
    func shareGroupConsume() async throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.setShareGroupDefaults(startAtEarliest: true)
        let topic = uniqueTopic("cli-share")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for i in 0..<3 { _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "job\(i)")) }
        _ = await producer.shutdown()
        let group = uniqueTopic("cli-share-group")
        let arguments = ["consume", "-b", cluster.bootstrapServers, "-t", topic, "--share-group", group, "-c", "3", "-J",
                         "-X", "log_level=3"]
        let released = try runCLI(arguments + ["--ack", "release"])
        #expect(released.status == 0, "\(released.output)")
        let first = released.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(first.count == 3 && first.allSatisfy { $0.contains("\"delivery_count\":1") }, "\(released.output)")
        let accepted = try runCLI(arguments)
        let second = accepted.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(accepted.status == 0 && second.count == 3 && second.allSatisfy { $0.contains("\"delivery_count\":2") }, "\(accepted.output)")
        let misuse = try runCLI(["consume", "-t", topic, "--share-group", group, "-o", "end", "-b", cluster.bootstrapServers])
        #expect(misuse.status == 2 && misuse.output.contains("-o do not apply to a share group"), "\(misuse.output)")
    }

    @Test("consume --share-group on a librdkafka without share consumers names the release it needs",
          .disabled(if: Librdkafka.supports(.shareConsumer), "librdkafka \(Librdkafka.version) has share consumers"))
    func shareGroupOnOldLibrary() throws {
        let result = try runCLI(["consume", "-t", "t", "--share-group", "g", "-b", "127.0.0.1:1"])
        #expect(result.status == 1 && result.output.contains("needs librdkafka 2.15.0"), "\(result.output)")
    }

    @Test("produce -s value=avro --value-schema registers and encodes JSON lines; consume -s value=avro prints them as Avro JSON; a wrong registry secret fails without showing it")
    func avroThroughTheRegistry() async throws {
        guard let (_, registry, secret) = TestEnvironment.schemaRegistry, let mock = TestEnvironment.all.first else {
            Issue.record("the test registry is not running (make test starts it)")
            return
        }
        let topic = uniqueTopic("cli-avro")
        let schemaFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(topic).avsc").path
        try #"{"type": "record", "name": "Price", "fields": [{"name": "product", "type": "string"}, {"name": "price", "type": "double"}, {"name": "note", "type": ["null", "string"], "default": null}]}"#
            .write(toFile: schemaFile, atomically: true, encoding: .utf8)
        let input = #"{"product": "ABC", "price": 100.5, "note": {"string": "new"}}"# + "\n" + #"{"product": "XYZ", "price": 2, "note": null}"# + "\n"
        let produced = try runCLI(["produce", "-t", topic, "-b", mock.bootstrap, "-s", "value=avro", "-r", registry, "--value-schema", schemaFile], input: input)
        #expect(produced.status == 0, "\(produced.output)")
        let consumed = try runCLI(["consume", "-t", topic, "-b", mock.bootstrap, "-o", "beginning", "-e", "-s", "value=avro", "-r", registry])
        #expect(consumed.status == 0, "\(consumed.output)")
        let lines = consumed.output.split(separator: "\n").filter { $0.hasPrefix("{") }.map(String.init).sorted()  // partitions interleave
        #expect(lines == [#"{"product":"ABC","price":100.5,"note":{"string":"new"}}"#, #"{"product":"XYZ","price":2.0,"note":null}"#], "\(consumed.output)")
        let wrong = registry.replacingOccurrences(of: secret, with: "not-the-secret-42")
        let refused = try runCLI(["consume", "-t", topic, "-b", mock.bootstrap, "-o", "beginning", "-e", "-s", "value=avro", "-r", wrong])
        #expect(refused.status == 1 && refused.output.contains("HTTP 401") && !refused.output.contains("not-the-secret-42"), "\(refused.output)")
    }

    @Test("produce -s value=json checks each line against the JSON schema and registers it; consume -s value=json prints the records; a line that breaks the schema names it")
    func jsonSchemaThroughTheRegistry() async throws {
        guard let (_, registry, _) = TestEnvironment.schemaRegistry, let mock = TestEnvironment.all.first else {
            Issue.record("the test registry is not running (make test starts it)")
            return
        }
        let topic = uniqueTopic("cli-json")
        let schemaFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(topic).json").path
        try #"{"type": "object", "properties": {"product": {"type": "string"}, "price": {"type": "number", "minimum": 0}}, "required": ["product", "price"]}"#
            .write(toFile: schemaFile, atomically: true, encoding: .utf8)
        let input = #"{"product": "ABC", "price": 100.5}"# + "\n" + #"{"product": "XYZ", "price": 2}"# + "\n"
        let produced = try runCLI(["produce", "-t", topic, "-b", mock.bootstrap, "-s", "value=json", "-r", registry, "--value-schema", schemaFile], input: input)
        #expect(produced.status == 0, "\(produced.output)")
        let consumed = try runCLI(["consume", "-t", topic, "-b", mock.bootstrap, "-o", "beginning", "-e", "-s", "value=json", "-r", registry])
        #expect(consumed.status == 0, "\(consumed.output)")
        let lines = consumed.output.split(separator: "\n").filter { $0.hasPrefix("{") }.map(String.init).sorted()
        #expect(lines == [#"{"price":100.5,"product":"ABC"}"#, #"{"price":2,"product":"XYZ"}"#], "\(consumed.output)")
        let wrongWay = try runCLI(["consume", "-t", topic, "-b", mock.bootstrap, "-o", "beginning", "-e", "-s", "value=avro", "-r", registry])
        #expect(wrongWay.status == 1 && wrongWay.output.contains("JSON"), "a JSON Schema record read as Avro says so: \(wrongWay.output)")
        let invalid = try runCLI(["produce", "-t", topic, "-b", mock.bootstrap, "-s", "value=json", "-r", registry, "--value-schema", schemaFile],
                                 input: #"{"product": "ABC", "price": -1}"# + "\n")
        #expect(invalid.status == 1 && invalid.output.contains("line 1") && invalid.output.contains("price"), "\(invalid.output)")
        let unknown = try runCLI(["consume", "-t", topic, "-b", mock.bootstrap, "-s", "value=protobuf", "-r", registry])
        #expect(unknown.status == 2 && unknown.output.contains("avro or json"), "\(unknown.output)")
    }

    @Test("an unknown option is refused with status 2, naming it, with the command's usage; nothing runs")
    func unknownOptions() throws {
        let consume = try runCLI(["consume", "--queue-group", "x"])
        #expect(consume.status == 2, "\(consume.output)")
        #expect(consume.output.contains("unknown option '--queue-group'"), "\(consume.output)")
        #expect(consume.output.contains("Usage: rdkafka-cli consume"), "\(consume.output)")
        // No input: it exits before reading any, and writing to its closed stdin could fail.
        let produce = try runCLI(["produce", "--nope"])
        #expect(produce.status == 2, "\(produce.output)")
        #expect(produce.output.contains("unknown option '--nope'"), "\(produce.output)")
        #expect(!produce.output.contains("cannot read"), "not taken for a file name")
    }

    @Test("--help and -h print the command's usage and exit 0")
    func commandHelp() throws {
        let produce = try runCLI(["produce", "--help"])
        #expect(produce.status == 0, "\(produce.output)")
        #expect(produce.output.contains("Usage: rdkafka-cli produce"), "\(produce.output)")
        #expect(produce.output.contains("[--undelivered FILE]"), "\(produce.output)")
        for command in ["consume", "topics", "groups", "check", "config", "demo"] {
            let help = try runCLI([command, "-h"])
            #expect(help.status == 0, "\(command): \(help.output)")
            #expect(help.output.contains("Usage: rdkafka-cli \(command)"), "\(command): \(help.output)")
        }
    }
}
