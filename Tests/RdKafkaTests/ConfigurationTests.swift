import Foundation
@testable import RdKafka
import Testing

/// A scratch directory for files a test writes.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "rdkafka-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = "\(path)/\(name)"
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }
    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = "\(path)/\(name)"
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum PEM {
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n"
    static let encryptedKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIHsMFcGCSqGSIb3DQEF\n-----END ENCRYPTED PRIVATE KEY-----\n"
    static let legacyEncryptedKey = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,AB\n\nMIIE\n-----END RSA PRIVATE KEY-----\n"
}

@Suite("Typed configuration and the escape hatch")
struct TypedConfigurationTests {
    @Test("typed properties write librdkafka's property names")
    func typedPropertiesMapToNames() {
        var config = KafkaConfiguration(bootstrapServers: ["a:9092", "b:9092"])
        config.clientID = "app"
        config.securityProtocol = .saslSSL
        config.saslMechanism = .scramSHA512
        config.saslUsername = "u"
        config.saslPassword = "p"
        config.sslCALocation = "/ca.pem"
        config.sslEndpointIdentification = false
        config.acks = .all
        config.enableIdempotence = true
        config.linger = .milliseconds(5)
        config.compression = .zstd
        config.groupID = "g"
        config.autoOffsetReset = .earliest
        config.enableAutoCommit = false
        config.partitionAssignmentStrategy = .cooperativeSticky
        config.isolationLevel = .readCommitted
        config.debugContexts = ["broker", "security"]
        let expected: [String: String] = [
            "bootstrap.servers": "a:9092,b:9092", "client.id": "app", "security.protocol": "sasl_ssl",
            "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "u", "sasl.password": "p", "ssl.ca.location": "/ca.pem",
            "ssl.endpoint.identification.algorithm": "none", "acks": "all", "enable.idempotence": "true", "linger.ms": "5",
            "compression.codec": "zstd", "group.id": "g", "auto.offset.reset": "earliest", "enable.auto.commit": "false",
            "partition.assignment.strategy": "cooperative-sticky", "isolation.level": "read_committed", "debug": "broker,security",
        ]
        for (name, value) in expected { #expect(config[name] == value, "\(name)") }
        #expect(config.saslMechanism == .scramSHA512)
        #expect(config.securityProtocol == .saslSSL)
        #expect(config.bootstrapServers == ["a:9092", "b:9092"])
    }

    @Test("any librdkafka property can be set by name, and nil restores the default")
    func escapeHatch() throws {
        var config = KafkaConfiguration()
        config["socket.keepalive.enable"] = "true"
        #expect(config["socket.keepalive.enable"] == "true")
        try config.validate()
        config["socket.keepalive.enable"] = nil
        #expect(config["socket.keepalive.enable"] == nil)
        #expect(config.properties.isEmpty)
    }

    @Test("an unknown property name is rejected with its name and origin when validated")
    func unknownPropertyRejected() throws {
        let dir = TempDir()
        let file = dir.write("client.properties", "bootstrap.servers=x:1\n\nbootstrap.srevers=y:2\n")
        let config = try KafkaConfiguration(contentsOfFile: file)
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "bootstrap.srevers")
        #expect(error.origin == .file(path: file, line: 3))
        #expect(error.description.contains("\(file):3"))
    }

    @Test("an invalid value is rejected with librdkafka's reason")
    func invalidValueRejected() throws {
        var config = KafkaConfiguration()
        config["linger.ms"] = "-5"
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "linger.ms")
        #expect(error.message.contains("outside allowed range"))
        #expect(error.code == .invalidArgument)
    }

    @Test("creating a client with a bad value fails at creation, not at first use")
    func clientCreationValidates() {
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config["acks"] = "sometimes"
        #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: config) }
        #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: config) }
    }
}

@Suite("Configuration files and environment")
struct ConfigurationLoadingTests {
    @Test("a Confluent Cloud client.properties loads unchanged and validates")
    func confluentCloudProperties() throws {
        let dir = TempDir()
        let file = dir.write("client.properties", """
            # Required connection configs for Kafka producer, consumer, and admin
            bootstrap.servers=pkc-12345.us-east-1.aws.confluent.cloud:9092
            security.protocol=SASL_SSL
            sasl.mechanisms=PLAIN
            sasl.username=ABCDEFGHIJKLMNOP
            sasl.password=cflt/secret+key==
            # Best practice for higher availability in librdkafka clients prior to 1.7
            session.timeout.ms=45000
            client.id=ccloud-swift-client
            """)
        let config = try KafkaConfiguration(contentsOfFile: file)
        #expect(config.securityProtocol == .saslSSL)
        #expect(config.saslMechanism == .plain)
        #expect(config.saslUsername == "ABCDEFGHIJKLMNOP")
        #expect(config.saslPassword == "cflt/secret+key==")
        #expect(config.entry("sasl.password")?.origin == .file(path: file, line: 6))
        try config.validate()
    }

    @Test("a Java client.properties is translated: sasl.mechanism, JAAS, serializers, DNS lookup")
    func javaPropertiesTranslated() throws {
        let dir = TempDir()
        let file = dir.write("java.properties", """
            bootstrap.servers=broker:9092
            security.protocol=SASL_SSL
            sasl.mechanism=SCRAM-SHA-256
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" password="s3cr=t;x";
            key.serializer=org.apache.kafka.common.serialization.StringSerializer
            value.serializer=io.confluent.kafka.serializers.KafkaAvroSerializer
            client.dns.lookup=use_all_dns_ips
            acks=all
            """)
        let config = try KafkaConfiguration(contentsOfFile: file)
        #expect(config["sasl.mechanisms"] == "SCRAM-SHA-256")
        #expect(config["sasl.mechanism"] == nil)
        #expect(config.saslUsername == "svc")
        #expect(config.saslPassword == "s3cr=t;x")
        #expect(config["key.serializer"] == nil)
        #expect(config.warnings.contains { $0.contains("key.serializer") })
        // Passed on where the loaded librdkafka knows it (2.2+), else dropped with a warning.
        let dnsWarned = config.warnings.contains { $0.contains("client.dns.lookup") }
        #expect(dnsWarned != (config["client.dns.lookup"] == "use_all_dns_ips"), "\(config.warnings)")
        #expect(!config.warnings.joined().contains("s3cr"))
        try config.validate()
    }

    @Test("PLAIN JAAS config becomes username and password")
    func plainJaas() throws {
        var config = KafkaConfiguration()
        try config.apply("sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username='ignored' username=\"key\" password=\"secret\";",
            origin: .code)
        #expect(config.saslUsername == "key")
        #expect(config.saslPassword == "secret")
    }

    @Test("ssl.truststore settings are rejected with the keytool command to export the CA")
    func truststoreRejected() throws {
        let dir = TempDir()
        let file = dir.write("ssl.properties", "security.protocol=SSL\nssl.truststore.location=/etc/kafka/truststore.jks\n")
        let error = try #require(throws: KafkaError.self) { _ = try KafkaConfiguration(contentsOfFile: file) }
        #expect(error.property == "ssl.truststore.location")
        #expect(error.origin == .file(path: file, line: 2))
        #expect(error.fix?.contains("keytool -exportcert -rfc") == true)
        #expect(error.fix?.contains("ssl.ca.location") == true)
    }

    @Test("a JKS keystore is rejected with the exact keytool -importkeystore command")
    func jksKeystoreRejected() throws {
        let dir = TempDir()
        let jks = dir.write("keystore.bin", bytes: [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2])
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .ssl
        config.sslKeystoreLocation = jks
        config.sslKeystorePassword = "pw"
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.keystore.location")
        #expect(error.fix?.contains("keytool -importkeystore -srckeystore \(jks) -destkeystore keystore.p12 -deststoretype PKCS12") == true)

        let file = dir.write("c.properties", "ssl.keystore.type=JKS\n")
        let typeError = try #require(throws: KafkaError.self) { _ = try KafkaConfiguration(contentsOfFile: file) }
        #expect(typeError.fix?.contains("-deststoretype PKCS12") == true)
    }

    @Test("appsettings.json: a named section, nested sections, line numbers")
    func jsonSections() throws {
        let dir = TempDir()
        let file = dir.write("appsettings.json", """
            {
              // .NET style
              "Logging": { "LogLevel": { "Default": "Information" } },
              "Kafka": {
                "bootstrap.servers": "broker:9092",
                "security.protocol": "SASL_SSL",
                "sasl.mechanisms": "PLAIN",
                "sasl.username": "key",
                "sasl.password": "secret",
                "Producer": { "linger.ms": 5, "enable.idempotence": true }
              }
            }
            """)
        let config = try KafkaConfiguration(contentsOfFile: file, section: "Kafka:Producer")
        #expect(config["linger.ms"] == "5")
        #expect(config["enable.idempotence"] == "true")
        #expect(config.entry("linger.ms")?.origin == .file(path: file, line: 10))
        var full = try KafkaConfiguration(contentsOfFile: file, section: "Kafka")
        #expect(full.saslPassword == "secret")
        #expect(full.entry("sasl.username")?.origin == .file(path: file, line: 8))
        #expect(full["Producer.linger.ms"] == "5")
        full.remove("Producer.linger.ms")
        full.remove("Producer.enable.idempotence")
        try full.validate()
    }

    @Test("appsettings.json with Confluent.Kafka (.NET) names and enum values maps to librdkafka properties")
    func dotNetNames() throws {
        let dir = TempDir()
        let file = dir.write("appsettings.json", """
            {
              "Kafka": {
                "BootstrapServers": "pkc-1.confluent.cloud:9092",
                "SecurityProtocol": "SaslSsl",
                "SaslMechanism": "ScramSha256",
                "SaslUsername": "key",
                "SaslPassword": "secret",
                "GroupId": "g",
                "AutoOffsetReset": "Earliest",
                "EnableAutoCommit": false,
                "PartitionAssignmentStrategy": "CooperativeSticky",
                "IsolationLevel": "ReadCommitted",
                "Acks": "All"
              }
            }
            """)
        let config = try KafkaConfiguration(contentsOfFile: file, section: "Kafka")
        #expect(config.bootstrapServers == ["pkc-1.confluent.cloud:9092"])
        #expect(config.securityProtocol == .saslSSL)
        #expect(config.saslMechanism == .scramSHA256)
        #expect(config["sasl.username"] == "key")
        #expect(config.groupID == "g")
        #expect(config["auto.offset.reset"] == "earliest")
        #expect(config["enable.auto.commit"] == "false")
        #expect(config["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(config["isolation.level"] == "read_committed")
        #expect(config["acks"] == "all")
        #expect(config.entry("sasl.mechanisms")?.origin == .file(path: file, line: 5))
        try config.validate()

        let typo = dir.write("typo.json", "{\n  \"BootstrapServer\": \"a:1\"\n}")
        let error = try #require(throws: KafkaError.self) { try KafkaConfiguration(contentsOfFile: typo).validate() }
        #expect(error.origin == .file(path: typo, line: 2), "\(error)")
    }

    @Test("a flat JSON file and JSON errors with their line")
    func flatJsonAndErrors() throws {
        let dir = TempDir()
        let flat = dir.write("flat.json", "{\"bootstrap.servers\": [\"a:1\", \"b:2\"], \"acks\": \"all\", \"client.id\": null}")
        let config = try KafkaConfiguration(contentsOfFile: flat)
        #expect(config.bootstrapServers == ["a:1", "b:2"])
        #expect(config["client.id"] == nil)
        let broken = dir.write("broken.json", "{\n  \"a\": 1,\n  \"b\" 2\n}")
        let error = try #require(throws: KafkaError.self) { _ = try KafkaConfiguration(contentsOfFile: broken) }
        #expect(error.origin == .file(path: broken, line: 3))
        let missing = try #require(throws: KafkaError.self) { _ = try KafkaConfiguration(contentsOfFile: flat, section: "Kafka") }
        #expect(missing.message.contains("no section 'Kafka'"))
    }

    @Test("environment variables map KAFKA_X_Y to x.y and ignore unrelated KAFKA_ variables")
    func environmentOverrides() throws {
        var config = KafkaConfiguration()
        let unused = try config.applyEnvironment([
            "KAFKA_BOOTSTRAP_SERVERS": "env:9092", "KAFKA_SASL_PASSWORD": "pw", "KAFKA_HOME": "/opt/kafka",
            "KAFKA_OPTS": "-Xmx1g", "KAFKA_SASL_MECHANISM": "PLAIN", "PATH": "/bin",
        ])
        #expect(config.bootstrapServers == ["env:9092"])
        #expect(config.saslPassword == "pw")
        #expect(config["sasl.mechanisms"] == "PLAIN")
        #expect(config.entry("bootstrap.servers")?.origin == .environment(variable: "KAFKA_BOOTSTRAP_SERVERS"))
        #expect(unused.sorted() == ["KAFKA_HOME", "KAFKA_OPTS"])
        #expect(KafkaConfiguration.propertyName(forEnvironmentVariable: "KAFKA_SSL_CA_LOCATION") == "ssl.ca.location")
        #expect(KafkaConfiguration.propertyName(forEnvironmentVariable: "KAFKA_SOME__UNDERSCORE") == "some_underscore")
    }

    @Test("precedence, low to high: file, environment, code")
    func precedence() throws {
        let dir = TempDir()
        let file = dir.write("p.properties", "bootstrap.servers=file:1\nclient.id=file\nlinger.ms=1\n")
        var config = try KafkaConfiguration.load(file: file, environment: ["KAFKA_CLIENT_ID": "env", "KAFKA_LINGER_MS": "2"])
        config.linger = .milliseconds(3)
        #expect(config.bootstrapServers == ["file:1"])
        #expect(config.clientID == "env")
        #expect(config.linger == .milliseconds(3))
        #expect(config.entry("bootstrap.servers")?.origin == .file(path: file, line: 1))
        #expect(config.entry("client.id")?.origin == .environment(variable: "KAFKA_CLIENT_ID"))
        #expect(config.entry("linger.ms")?.origin == .code)
    }

    @Test("time properties take Duration and keep librdkafka's milliseconds: linger to the microsecond, the rest whole, huge values saturate")
    func durationProperties() throws {
        var config = KafkaConfiguration()
        config.linger = .microseconds(1_500)
        #expect(config["linger.ms"] == "1.5")
        #expect(config.linger == .microseconds(1_500))
        config.linger = .milliseconds(5)
        #expect(config["linger.ms"] == "5")
        config.sessionTimeout = .seconds(45)
        #expect(config["session.timeout.ms"] == "45000")
        config.maxPollInterval = .microseconds(299_999_600)
        #expect(config["max.poll.interval.ms"] == "300000", "rounded to the nearest millisecond")
        config.messageTimeout = .seconds(Int64.max)
        #expect(config["message.timeout.ms"] == String(Int64.max / 1000), "saturates instead of trapping")
        config["auto.commit.interval.ms"] = "250"
        #expect(config.autoCommitInterval == .milliseconds(250))
        config.statisticsInterval = nil
        #expect(config["statistics.interval.ms"] == nil)
        // Out of range for librdkafka: the client refuses it, naming the property.
        var bad = KafkaConfiguration()
        bad.bootstrapServers = ["127.0.0.1:1"]
        bad.groupID = "g"
        bad.sessionTimeout = .milliseconds(-5)
        #expect(bad["session.timeout.ms"] == "-5")
        let error = #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: bad) }
        #expect(error?.description.contains("session.timeout.ms") == true, "\(String(describing: error))")
    }

    @Test("a missing configuration file is a clear error")
    func missingFile() {
        #expect(throws: KafkaError.self) { _ = try KafkaConfiguration(contentsOfFile: "/nonexistent/client.properties") }
    }
}
