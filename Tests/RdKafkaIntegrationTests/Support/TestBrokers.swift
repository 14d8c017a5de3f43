import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// The brokers integration tests run against. `scripts/brokers.sh` starts them and exports
/// their addresses (`.brokers/env`); this is the one place that reads them.
///
/// With `KAFKA_BOOTSTRAP_SERVERS` set, the suite runs against that cluster instead, and skips
/// (saying so) what needs the mock cluster's fault injection or the TLS/SASL front.
struct TestBroker: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    enum Kind: String, Sendable { case mock, noida, external }
    let kind: Kind
    let bootstrap: String

    var description: String { "\(kind.rawValue)(\(bootstrap))" }
    var testDescription: String { kind.rawValue }

    func configuration() -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [bootstrap])
        config["topic.metadata.refresh.interval.ms"] = "1000"
        return config
    }

    /// How many partitions a topic gets when first used.
    var autoCreatedPartitions: Int32 { kind == .mock ? 4 : 1 }
}

enum TestEnvironment {
    static let env = ProcessInfo.processInfo.environment

    /// The test Schema Registry (scripts/schema_registry.py, started by `make test`): its URL,
    /// and the URL with the credentials in it, as `-r` takes it.
    static var schemaRegistry: (url: String, withCredentials: String, secret: String)? {
        guard let url = env["RDKAFKA_TEST_SCHEMA_REGISTRY_URL"], let user = env["RDKAFKA_TEST_SCHEMA_REGISTRY_USER"],
              let secret = env["RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET"] else { return nil }
        return (url, url.replacingOccurrences(of: "://", with: "://\(user):\(secret)@"), secret)
    }

    /// How many times slower than a plain debug build this run is (`make check` runs under
    /// AddressSanitizer with full stack unwinding and sets `RDKAFKA_TEST_SLOWDOWN`): waits that
    /// bound how long the brokers and clients may take scale with it; counts never do.
    static let slowdown = max(1, Int(env["RDKAFKA_TEST_SLOWDOWN"] ?? "") ?? 1)

    /// An in-process mock cluster for runs without `make test` (plain `swift test`).
    static let embeddedCluster: MockCluster? = {
        guard env["RDKAFKA_TEST_MOCK_BOOTSTRAP"] == nil else { return nil }
        return try? MockCluster(brokers: 3)
    }()

    static var external: TestBroker? {
        env["KAFKA_BOOTSTRAP_SERVERS"].map { TestBroker(kind: .external, bootstrap: $0) }
    }

    static var mock: TestBroker? {
        if external != nil { return nil }
        if let bootstrap = env["RDKAFKA_TEST_MOCK_BOOTSTRAP"] { return TestBroker(kind: .mock, bootstrap: bootstrap) }
        return embeddedCluster.map { TestBroker(kind: .mock, bootstrap: $0.bootstrapServers) }
    }

    static var noida: TestBroker? {
        if external != nil { return nil }
        return env["RDKAFKA_TEST_NOIDA_BOOTSTRAP"].map { TestBroker(kind: .noida, bootstrap: $0) }
    }

    /// Every broker the core tests run on.
    static var all: [TestBroker] {
        if let external { return [external] }
        return [mock, noida].compactMap { $0 }
    }

    /// Brokers with admin, timestamps and read_committed (noida-db, or a real cluster).
    static var full: [TestBroker] {
        if let external { return [external] }
        return [noida].compactMap { $0 }
    }

    static var front: Front? {
        guard external == nil, let certs = env["RDKAFKA_TEST_CERTS_DIR"], let ssl = env["RDKAFKA_TEST_SSL_BOOTSTRAP"],
              let saslSSL = env["RDKAFKA_TEST_SASL_SSL_BOOTSTRAP"], let saslPlain = env["RDKAFKA_TEST_SASL_PLAINTEXT_BOOTSTRAP"]
        else { return nil }
        return Front(
            ssl: ssl, saslSSL: saslSSL, saslPlaintext: saslPlain, certs: certs,
            user: env["RDKAFKA_TEST_SASL_USER"] ?? "alice", password: env["RDKAFKA_TEST_SASL_PASSWORD"] ?? "alice-secret",
            keyPassword: env["RDKAFKA_TEST_KEY_PASSWORD"] ?? "client-key-secret",
            keystorePassword: env["RDKAFKA_TEST_KEYSTORE_PASSWORD"] ?? "keystore-secret",
            oauthSecretFile: env["RDKAFKA_TEST_OAUTH_SECRET_FILE"], oauthIssuer: env["RDKAFKA_TEST_OAUTH_ISSUER"])
    }

    struct Front: Sendable {
        let ssl, saslSSL, saslPlaintext, certs, user, password, keyPassword, keystorePassword: String
        /// The front's OAUTHBEARER signing secret and the script that mints tokens with it.
        let oauthSecretFile, oauthIssuer: String?
        func path(_ file: String) -> String { "\(certs)/\(file)" }

        /// A token the front accepts for `subject` until `lifetime` seconds from now (the
        /// test's identity provider: scripts/front_oauth.py).
        func mintToken(subject: String, lifetime: Double, scope: String = "kafka") async throws -> String {
            let issuer = try #require(oauthIssuer), secret = try #require(oauthSecretFile)
            return try await Task.detached {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", issuer, "mint", "--secret-file", secret, "--sub", subject,
                                     "--lifetime", String(lifetime), "--scope", scope]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }.value
        }
    }
}

/// A topic name no other test uses.
func uniqueTopic(_ base: String = "t") -> String {
    "\(base)-\(UInt32.random(in: 0...UInt32.max))"
}

/// Polls `condition` every 50 ms until it holds; throws, naming `what`, after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw KafkaTestTimeout(what: what, got: 0) }
        try await Task.sleep(for: .milliseconds(50))
    }
}
