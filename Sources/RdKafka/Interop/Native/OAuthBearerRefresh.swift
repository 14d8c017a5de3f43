import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Serves librdkafka's OAUTHBEARER token refresh with the app's ``OAuthBearerTokenProvider``.
///
/// librdkafka asks on its background thread (SASL queue forwarded there, so no app polling is
/// needed); the provider runs as a task of its own, bounded by its timeout, and the answer goes
/// back with `rd_kafka_oauthbearer_set_token` or `rd_kafka_oauthbearer_set_token_failure`.
/// Both are quick and thread-safe; the lock keeps them from racing `rd_kafka_destroy`.
/// `@unchecked` because the client pointer is only used under that lock.
final class OAuthBearerRefresh: @unchecked Sendable {
    /// What the SDK knows of the token in use, for error reports (never the value).
    struct TokenInfo: Sendable {
        var principal: String
        /// Seconds since 1970 when the stated lifetime ends.
        var expires: Double
        /// The JWT's `exp` claim, when the token is a JWT that has one.
        var jwtExpiry: Double?
        var isJWT: Bool
    }

    /// The handle the tokens go to: a client (`rd_kafka_t`) or a share consumer
    /// (`rd_kafka_share_t`, through its own calls).
    enum Target: @unchecked Sendable {
        case client(OpaquePointer)
        case shareConsumer(OpaquePointer)
    }

    private let provider: OAuthBearerTokenProvider
    private let client = Locked<Target?>(nil)
    let current = Locked<TokenInfo?>(nil)
    private let remember: @Sendable (String) -> Void

    /// The client's count of credentials handed over, which each token raises.
    private let handovers: Handovers

    /// `remember` receives each token value, which the client then scrubs from its logs.
    init(provider: OAuthBearerTokenProvider, remember: @escaping @Sendable (String) -> Void, handovers: Handovers) {
        self.provider = provider
        self.remember = remember
        self.handovers = handovers
    }

    /// Routes librdkafka's refresh requests to `context.tokens` on a queue of their own.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_enable_sasl_queue(conf, 1)
        rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf) { _, config, opaque in
            guard let opaque else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            context.tokens?.refresh(config: config.map { String(cString: $0) } ?? "")
        }
    }

    /// Starts serving refreshes for `target` on librdkafka's background thread.
    func attach(_ target: Target) throws(KafkaError) {
        client.withLock { $0 = target }
        let error: OpaquePointer?
        switch target {
        case .client(let rk): error = rd_kafka_sasl_background_callbacks_enable(rk)
        case .shareConsumer(let rkshare): error = NewerAPI.shareSASLBackground?(rkshare)
        }
        if let error {
            defer { rd_kafka_error_destroy(error) }
            client.withLock { $0 = nil }
            throw KafkaError(code: .criticalSystemResource,
                message: "librdkafka could not serve OAUTHBEARER token refreshes: \(String(cString: rd_kafka_error_string(error)))")
        }
    }

    /// No more calls into `rk`: called before it is destroyed.
    func detach() { client.withLock { $0 = nil } }

    private func refresh(config: String) {
        Task.detached { [self] in
            switch await fetch(config) {
            case .success(let token): set(token)
            case .failure(let reason): fail(reason)
            }
        }
    }

    private enum Outcome: Sendable { case success(OAuthBearerToken), failure(String) }

    /// The provider's answer, or a failure once its timeout passes (even if it ignores
    /// cancellation and runs on).
    private func fetch(_ config: String) async -> Outcome {
        let first = FirstOf<Outcome>()
        let provider = self.provider
        let work = Task {
            do {
                first.resolve(.success(try await provider.fetch(config)))
            } catch {
                first.resolve(.failure("the token provider threw: \(error)"))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: provider.timeout)
            first.resolve(.failure("the token provider did not answer within \(provider.timeout)"))
        }
        let outcome = await withUnsafeContinuation { first.install($0) }
        work.cancel()
        timer.cancel()
        return outcome
    }

    private func set(_ token: OAuthBearerToken) {
        remember(token.value)
        if let problem = Self.problem(with: token) {
            fail(problem)
            return
        }
        let now = Date().timeIntervalSince1970
        let lifetime = Double(token.lifetime.components.seconds) + Double(token.lifetime.components.attoseconds) / 1e18
        let expires = now + lifetime
        let keys = token.extensions.keys.sorted()
        let extensions = keys.flatMap { [$0, token.extensions[$0] ?? ""] }
        let jwtExpiry = Self.jwtExpiry(token.value)
        let info = TokenInfo(principal: token.principal, expires: expires, jwtExpiry: jwtExpiry.flatMap { $0 }, isJWT: jwtExpiry != nil)
        let refused: String? = client.withLock { target in
            guard let target else { return nil }
            // Known before librdkafka has the token: a broker may refuse it before set_token
            // returns, and that error's diagnosis reads `current`.
            let previous = current.withLock { old in defer { old = info }; return old }
            var errstr = [CChar](repeating: 0, count: 512)
            let code = handovers.handingOver { Syscalls.withCStrings(extensions) { pointers in
                pointers.withUnsafeMutableBufferPointer { buffer in
                    switch target {
                    case .client(let rk):
                        return rd_kafka_oauthbearer_set_token(
                            rk, token.value, Int64(expires * 1000), token.principal, buffer.baseAddress, buffer.count,
                            &errstr, errstr.count)
                    case .shareConsumer(let rkshare):
                        return NewerAPI.shareSetToken?(
                            rkshare, token.value, Int64(expires * 1000), token.principal, buffer.baseAddress, buffer.count,
                            &errstr, errstr.count) ?? RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED
                    }
                }
            } }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
            current.withLock { $0 = previous }
            return Interop.string(errstr)
        }
        if let refused {
            fail("librdkafka refused the token from the provider: \(refused)")
        }
    }

    private func fail(_ reason: String) {
        client.withLock { target in
            switch target {
            case .client(let rk): _ = rd_kafka_oauthbearer_set_token_failure(rk, reason)
            case .shareConsumer(let rkshare): _ = NewerAPI.shareSetTokenFailure?(rkshare, reason)
            case nil: break
            }
        }
    }

    /// What is wrong with a token before librdkafka sees it, said plainly.
    static func problem(with token: OAuthBearerToken) -> String? {
        if token.value.isEmpty { return "the token provider returned an empty token" }
        if token.principal.isEmpty { return "the token provider returned a token without a principal" }
        if token.lifetime <= .zero {
            return "the token provider returned a token that has already expired (lifetime \(token.lifetime))"
        }
        for key in token.extensions.keys where key == "auth" || key.isEmpty || !key.allSatisfy({ $0.isASCII && $0.isLetter }) {
            return "the token provider returned the SASL extension key '\(key)': keys are letters only, and not 'auth'"
        }
        return nil
    }

    /// The `exp` claim of a JWT: nil when the token is not a JWT, `.some(nil)` when it has no
    /// readable `exp`.
    static func jwtExpiry(_ token: String) -> Double?? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = String(parts[1]).replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let claims = try? JSONDecoder().decode(ExpiryClaim.self, from: data)
        else { return nil }
        return .some(claims.exp)
    }

    private struct ExpiryClaim: Decodable { var exp: Double? }

    /// A sentence about the token in use, for an authentication error.
    func diagnosis() -> String? {
        guard let info = current.withLock({ $0 }) else { return "no token had been set" }
        let now = Date().timeIntervalSince1970
        var parts = ["token for principal '\(info.principal)'", Self.relative("its stated lifetime", info.expires - now)]
        if let exp = info.jwtExpiry {
            parts.append(Self.relative("its JWT exp claim", exp - now))
        } else if !info.isJWT {
            parts.append("it is not a JWT")
        }
        return parts.joined(separator: ", ")
    }

    private static func relative(_ what: String, _ seconds: Double) -> String {
        let amount = Int(abs(seconds).rounded())
        return seconds >= 0 ? "\(what) ends in \(amount) s" : "\(what) ended \(amount) s ago"
    }
}
