/// Turns librdkafka's client errors into advice a person can act on.
enum ClientErrorAdvice {
    /// Authentication and TLS failures: retrying will not help, so queued work fails at once.
    /// Under TLS 1.3 a rejected client certificate shows up as a transport error carrying an
    /// SSL alert, after the handshake.
    static func isSecurityFailure(_ error: KafkaError) -> Bool {
        if error.code == .authentication || error.code == .ssl { return true }
        let text = error.message.lowercased()
        return error.code == .transport && (text.contains("ssl routines") || text.contains("ssl alert"))
    }

    static func annotate(_ error: inout KafkaError, mechanism: SASLMechanism? = nil) {
        guard error.fix == nil else { return }
        let text = error.message.lowercased()
        switch error.code {
        case .authentication where mechanism == .oauthBearer:
            if text.contains("failed to acquire sasl oauthbearer token") {
                error.fix = "the client has no usable OAUTHBEARER token: check the token provider (or the sasl.oauthbearer.* OIDC settings), "
                    + "the identity provider's URL, client credentials and scope, and the network; it is asked again about every 10 seconds"
            } else {
                error.fix = "the broker refused the OAUTHBEARER token: check that the broker trusts the token's issuer and audience, "
                    + "that its principal and scope are what the broker expects, that it has not expired, and that this host's clock is right"
            }
        case .authentication where mechanism == .gssapi:
            error.fix = "Kerberos (GSSAPI) authentication failed: check sasl.kerberos.principal and sasl.kerberos.keytab (or the ticket from "
                + "sasl.kerberos.kinit.cmd), that sasl.kerberos.service.name matches the broker's principal (usually kafka), "
                + "that the KDC is reachable, and that clocks agree"
        case .authentication:
            if text.contains("invalid credentials") || text.contains("authentication failed") || text.contains("sasl authentication error") {
                error.fix = "the broker rejected the SASL credentials: check sasl.username and sasl.password (and sasl.mechanisms: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 must match the broker's user)"
            } else {
                error.fix = "check sasl.mechanisms and the credentials against what the broker's listener expects"
            }
        case _ where error.code == .ssl || (error.code == .transport && text.contains("ssl")):
            if text.contains("certificate verify failed") || text.contains("unable to get local issuer") || text.contains("self-signed") || text.contains("self signed") {
                error.fix = "the broker's certificate is not signed by a trusted CA: set ssl.ca.location to the CA that signed it"
            } else if text.contains("certificate required") || text.contains("handshake failure") || text.contains("unknown ca") || text.contains("alert") {
                error.fix = "the broker rejected this client's TLS credentials: set ssl.certificate.location and ssl.key.location (or ssl.keystore.location) to a certificate the broker's CA signed"
            } else if text.contains("hostname") || text.contains("match") {
                error.fix = "the broker's certificate does not name the host you connect to: fix bootstrap.servers, or (for tests only) set ssl.endpoint.identification.algorithm=none"
            } else if text.contains("wrong version number") || text.contains("packet length") {
                error.fix = "the listener does not speak TLS: check the port and security.protocol"
            } else {
                error.fix = "check the SSL settings (ssl.ca.location, ssl.certificate.location, ssl.key.location) against the broker's listener"
            }
        case .allBrokersDown:
            error.fix = "no broker is reachable: check bootstrap.servers, the network, and that the brokers run"
        case .resolve:
            error.fix = "a broker host name does not resolve: check bootstrap.servers and DNS"
        default:
            break
        }
    }
}
