import Foundation
import RdKafka
import RdKafkaTesting
import Testing

/// SASL OAUTHBEARER through the test front, which validates signed tokens, enforces their
/// expiry, and refuses bad ones the way a broker does (scripts/front_oauth.py). Also
/// credential rotation for PLAIN/SCRAM.
@Suite("OAUTHBEARER and credential rotation through the TLS/SASL front", .serialized,
       .enabled(if: TestEnvironment.front?.oauthIssuer != nil, "needs the TLS/SASL front with OAUTHBEARER from make test"))
struct OAuthBearerTests {
    let front = TestEnvironment.front!

    /// Counts the provider's calls and keeps every token it handed out.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [ContinuousClock.Instant] = []
        private var answered: [ContinuousClock.Instant] = []
        private var tokens: [String] = []
        /// When the provider was called.
        func called() { lock.lock(); times.append(.now); lock.unlock() }
        /// When it answered, with what.
        func record(_ token: String) { lock.lock(); answered.append(.now); tokens.append(token); lock.unlock() }
        var all: [ContinuousClock.Instant] { lock.lock(); defer { lock.unlock() }; return times }
        var answers: [ContinuousClock.Instant] { lock.lock(); defer { lock.unlock() }; return answered }
        var values: [String] { lock.lock(); defer { lock.unlock() }; return tokens }
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    func config(_ provider: OAuthBearerTokenProvider) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: [front.saslSSL])
        config.securityProtocol = .saslSSL
        config.saslMechanism = .oauthBearer
        config.sslCALocation = front.path("ca.pem")
        config.oauthBearerTokenProvider = provider
        return config
    }

    /// A provider handing out tokens the front accepts, each valid for `lifetime` seconds.
    func provider(_ calls: Calls, lifetime: Double = 300, extensions: [String: String] = [:]) -> OAuthBearerTokenProvider {
        let front = self.front
        let user = front.user
        return OAuthBearerTokenProvider { _ in
            calls.called()
            let token = try await front.mintToken(subject: user, lifetime: lifetime)
            calls.record(token)
            return OAuthBearerToken(value: token, lifetime: .milliseconds(Int(lifetime * 1000)), principal: user,
                                    extensions: extensions)
        }
    }

    /// Sends one message, expecting it to fail within `seconds` with an authentication error.
    func expectAuthenticationFailure(_ config: KafkaConfiguration, seconds: Double = 10) async throws -> KafkaError {
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        let start = ContinuousClock.now
        defer { Task { _ = await producer.shutdown(timeout: .seconds(1)) } }
        do {
            _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("oauth-fail"), value: "x"))
            Issue.record("the send succeeded, but it should have failed")
        } catch {
            #expect(ContinuousClock.now - start < .seconds(seconds), "took \(ContinuousClock.now - start)")
        }
        let error = try #require(errors.all.first { $0.code == .authentication }, "no authentication error among \(errors.all)")
        #expect(error.fix != nil)
        return error
    }

    @Test("a token from the provider produces and consumes, and the token appears in no log line at debug level all")
    func roundTrip() async throws {
        let calls = Calls()
        let lines = Lines()
        var config = config(provider(calls, extensions: ["traceId": "abc"]))
        config["debug"] = "all"
        let log: KafkaLogHandler = { lines.append("\($0)") }
        let topic = uniqueTopic("oauth")
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: log))
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "via token"))
        _ = await producer.shutdown()
        let consumer = try KafkaConsumer(configuration: config, options: .init(logHandler: log))
        try await consumer.assign([TopicPartition(topic, report.partition): .offset(try #require(report.offset))])
        let messages = try await KafkaTestSupport.collect(1, from: consumer, timeout: .seconds(20))
        #expect(messages.first?.valueString == "via token")
        try await consumer.close()

        let tokens = calls.values
        #expect(tokens.count >= 2, "one token per client at least")
        #expect(lines.all.contains { $0.contains("OAUTHBEARER") }, "debug logging was on")
        for token in tokens {
            // The signature alone is what would let someone reuse a token.
            let signature = String(token.split(separator: ".").last ?? "")
            #expect(!lines.all.contains { $0.contains(token) || $0.contains(signature) })
            #expect(!config.description.contains(token))
        }
    }

    @Test("the provider is called again before the token expires, and the client keeps working after the broker drops the expired connection")
    func refreshBeforeExpiry() async throws {
        let calls = Calls()
        // librdkafka refreshes after 80 % of the lifetime, checking once a second: by 87 % here,
        // seconds before the end on a loaded machine too. The front closes the connection at
        // 100 %, so later sends travel on a connection authenticated with a newer token.
        let lifetime = 15.0
        let producer = try KafkaProducer(configuration: config(provider(calls, lifetime: lifetime)), options: .init(logHandler: KafkaLog.none))
        let topic = uniqueTopic("oauth-refresh")
        let first = try await producer.send(KafkaProducerMessage(topic: topic, value: "first"))
        #expect(first.error == nil)
        // The lifetime counts from the provider's answer (minting a token takes a while here).
        let start = try #require(calls.answers.first)
        try await Task.sleep(for: .seconds(lifetime + 2))
        let times = calls.all
        #expect(times.count >= 2, "the provider was called \(times.count) time(s)")
        if times.count >= 2 {
            #expect(times[1] - start < .milliseconds(Int(lifetime * 1000)), "second call \(times[1] - start) after the first answer")
        }
        let later = try await producer.send(KafkaProducerMessage(topic: topic, value: "after expiry"))
        #expect(later.error == nil)
        _ = await producer.shutdown()
    }

    @Test("a token that has already expired fails fast, saying so, before it reaches the broker")
    func expiredLifetime() async throws {
        let user = front.user
        let provider = OAuthBearerTokenProvider { _ in
            OAuthBearerToken(value: "eyJhbGciOiJIUzI1NiJ9.e30.sig", lifetime: .seconds(-5), principal: user)
        }
        let error = try await expectAuthenticationFailure(config(provider))
        #expect(error.message.contains("already expired"), "\(error)")
        #expect(error.fix?.contains("token provider") == true, "\(error)")
    }

    @Test("a message sent just after the authentication failure fails fast too (it came after that failure's purge)")
    func sentAfterFailure() async throws {
        let user = front.user
        let provider = OAuthBearerTokenProvider { _ in
            OAuthBearerToken(value: "eyJhbGciOiJIUzI1NiJ9.e30.sig", lifetime: .seconds(-5), principal: user)
        }
        let errors = ErrorBox()
        let producer = try KafkaProducer(configuration: config(provider), options: .init(logHandler: KafkaLog.none, errorHandler: { errors.append($0) }))
        defer { Task { _ = await producer.shutdown(timeout: .seconds(1)) } }
        for _ in 0..<1_000 where !errors.all.contains(where: { $0.code == .authentication }) { try await Task.sleep(for: .milliseconds(5)) }
        try #require(errors.all.contains { $0.code == .authentication }, "no authentication error among \(errors.all)")
        let start = ContinuousClock.now
        await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("oauth-after"), value: "x")) }
        #expect(ContinuousClock.now - start < .seconds(5), "took \(ContinuousClock.now - start)")
    }

    @Test("a token whose exp claim has passed is refused by the broker, and the error says the claim passed")
    func expiredClaim() async throws {
        let front = self.front, user = front.user
        let provider = OAuthBearerTokenProvider { _ in
            OAuthBearerToken(value: try await front.mintToken(subject: user, lifetime: -30), lifetime: .seconds(300), principal: user)
        }
        let error = try await expectAuthenticationFailure(config(provider))
        #expect(error.message.contains("JWT exp claim ended"), "\(error)")
        #expect(error.fix?.contains("refused the OAUTHBEARER token") == true, "\(error)")
    }

    @Test("a malformed token is refused by the broker, and the error says it is not a JWT")
    func malformedToken() async throws {
        let user = front.user
        let provider = OAuthBearerTokenProvider { _ in
            OAuthBearerToken(value: "not-a-token", lifetime: .seconds(300), principal: user)
        }
        let error = try await expectAuthenticationFailure(config(provider))
        #expect(error.message.contains("not a JWT"), "\(error)")
        #expect(!error.description.contains("not-a-token"))
    }

    @Test("a valid token for a principal the broker does not allow is refused, with the principal named")
    func refusedPrincipal() async throws {
        let front = self.front
        let provider = OAuthBearerTokenProvider { _ in
            OAuthBearerToken(value: try await front.mintToken(subject: "mallory", lifetime: 300), lifetime: .seconds(300), principal: "mallory")
        }
        let error = try await expectAuthenticationFailure(config(provider))
        #expect(error.message.contains("principal 'mallory'"), "\(error)")
        #expect(error.fix?.contains("principal and scope") == true, "\(error)")
    }

    @Test("a provider that throws, or does not answer in time, fails fast with the reason")
    func providerFailures() async throws {
        struct IdentityProviderDown: Error, CustomStringConvertible { var description: String { "identity provider answered 503" } }
        let throwing = OAuthBearerTokenProvider { _ in throw IdentityProviderDown() }
        let thrown = try await expectAuthenticationFailure(config(throwing))
        #expect(thrown.message.contains("identity provider answered 503"), "\(thrown)")
        #expect(thrown.fix?.contains("token provider") == true, "\(thrown)")

        let hanging = OAuthBearerTokenProvider(timeout: .seconds(1)) { _ in
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
        let late = try await expectAuthenticationFailure(config(hanging))
        #expect(late.message.contains("did not answer within"), "\(late)")
    }

    @Test("rotated SASL credentials are used on the next connection, and the new password is never printed")
    func credentialRotation() async throws {
        var config = KafkaConfiguration(bootstrapServers: [front.saslSSL])
        config.securityProtocol = .saslSSL
        config.saslMechanism = .scramSHA256
        config.saslUsername = front.user
        config.saslPassword = "an-old-password"
        config.sslCALocation = front.path("ca.pem")
        config["debug"] = "security"
        let lines = Lines()
        let producer = try KafkaProducer(configuration: config, options: .init(logHandler: { lines.append("\($0)") }))
        await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("rotate"), value: "refused"))
        }
        try producer.updateSASLCredentials(username: front.user, password: front.password)
        let report = try await producer.send(KafkaProducerMessage(topic: uniqueTopic("rotate"), value: "accepted"))
        #expect(report.error == nil)
        _ = await producer.shutdown()
        #expect(!lines.all.contains { $0.contains(front.password) || $0.contains("an-old-password") })

        var oauth = self.config(provider(Calls()))
        oauth["debug"] = nil
        let tokenClient = try KafkaProducer(configuration: oauth, options: .init(logHandler: KafkaLog.none))
        #expect(throws: KafkaError.self) { try tokenClient.updateSASLCredentials(username: "a", password: "b") }
        _ = await tokenClient.shutdown()
    }
}
