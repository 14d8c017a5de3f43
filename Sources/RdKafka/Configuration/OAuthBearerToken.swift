/// A token from an OAuth identity provider, for SASL OAUTHBEARER.
///
/// The value is a secret: ``description`` shows the principal and lifetime only, and the SDK
/// scrubs the value from every log line and error.
public struct OAuthBearerToken: Sendable, Equatable, CustomStringConvertible {
    /// The token itself (usually a JWT), sent to the broker as `auth=Bearer <value>`.
    public var value: String
    /// How long the token stays valid from now (the provider's `expires_in`). librdkafka asks
    /// for a new token after 80 % of it.
    public var lifetime: Duration
    /// The principal the token names (the JWT's `sub`): reported in errors, never sent.
    public var principal: String
    /// SASL extensions sent with the token (RFC 7628), such as `logicalCluster` and
    /// `identityPoolId` for Confluent Cloud. Keys are letters only.
    public var extensions: [String: String]

    public init(value: String, lifetime: Duration, principal: String, extensions: [String: String] = [:]) {
        self.value = value
        self.lifetime = lifetime
        self.principal = principal
        self.extensions = extensions
    }

    public var description: String {
        let keys = extensions.keys.sorted()
        return "OAuthBearerToken(principal: \(principal), lifetime: \(lifetime), value: \(KafkaConfiguration.redacted)"
            + (keys.isEmpty ? ")" : ", extensions: \(keys))")
    }
}

/// Where a client gets its OAUTHBEARER tokens: an async closure the SDK calls when the client
/// starts and again before each token expires (librdkafka's token refresh callback).
///
/// Use it for AWS MSK IAM, Azure Entra ID or any identity provider: fetch a token, return it
/// with its lifetime and principal, or throw. The closure runs as a task of its own, not on
/// librdkafka's thread, so it may await network calls; it gets ``timeout`` to answer, after
/// which the attempt counts as failed. A failure is reported to the client's error handler
/// with the reason (`KafkaError.Code.authentication`) and librdkafka asks again about 10
/// seconds later; a token already set stays in use until it expires.
///
/// The closure receives the value of `sasl.oauthbearer.config` (empty when unset), which a
/// configuration file can use to pass provider settings.
///
/// Equal only to itself (copies of one provider compare equal).
public struct OAuthBearerTokenProvider: Sendable, Equatable {
    private final class Box: Sendable {
        let fetch: @Sendable (String) async throws -> OAuthBearerToken
        init(_ fetch: @escaping @Sendable (String) async throws -> OAuthBearerToken) { self.fetch = fetch }
    }
    private let box: Box
    /// How long one call of the closure may take.
    public var timeout: Duration

    public init(timeout: Duration = .seconds(30), _ fetch: @escaping @Sendable (_ oauthBearerConfig: String) async throws -> OAuthBearerToken) {
        self.box = Box(fetch)
        self.timeout = timeout
    }

    func fetch(_ config: String) async throws -> OAuthBearerToken { try await box.fetch(config) }

    public static func == (a: Self, b: Self) -> Bool { a.box === b.box && a.timeout == b.timeout }
}
