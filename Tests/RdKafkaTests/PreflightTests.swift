import Foundation
@testable import RdKafka
import Testing

@Suite("Pre-flight checks before a client is created")
struct PreflightTests {
    func sslConfig(_ dir: TempDir) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: ["broker:9093"])
        config.securityProtocol = .ssl
        config.sslCALocation = dir.write("ca.pem", PEM.certificate)
        config.sslCertificateLocation = dir.write("service.cert", PEM.certificate)
        config.sslKeyLocation = dir.write("service.key", PEM.key)
        return config
    }

    @Test("an Aiven-style SSL set (CA, certificate, key files) passes")
    func aivenSetPasses() throws {
        let dir = TempDir()
        try sslConfig(dir).preflight(features: Librdkafka.builtinFeatures)
    }

    @Test("a named file that does not exist names the property and the path")
    func missingFile() throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslCALocation = "\(dir.path)/nope.pem"
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.ca.location")
        #expect(error.message.contains("does not exist"))
        #expect(error.message.contains("nope.pem"))
    }

    @Test("a private key given as the certificate is recognised")
    func keyAsCertificate() throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslCertificateLocation = dir.write("oops.pem", PEM.key)
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.certificate.location")
        #expect(error.fix?.contains("ssl.key.location") == true)
    }

    @Test("a certificate given as the key is recognised")
    func certificateAsKey() throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslKeyLocation = dir.write("oops.key", PEM.certificate)
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.key.location")
        #expect(error.fix?.contains("ssl.certificate.location") == true)
    }

    @Test("a CA file without a certificate is rejected")
    func emptyCA() throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslCALocation = dir.write("ca.txt", "not a certificate\n")
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.ca.location")
        #expect(error.message.contains("holds no certificate"))
    }

    @Test("an encrypted key without a password is rejected, in PKCS#8 and legacy PEM form", arguments: [PEM.encryptedKey, PEM.legacyEncryptedKey])
    func encryptedKeyWithoutPassword(key: String) throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslKeyLocation = dir.write("enc.key", key)
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.key.password")
        config.sslKeyPassword = "pw"
        try config.preflight(features: Librdkafka.builtinFeatures)
    }

    @Test("a JKS file given as the CA gets the export command")
    func jksAsCA() throws {
        let dir = TempDir()
        var config = sslConfig(dir)
        config.sslCALocation = dir.write("truststore.jks", bytes: [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0])
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.message.contains("Java KeyStore"))
        #expect(error.fix?.contains("keytool -exportcert") == true)
    }

    @Test("a PEM file given as the PKCS#12 keystore is rejected")
    func pemAsKeystore() throws {
        let dir = TempDir()
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .ssl
        config.sslKeystoreLocation = dir.write("client.pem", PEM.certificate + PEM.key)
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "ssl.keystore.location")
    }

    @Test("in-memory PEM is checked too")
    func inMemoryPEM() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .ssl
        config.sslCAPEM = PEM.key
        let error = try #require(throws: KafkaError.self) { try config.preflight(features: Librdkafka.builtinFeatures) }
        #expect(error.property == "ssl.ca.pem")
    }

    @Test("a mechanism missing from builtin.features is refused before the client is made")
    func mechanismMissingFromBuild() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .saslSSL
        config.saslMechanism = .scramSHA256
        config.saslUsername = "u"
        config.saslPassword = "p"
        let features = Librdkafka.builtinFeatures.subtracting(["sasl_scram"])
        let error = try #require(throws: KafkaError.self) { try config.preflight(features: features) }
        #expect(error.property == "sasl.mechanisms")
        #expect(error.message.contains("sasl_scram"))
        try config.preflight(features: Librdkafka.builtinFeatures)
        let noSSL = Librdkafka.builtinFeatures.subtracting(["ssl"])
        #expect(throws: KafkaError.self) { try config.preflight(features: noSSL) }
    }

    @Test("SASL PLAIN without a password, and SASL without a mechanism, are refused")
    func saslIncomplete() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .saslPlaintext
        let noMechanism = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(noMechanism.property == "sasl.mechanisms")
        config.saslMechanism = .plain
        config.saslUsername = "u"
        let noPassword = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(noPassword.property == "sasl.password")
    }

    @Test("OIDC is refused clearly when this librdkafka build lacks it")
    func oidcWhereUnsupported() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .saslSSL
        config.saslMechanism = .oauthBearer
        config.useOIDC(clientID: "id", clientSecret: "oidc-client-secret", tokenEndpointURL: "https://idp/token")
        do {
            try config.validate()
        } catch {
            #expect(error.property == "sasl.oauthbearer.method")
            #expect(!error.description.contains("oidc-client-secret"))
        }
    }

    @Test("librdkafka's version and builtin features are exposed")
    func versionAndFeatures() {
        #expect(Librdkafka.version.hasPrefix("2."))
        #expect(Librdkafka.versionNumber > 0x0200_0000)
        #expect(Librdkafka.builtinFeatures.contains("ssl"))
    }
}

@Suite("Secrets never appear in descriptions, logs or errors")
struct RedactionTests {
    static let secrets = ["hunter2-sasl", "key-pass-77", "keystore-pw-99", "oauth-client-secret-x", "-----BEGIN PRIVATE KEY-----\nSECRETPEM\n"]

    func configWithSecrets() -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.saslPassword = Self.secrets[0]
        config.sslKeyPassword = Self.secrets[1]
        config.sslKeystorePassword = Self.secrets[2]
        config["sasl.oauthbearer.client.secret"] = Self.secrets[3]
        config.sslKeyPEM = Self.secrets[4]
        return config
    }

    @Test("description shows [redacted] in place of every secret")
    func description() {
        let text = configWithSecrets().description
        for secret in Self.secrets { #expect(!text.contains(secret)) }
        #expect(text.contains("sasl.password=[redacted]"))
    }

    @Test("an invalid secret value is not echoed in the error")
    func invalidSecretValue() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config["ssl.keystore.password"] = "keystore-pw-99"
        config["sasl.password"] = "hunter2-sasl"
        config["enable.idempotence"] = "hunter2-sasl"  // a secret pasted in the wrong place is still data
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(!error.description.contains("keystore-pw-99"))
    }

    @Test("errors from a file with secrets and the log lines of a client never contain them")
    func errorsAndLogs() async throws {
        let dir = TempDir()
        let file = dir.write("secret.properties", "sasl.password=\(Self.secrets[0])\nsasl.username=u\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanisms=PLAIN\nbootstrap.servers=127.0.0.1:1\ndebug=all\n")
        let config = try KafkaConfiguration(contentsOfFile: file)
        let lines = LogCollector()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: lines.handler))
        _ = await producer.shutdown(timeout: .milliseconds(500))
        let all = lines.text
        #expect(!all.isEmpty)
        #expect(!all.contains(Self.secrets[0]))
        #expect(!config.description.contains(Self.secrets[0]))
    }
}

/// Collects log lines from any thread.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [KafkaLogMessage] = []
    var handler: KafkaLogHandler { { [self] line in lock.lock(); lines.append(line); lock.unlock() } }
    var text: String { lock.lock(); defer { lock.unlock() }; return lines.map(\.description).joined(separator: "\n") }
    var messages: [KafkaLogMessage] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite("KafkaError")
struct KafkaErrorTests {
    @Test("codes carry librdkafka's names and texts")
    func names() {
        #expect(KafkaError.Code.messageTimedOut.name == "_MSG_TIMED_OUT")
        #expect(KafkaError.Code.unknownTopicOrPartition.name == "UNKNOWN_TOPIC_OR_PART")
        #expect(KafkaError.Code.saslAuthenticationFailed.name == "SASL_AUTHENTICATION_FAILED")
        #expect(!KafkaError.Code.queueFull.text.isEmpty)
    }

    @Test("description names the code, property, origin, fix and flags")
    func description() {
        let error = KafkaError(code: .invalidArgument, message: "bad", isRetriable: true, property: "acks",
            origin: .file(path: "/x.properties", line: 4), fix: "use all")
        #expect(error.description == "KafkaError._INVALID_ARG [acks]: bad (set at /x.properties:4). Fix: use all [retriable]")
    }

    @Test("an OAUTHBEARER token provider needs OAUTHBEARER over SASL, and is the only token source")
    func tokenProviderChecks() throws {
        let provider = OAuthBearerTokenProvider { _ in OAuthBearerToken(value: "t", lifetime: .seconds(60), principal: "p") }
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.oauthBearerTokenProvider = provider
        let plaintext = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(plaintext.property == "security.protocol")
        config.securityProtocol = .saslSSL
        config.saslMechanism = .plain
        config.saslUsername = "u"
        config.saslPassword = "p"
        let plain = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(plain.property == "sasl.mechanisms")
        config.saslMechanism = .oauthBearer
        try config.validate()
        config.saslOAuthBearerUnsecureJWT = true
        let twoSources = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(twoSources.property == "enable.sasl.oauthbearer.unsecure.jwt")
        #expect(config.description.contains("OAUTHBEARER token provider"))
    }

    @Test("OAUTHBEARER without a token source is refused, naming the provider and OIDC")
    func oauthBearerNeedsTokens() throws {
        var config = KafkaConfiguration(bootstrapServers: ["b:1"])
        config.securityProtocol = .saslSSL
        config.saslMechanism = .oauthBearer
        let error = try #require(throws: KafkaError.self) { try config.validate() }
        #expect(error.property == "sasl.mechanisms")
        #expect(error.fix?.contains("oauthBearerTokenProvider") == true)
        #expect(error.fix?.contains("sasl.oauthbearer.method=oidc") == true)
    }

    @Test("an OAUTHBEARER token describes itself without its value")
    func tokenDescription() {
        let token = OAuthBearerToken(value: "header.claims.signature", lifetime: .seconds(60), principal: "svc", extensions: ["logicalCluster": "lkc-1"])
        #expect(!token.description.contains("signature"))
        #expect(token.description.contains("svc"))
        #expect(token.description.contains("logicalCluster"))
    }
}
