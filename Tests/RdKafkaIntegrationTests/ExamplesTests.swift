import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// The seed scenarios in Examples/, run as the programs a user runs.
@Suite("Seed scenario examples", .serialized, .timeLimit(.minutes(3)))
struct ExamplesTests {
    /// A properties file in a fresh directory, for examples that take `-F`.
    private func propertiesFile(_ lines: [String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("example"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("client.properties").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func produce(_ broker: TestBroker, topic: String, _ values: [String]) async throws {
        let producer = try KafkaProducer(configuration: broker.configuration())
        for value in values { _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, value: KafkaPayload(value))) }
        #expect(await producer.shutdown().isEmpty)
    }

    @Test("streaming (Siddhi): starts at productions=2, resumes after a crash, nothing lost or repeated", arguments: TestEnvironment.full)
    func productionStream(broker: TestBroker) async throws {
        let input = uniqueTopic("productions")
        let output = uniqueTopic("production-totals")
        let group = uniqueTopic("production-stream")
        let admin = try KafkaAdmin(configuration: broker.configuration())
        _ = try await admin.createTopics([NewTopic(name: input, partitions: 1, replicationFactor: 1)])
        let event = { (name: String, amount: Int) in #"{"event":{"name":"\#(name)","amount":\#(amount)}}"# }
        try await produce(broker, topic: input, (0..<5).map { event("cup cake \($0)", 100 * $0) })
        // Static membership: the restarted process takes over the crashed member's partition at
        // once instead of waiting for its session to expire.
        let file = try propertiesFile(["bootstrap.servers=\(broker.bootstrap)", "group.instance.id=\(group)-1",
                                       "session.timeout.ms=6000", "heartbeat.interval.ms=500"])
        let common = ["-F", file, "--input", input, "--output", output, "-G", group]

        let first = try ExampleProcess("production-stream", common + ["--from", "\(input)=2", "--idle", "3"]).waitForExit()
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("processed 3 events"), "\(first.output)")
        #expect(!first.output.contains("[0]@1 ->"), "offsets 0 and 1 are skipped")

        try await produce(broker, topic: input, (5..<8).map { event("almond cookie \($0)", $0) } + ["not json"])
        let crashed = try ExampleProcess("production-stream", common + ["--crash-after", "2"]).waitForExit()
        #expect(crashed.status == 3, "\(crashed.output)")
        let resumed = try ExampleProcess("production-stream", common + ["--idle", "3"]).waitForExit()
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("processed 4 events"), "\(resumed.output)")
        #expect(resumed.output.contains("\(input)[0]@8 -> \(input).invalid"), "bad JSON goes to the dead-letter topic")

        var config = broker.configuration()
        config.groupID = uniqueTopic("reader")
        config.autoOffsetReset = .earliest
        config.isolationLevel = .readCommitted
        let reader = try KafkaConsumer(configuration: config)
        try reader.subscribe(topics: [output])
        let records = try await KafkaTestSupport.collect(6, from: reader)
        struct Record: Decodable { var source: String }
        let sources = try records.map { try $0.decode(Record.self).source }
        #expect(sources == (2..<8).map { "\(input)[0]@\($0)" }, "each input offset from 2 on appears once, in order")
        let extra = try await reader.poll(maxMessages: 10, timeout: .seconds(2))
        #expect(extra.isEmpty, "the crashed run's open transaction stays invisible: \(extra.map(\.description))")
        try await reader.close()
    }

    @Test("config-file clients: Confluent Cloud, appsettings.json and Aiven files work unchanged against the TLS/SASL front",
          arguments: ["confluent-cloud.properties", "appsettings.json", "aiven-scram.properties", "aiven-ssl.properties"])
    func configFileClients(file: String) async throws {
        guard let front = TestEnvironment.front else {
            Issue.record("the TLS/SASL front is not running (make test starts it)")
            return
        }
        // The run directory holds what the guides download: ca.pem, service.cert, service.key.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("config-client")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (from, to) in [("ca.pem", "ca.pem"), ("client.pem", "service.cert"), ("client-plain.key", "service.key")] {
            try FileManager.default.copyItem(atPath: front.path(from), toPath: "\(directory)/\(to)")
        }
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/ConfigFileClients/config/\(file)").path
        // Only the broker address, the credentials and the test CA (Confluent Cloud's is public)
        // change, through the environment.
        let environment = [
            "KAFKA_SSL_CA_LOCATION": "ca.pem",
            "KAFKA_BOOTSTRAP_SERVERS": file == "aiven-ssl.properties" ? front.ssl : front.saslSSL,
            "KAFKA_SASL_USERNAME": front.user, "KAFKA_SASL_PASSWORD": front.password,
            "KAFKA_GROUP_ID": uniqueTopic("config-group"),
        ]
        let section = file.hasSuffix(".json") ? ["--section", "Kafka"] : []
        let topic = uniqueTopic("config-file")
        let produced = try ExampleProcess("config-file-client", ["produce", template] + section + [topic, "one", "two", "three"],
            environment: environment, directory: directory).waitForExit()
        #expect(produced.status == 0, "\(produced.output)")
        #expect(produced.output.components(separatedBy: "Delivered '").count - 1 == 3, "\(produced.output)")
        #expect(!produced.output.contains(front.password), "no secret in the output")
        let consumed = try ExampleProcess("config-file-client", ["consume", template] + section + [topic, "--count", "3"],
            environment: environment, directory: directory).waitForExit()
        #expect(consumed.status == 0, "\(consumed.output)")
        for value in ["one", "two", "three"] { #expect(consumed.output.contains("Consumed '\(value)'"), "\(consumed.output)") }
    }

    @Test("Java patterns: three send modes, then a poll loop stopped by SIGTERM commits what it processed", arguments: TestEnvironment.all)
    func javaPatterns(broker: TestBroker) async throws {
        let topic = uniqueTopic("java-patterns")
        let group = uniqueTopic("java-group")
        let sent = try ExampleProcess("java-patterns", ["send", "-b", broker.bootstrap, "-t", topic, "-n", "3"]).waitForExit()
        #expect(sent.status == 0, "\(sent.output)")
        #expect(sent.output.contains("sent 9 messages, 0 undelivered"), "\(sent.output)")
        #expect(sent.output.components(separatedBy: "sync: ").count - 1 == 3)
        #expect(sent.output.components(separatedBy: "callback: \(topic)").count - 1 == 3)

        let loop = try ExampleProcess("java-patterns", ["poll", "-b", broker.bootstrap, "-t", topic, "-G", group])
        try await loop.waitFor("consumed ", count: 9)
        loop.signal(SIGTERM)
        let stopped = loop.waitForExit()
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(stopped.output.contains("final commit done after 9 messages"), "\(stopped.output)")

        // The group's committed offsets cover all nine: a new member gets nothing.
        let consumer = try KafkaConsumer(configuration: groupConfig(broker, group: group))
        let partitions = (0..<broker.autoCreatedPartitions).map { TopicPartition(topic, $0) }
        let committed = try await consumer.committed(for: partitions)
        #expect(committed.values.filter { $0 >= 0 }.reduce(0, +) == 9, "\(committed)")
        try await consumer.close()
    }

    @Test("work queue (share group): three workers do every job once, a flaky job is released and done on its second delivery, a poison job is rejected after three",
          .enabled(if: Librdkafka.supports(.shareConsumer), "needs librdkafka 2.15.0"))
    func workQueue() async throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.setShareGroupDefaults(startAtEarliest: true, heartbeatInterval: .milliseconds(300))
        let topic = uniqueTopic("jobs")
        try cluster.createTopic(topic, partitions: 1)
        let jobs = (0..<12).map { "job-\($0)" } + ["flaky-report", "poison-pill"]
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for job in jobs { _ = try await producer.send(KafkaProducerMessage(topic: topic, value: KafkaPayload(job))) }
        _ = await producer.shutdown()
        let group = uniqueTopic("workers")
        let process = try ExampleProcess("work-queue", ["-b", cluster.bootstrapServers, "--topic", topic, "-G", group,
                                                        "--workers", "3", "--max-tries", "3", "--work-ms", "200", "--idle", "4"])
        // Kafka shares the partition among all three; the mock's assignor would give it to one.
        try await cluster.shareEveryPartition(ofGroup: group, members: 3, partitions: [TopicPartition(topic, 0)])
        let (status, output) = process.waitForExit()
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        for job in jobs.dropLast(2) {
            #expect(lines.filter { $0.hasSuffix(" did \(job) (delivery 1)") }.count == 1, "\(job) done once: \(output)")
        }
        #expect(lines.contains { $0.contains("released flaky-report (delivery 1)") }, "\(output)")
        #expect(lines.filter { $0.contains("did flaky-report (delivery 2)") }.count == 1, "\(output)")
        #expect(lines.filter { $0.contains("released poison-pill") }.count == 2, "\(output)")
        #expect(lines.contains { $0.contains("rejected poison-pill after 3 deliveries") }, "\(output)")
        #expect(output.contains("13 jobs done, 1 rejected"), "\(output)")
        let workers = Set(lines.filter { $0.contains(" did ") }.map { $0.split(separator: " ")[1] })
        #expect(workers.count > 1, "jobs spread over the workers: \(output)")
    }

    @Test("Avro prices: the portal publishes Avro records registered in the Schema Registry; inventory reads them with a newer schema (currency defaults to EUR)")
    func avroPrices() async throws {
        guard let registry = TestEnvironment.schemaRegistry?.withCredentials, let broker = TestEnvironment.all.first else {
            Issue.record("the test registry is not running (make test starts it)")
            return
        }
        let topic = uniqueTopic("avro-prices")
        let common = ["-b", broker.bootstrap, "-r", registry, "--topic", topic]
        let produced = try ExampleProcess("avro-prices", ["produce"] + common + ["ABC=100.0", "XYZ=2.5"]).waitForExit()
        #expect(produced.status == 0 && produced.output.contains("published ABC at 100.0"), "\(produced.output)")
        let consumed = try ExampleProcess("avro-prices", ["consume"] + common + ["-G", uniqueTopic("inventory"), "--count", "2"]).waitForExit()
        #expect(consumed.status == 0, "\(consumed.output)")
        #expect(consumed.output.contains("inventory: ABC now costs 100.0 EUR") && consumed.output.contains("inventory: XYZ now costs 2.5 EUR"), "\(consumed.output)")
    }
}
