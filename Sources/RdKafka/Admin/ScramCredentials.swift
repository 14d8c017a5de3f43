/// A SASL/SCRAM mechanism (`rd_kafka_ScramMechanism_t`).
public enum ScramMechanism: String, Sendable, Hashable, CaseIterable {
    case sha256 = "SCRAM-SHA-256"
    case sha512 = "SCRAM-SHA-512"

    var code: Int32 { self == .sha256 ? 1 : 2 }
    init?(code: Int32) {
        switch code {
        case 1: self = .sha256
        case 2: self = .sha512
        default: return nil
        }
    }
}

/// A user's SCRAM credentials as the cluster reports them: mechanisms and iteration counts,
/// never the secret (``KafkaAdmin/describeUserScramCredentials(_:timeout:)``).
public struct UserScramCredentials: Sendable, Hashable {
    public struct Credential: Sendable, Hashable {
        public var mechanism: ScramMechanism
        public var iterations: Int
    }

    public var user: String
    public var credentials: [Credential]
    /// Why this user could not be described (such as an unknown user), or `nil`.
    public var error: KafkaError?
}

/// One change for ``KafkaAdmin/alterUserScramCredentials(_:timeout:)``. The password never
/// appears in a description.
public enum ScramCredentialChange: Sendable, Hashable, CustomStringConvertible {
    /// Creates or replaces `user`'s credential for `mechanism` (the salt is random).
    case upsert(user: String, mechanism: ScramMechanism, iterations: Int = 8_192, password: String)
    /// Removes `user`'s credential for `mechanism`.
    case delete(user: String, mechanism: ScramMechanism)

    public var user: String {
        switch self {
        case .upsert(let user, _, _, _), .delete(let user, _): return user
        }
    }

    public var description: String {
        switch self {
        case .upsert(let user, let mechanism, let iterations, _):
            return "upsert(\(user), \(mechanism.rawValue), \(iterations) iterations, password: \(KafkaConfiguration.redacted))"
        case .delete(let user, let mechanism):
            return "delete(\(user), \(mechanism.rawValue))"
        }
    }
}
