import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// TLS and SASL end to end through the test front (scripts/kafka_front.py) in front of noida-db.
@Suite("Security end to end through the TLS/SASL front", .serialized, .enabled(if: TestEnvironment.front != nil, "needs the TLS/SASL front from make test"))
struct SecurityTests {
    let front = TestEnvironment.front!

    func sslConfig() -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [front.ssl])
        config.securityProtocol = .ssl
        config.sslCALocation = front.path("ca.pem")
        config.sslCertificateLocation = front.path("client.pem")
        config.sslKeyLocation = front.path("client.key")
        config.sslKeyPassword = front.keyPassword
        return config
    }

    func saslConfig(_ mechanism: SASLMechanism, password: String? = nil) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [front.saslSSL])
        config.securityProtocol = .saslSSL
        config.saslMechanism = mechanism
        config.saslUsername = front.user
        config.saslPassword = password ?? front.password
        config.sslCALocation = front.path("ca.pem")
        return config
    }

    /// Produces one message and consumes it back with the same configuration.
    func roundTrip(_ config: KafkaConfiguration) async throws {
        let topic = uniqueTopic("secure")
        let producer = try KafkaProducer(configuration: config)
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "secret payload"))
        #expect(report.error == nil)
        _ = await producer.shutdown()
        let consumer = try KafkaConsumer(configuration: config)
        try await consumer.assign([TopicPartition(topic, report.partition): .offset(try #require(report.offset))])
        let messages = try await KafkaTestSupport.collect(1, from: consumer, timeout: .seconds(20))
        #expect(messages.first?.valueString == "secret payload")
        try await consumer.close()
    }

    /// Sends one message and expects a KafkaError within `seconds`.
    func expectFastFailure(_ config: KafkaConfiguration, seconds: Double = 10, _ check: (KafkaError) -> Void) async throws {
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        let start = ContinuousClock.now
        do {
            _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("fail"), value: "x"))
            Issue.record("the send succeeded, but it should have failed")
        } catch let error as KafkaError {
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(seconds), "took \(elapsed)")
            check(error)
        }
        #expect(!errors.all.isEmpty, "a client error event was expected")
        _ = await producer.shutdown(timeout: .seconds(1))
    }

    @Test("SSL with CA, client certificate and encrypted key produces and consumes")
    func sslMutualTLS() async throws {
        try await roundTrip(sslConfig())
    }

    @Test("SSL with a PKCS#12 keystore produces and consumes")
    func sslKeystore() async throws {
        var config = KafkaConfiguration(bootstrapServers: [front.ssl])
        config.securityProtocol = .ssl
        config.sslCALocation = front.path("ca.pem")
        config.sslKeystoreLocation = front.path("client.p12")
        config.sslKeystorePassword = front.keystorePassword
        try await roundTrip(config)
    }

    @Test("SASL_SSL produces and consumes with each mechanism", arguments: [SASLMechanism.plain, .scramSHA256, .scramSHA512])
    func saslSSL(mechanism: SASLMechanism) async throws {
        try await roundTrip(saslConfig(mechanism))
    }

    @Test("SASL_PLAINTEXT SCRAM-SHA-256 produces and consumes")
    func saslPlaintext() async throws {
        var config = KafkaConfiguration(bootstrapServers: [front.saslPlaintext])
        config.securityProtocol = .saslPlaintext
        config.saslMechanism = .scramSHA256
        config.saslUsername = front.user
        config.saslPassword = front.password
        try await roundTrip(config)
    }

    @Test("the same security settings work from a .properties file")
    func fromPropertiesFile() async throws {
        let dir = NSTemporaryDirectory() + "sec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sasl = "\(dir)/client.properties"
        try """
            bootstrap.servers=\(front.saslSSL)
            security.protocol=SASL_SSL
            sasl.mechanism=SCRAM-SHA-512
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="\(front.user)" password="\(front.password)";
            ssl.ca.location=\(front.path("ca.pem"))
            """.write(toFile: sasl, atomically: true, encoding: .utf8)
        try await roundTrip(try KafkaConfiguration(contentsOfFile: sasl))
        let ssl = "\(dir)/aiven.properties"
        try """
            bootstrap.servers=\(front.ssl)
            security.protocol=SSL
            ssl.ca.location=\(front.path("ca.pem"))
            ssl.certificate.location=\(front.path("client.pem"))
            ssl.key.location=\(front.path("client.key"))
            ssl.key.password=\(front.keyPassword)
            """.write(toFile: ssl, atomically: true, encoding: .utf8)
        try await roundTrip(try KafkaConfiguration(contentsOfFile: ssl))
    }

    @Test("a wrong password fails within seconds with an authentication error that says what to check")
    func wrongPassword() async throws {
        try await expectFastFailure(saslConfig(.scramSHA256, password: "not-the-password")) { error in
            #expect(error.code == .authentication)
            #expect(error.message.contains("not delivered"))
            #expect(error.fix?.contains("sasl.username and sasl.password") == true, "\(error)")
            #expect(!error.description.contains("not-the-password"))
        }
    }

    @Test("a message sent seconds after an authentication failure, while librdkafka stays quiet about it, fails fast too; new credentials end the failure")
    func sentWhileFailing() async throws {
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: saslConfig(.scramSHA256, password: "not-the-password"),
                                         options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("failing"), value: "first")) }
        // librdkafka 2.0.2 reports an identical broker failure at most once in 30 s: this send
        // comes after the reports of the first attempts and before the next.
        try await Task.sleep(for: .seconds(3))
        let start = ContinuousClock.now
        do {
            _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("failing"), value: "later"))
            Issue.record("the send succeeded with a wrong password")
        } catch let error as KafkaError {
            #expect(ContinuousClock.now - start < .seconds(5), "took \(ContinuousClock.now - start)")
            #expect(error.code == .authentication, "\(error)")
        }
        try producer.updateSASLCredentials(username: front.user, password: front.password)
        let report = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("failing"), value: "after rotation"))
        #expect(report.error == nil)
        #expect(errors.all.contains { $0.code == .authentication })
        _ = await producer.shutdown(timeout: .seconds(1))
    }

    @Test("an untrusted CA fails within seconds with an SSL error that names ssl.ca.location")
    func untrustedCA() async throws {
        var config = sslConfig()
        config.sslCALocation = front.path("other-ca.pem")
        try await expectFastFailure(config) { error in
            // librdkafka reports the failed handshake as _SSL, or as _TRANSPORT carrying the SSL
            // reason when the connection is torn down first.
            #expect(error.code == .ssl || (error.code == .transport && error.message.lowercased().contains("ssl")), "\(error)")
            #expect(error.fix?.contains("ssl.ca.location") == true, "\(error)")
        }
    }

    @Test("a missing client certificate fails within seconds with an error that names the certificate settings")
    func missingClientCertificate() async throws {
        var config = KafkaConfiguration(bootstrapServers: [front.ssl])
        config.securityProtocol = .ssl
        config.sslCALocation = front.path("ca.pem")
        try await expectFastFailure(config) { error in
            #expect(error.code == .ssl || error.code == .transport)
            #expect(error.fix?.contains("ssl.certificate.location") == true, "\(error)")
        }
    }

    @Test("a consumer with a wrong password throws from its message loop within seconds")
    func consumerWrongPassword() async throws {
        let consumer = try KafkaConsumer(configuration: saslConfig(.plain, password: "nope"), options: .init(logHandler: KafkaLog.none))
        try await consumer.assign([TopicPartition(uniqueTopic("c"), 0): .beginning])
        let start = ContinuousClock.now
        await #expect(throws: KafkaError.self) {
            for try await _ in consumer.messages {}
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        try? await consumer.close(timeout: .seconds(5))
    }
    /// A second front, on a free port, whose TLS listener presents `serverCertificate` (a file
    /// basename in the certificates directory).
    func extraFront(serverCertificate: String) throws -> (process: Process, bootstrap: String) {
        let upstream = try #require(TestEnvironment.noida?.bootstrap)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("front")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(front.user):\(front.password)\n".write(toFile: "\(directory)/users.txt", atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/kafka_front.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--upstream", upstream, "--certs", front.certs, "--users", "\(directory)/users.txt",
                             "--listen", "ssl=0", "--server-cert", serverCertificate, "--ready-file", "\(directory)/ready",
                             "--log", "\(directory)/front.log"]
        // Not the test's own output: swift test waits for every holder of that pipe to close it.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: "\(directory)/ready", encoding: .utf8),
               let port = text.split(whereSeparator: { !$0.isNumber }).last.flatMap({ Int($0) }), port > 0 {
                return (process, "127.0.0.1:\(port)")
            }
            usleep(50_000)
        }
        stop(process)
        throw KafkaTestTimeout(what: "a front with \(serverCertificate)", got: 0)
    }

    /// The front finishes open connections on SIGTERM; a test's front is simply killed.
    func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test("an expired broker certificate fails within seconds and says it expired, not that the CA is wrong")
    func expiredCertificate() async throws {
        let (process, bootstrap) = try extraFront(serverCertificate: "expired-server")
        defer { stop(process) }
        var config = sslConfig()
        config.bootstrapServers = [bootstrap]
        try await expectFastFailure(config) { error in
            #expect(error.code == .ssl)
            #expect(error.message.contains("has expired"), "\(error)")
            #expect(error.fix?.contains("renew") == true, "\(error)")
        }
    }

    @Test("a broker certificate for another host name fails within seconds and names the mismatch")
    func hostnameMismatch() async throws {
        let (process, bootstrap) = try extraFront(serverCertificate: "wrong-host-server")
        defer { stop(process) }
        var config = sslConfig()
        config.bootstrapServers = [bootstrap]
        config["ssl.endpoint.identification.algorithm"] = "https"
        try await expectFastFailure(config) { error in
            #expect(error.code == .ssl)
            #expect(error.message.contains("does not name the host"), "\(error)")
            #expect(error.fix?.contains("ssl.endpoint.identification.algorithm") == true, "\(error)")
        }
        // The same certificate passes once the name check is off (for tests only).
        config["ssl.endpoint.identification.algorithm"] = "none"
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none))
        let report = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("hostname"), value: "x"))
        #expect(report.error == nil)
        _ = await producer.shutdown()
    }

    @Test("an untrusted broker certificate names ssl.ca.location and the broker")
    func untrustedNamesBroker() async throws {
        var config = sslConfig()
        config.sslCALocation = front.path("other-ca.pem")
        try await expectFastFailure(config) { error in
            #expect(error.message.contains("is not signed by a CA this client trusts"), "\(error)")
        }
    }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [KafkaError] = []
    func append(_ error: KafkaError) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [KafkaError] { lock.lock(); defer { lock.unlock() }; return errors }

}
