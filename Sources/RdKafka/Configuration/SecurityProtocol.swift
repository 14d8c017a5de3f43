/// How a client talks to brokers. The corresponding librdkafka property is `security.protocol`.
public enum SecurityProtocol: String, Sendable, CaseIterable {
    case plaintext = "plaintext"
    case ssl = "ssl"
    case saslPlaintext = "sasl_plaintext"
    case saslSSL = "sasl_ssl"

    var usesSSL: Bool { self == .ssl || self == .saslSSL }
    var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
}
