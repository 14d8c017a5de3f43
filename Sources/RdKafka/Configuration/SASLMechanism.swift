/// A SASL mechanism. The corresponding librdkafka property is `sasl.mechanisms`.
public enum SASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
    case oauthBearer = "OAUTHBEARER"
    case gssapi = "GSSAPI"

    /// The `builtin.features` entry librdkafka needs for this mechanism.
    var requiredFeature: String {
        switch self {
        case .plain: return "sasl_plain"
        case .scramSHA256, .scramSHA512: return "sasl_scram"
        case .oauthBearer: return "sasl_oauthbearer"
        case .gssapi: return "sasl_gssapi"
        }
    }
}
