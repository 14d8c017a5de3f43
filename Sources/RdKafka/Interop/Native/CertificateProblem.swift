/// Why OpenSSL refused a broker's certificate, in words, with the fix.
///
/// librdkafka reports every refusal as "certificate verify failed"; its verification callback
/// (`ssl.certificate.verify_cb`) sees OpenSSL's reason (`X509_V_ERR_*`), which tells an expired
/// certificate from an untrusted one or a host name mismatch.
struct CertificateProblem: Sendable, Equatable {
    var message: String
    var fix: String

    /// The problem for OpenSSL verification error `code` on the certificate at `depth` (0: the
    /// broker's own), or nil for codes this does not explain.
    init?(x509Error code: Int32, depth: Int32, broker: String) {
        let whose = depth == 0 ? "the certificate of broker \(broker)" : "a CA certificate (depth \(depth)) in the chain of broker \(broker)"
        switch code {
        case 10:  // X509_V_ERR_CERT_HAS_EXPIRED
            message = "\(whose) has expired"
            fix = "the broker's operator must renew the certificate; the client cannot fix this (check this machine's clock too)"
        case 9:  // X509_V_ERR_CERT_NOT_YET_VALID
            message = "\(whose) is not valid yet"
            fix = "check this machine's clock and the certificate's start date"
        case 62, 64:  // X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
            message = "\(whose) does not name the host this client connected to"
            fix = "connect with a host name the certificate names (bootstrap.servers, and the broker's advertised listeners); ssl.endpoint.identification.algorithm=none turns the check off, for tests only"
        case 2, 18, 19, 20, 21:  // unknown issuer, self-signed, unable to verify the leaf
            message = "\(whose) is not signed by a CA this client trusts"
            fix = "set ssl.ca.location to the CA certificate that signed the broker's certificate"
        case 23:  // X509_V_ERR_CERT_REVOKED
            message = "\(whose) has been revoked"
            fix = "the broker's operator must replace the certificate"
        case 26:  // X509_V_ERR_INVALID_PURPOSE
            message = "\(whose) is not meant for a TLS server"
            fix = "the broker needs a certificate with the serverAuth extended key usage"
        default:
            return nil
        }
    }
}
