// Typed settings that every client (producer, consumer, admin) understands.
extension KafkaConfiguration {
    /// Initial brokers as `host:port`. The corresponding librdkafka property is `bootstrap.servers`.
    public var bootstrapServers: [String] {
        get { list("bootstrap.servers") }
        set { setList("bootstrap.servers", newValue) }
    }

    /// A name for this client in broker logs and metrics. The corresponding librdkafka property
    /// is `client.id`.
    public var clientID: String? {
        get { string("client.id") }
        set { setString("client.id", newValue) }
    }

    /// How to talk to brokers. The corresponding librdkafka property is `security.protocol`.
    public var securityProtocol: SecurityProtocol? {
        get { raw("security.protocol") }
        set { setRaw("security.protocol", newValue) }
    }

    /// librdkafka debug contexts, such as `broker`, `protocol`, `security`, `all`.
    /// The corresponding librdkafka property is `debug`.
    public var debugContexts: [String] {
        get { list("debug") }
        set { setList("debug", newValue) }
    }

    /// How often librdkafka emits its statistics (zero turns them off), in whole milliseconds.
    /// The corresponding librdkafka property is `statistics.interval.ms`.
    public var statisticsInterval: Duration? {
        get { duration("statistics.interval.ms") }
        set { setDuration("statistics.interval.ms", newValue) }
    }

    /// Timeout for network requests, in whole milliseconds. The corresponding librdkafka
    /// property is `socket.timeout.ms`.
    public var socketTimeout: Duration? {
        get { duration("socket.timeout.ms") }
        set { setDuration("socket.timeout.ms", newValue) }
    }

    /// The broker's rack, for fetch-from-follower. The corresponding librdkafka property is
    /// `client.rack`.
    public var clientRack: String? {
        get { string("client.rack") }
        set { setString("client.rack", newValue) }
    }

    // MARK: SASL

    /// The SASL mechanism. The corresponding librdkafka property is `sasl.mechanisms`.
    public var saslMechanism: SASLMechanism? {
        get { string("sasl.mechanisms").flatMap { SASLMechanism(rawValue: $0.uppercased()) } }
        set { setRaw("sasl.mechanisms", newValue) }
    }

    /// The SASL user for PLAIN and SCRAM. The corresponding librdkafka property is `sasl.username`.
    public var saslUsername: String? {
        get { string("sasl.username") }
        set { setString("sasl.username", newValue) }
    }

    /// The SASL password for PLAIN and SCRAM, a secret. The corresponding librdkafka property is
    /// `sasl.password`.
    public var saslPassword: String? {
        get { string("sasl.password") }
        set { setString("sasl.password", newValue) }
    }

    /// A static OAUTHBEARER token configuration for librdkafka's unsecured JWT builder, such as
    /// `principal=admin scope=read`, a secret. The corresponding librdkafka property is
    /// `sasl.oauthbearer.config`.
    public var saslOAuthBearerConfig: String? {
        get { string("sasl.oauthbearer.config") }
        set { setString("sasl.oauthbearer.config", newValue) }
    }

    /// Whether librdkafka builds unsecured JWTs itself (development only). The corresponding
    /// librdkafka property is `enable.sasl.oauthbearer.unsecure.jwt`.
    public var saslOAuthBearerUnsecureJWT: Bool? {
        get { bool("enable.sasl.oauthbearer.unsecure.jwt") }
        set { setBool("enable.sasl.oauthbearer.unsecure.jwt", newValue) }
    }

    /// OIDC token retrieval settings for OAUTHBEARER, where the librdkafka build supports it
    /// (`sasl.oauthbearer.method=oidc`, with `sasl.oauthbearer.client.id`,
    /// `sasl.oauthbearer.client.secret`, `sasl.oauthbearer.token.endpoint.url` and
    /// `sasl.oauthbearer.scope`).
    public mutating func useOIDC(clientID: String, clientSecret: String, tokenEndpointURL: String, scope: String? = nil) {
        self["sasl.oauthbearer.method"] = "oidc"
        self["sasl.oauthbearer.client.id"] = clientID
        self["sasl.oauthbearer.client.secret"] = clientSecret
        self["sasl.oauthbearer.token.endpoint.url"] = tokenEndpointURL
        self["sasl.oauthbearer.scope"] = scope
    }

    /// The Kerberos service name for GSSAPI. The corresponding librdkafka property is
    /// `sasl.kerberos.service.name`.
    public var saslKerberosServiceName: String? {
        get { string("sasl.kerberos.service.name") }
        set { setString("sasl.kerberos.service.name", newValue) }
    }

    /// The Kerberos principal for GSSAPI. The corresponding librdkafka property is
    /// `sasl.kerberos.principal`.
    public var saslKerberosPrincipal: String? {
        get { string("sasl.kerberos.principal") }
        set { setString("sasl.kerberos.principal", newValue) }
    }

    /// The Kerberos keytab file for GSSAPI. The corresponding librdkafka property is
    /// `sasl.kerberos.keytab`.
    public var saslKerberosKeytab: String? {
        get { string("sasl.kerberos.keytab") }
        set { setString("sasl.kerberos.keytab", newValue) }
    }

    // MARK: SSL

    /// A PEM file (or directory) of CA certificates that sign the brokers' certificates.
    /// The corresponding librdkafka property is `ssl.ca.location`.
    public var sslCALocation: String? {
        get { string("ssl.ca.location") }
        set { setString("ssl.ca.location", newValue) }
    }

    /// CA certificates as PEM text, a secret. The corresponding librdkafka property is `ssl.ca.pem`.
    public var sslCAPEM: String? {
        get { string("ssl.ca.pem") }
        set { setString("ssl.ca.pem", newValue) }
    }

    /// The client's certificate, a PEM file. The corresponding librdkafka property is
    /// `ssl.certificate.location`.
    public var sslCertificateLocation: String? {
        get { string("ssl.certificate.location") }
        set { setString("ssl.certificate.location", newValue) }
    }

    /// The client's certificate as PEM text, a secret. The corresponding librdkafka property is
    /// `ssl.certificate.pem`.
    public var sslCertificatePEM: String? {
        get { string("ssl.certificate.pem") }
        set { setString("ssl.certificate.pem", newValue) }
    }

    /// The client's private key, a PEM file. The corresponding librdkafka property is
    /// `ssl.key.location`.
    public var sslKeyLocation: String? {
        get { string("ssl.key.location") }
        set { setString("ssl.key.location", newValue) }
    }

    /// The client's private key as PEM text, a secret. The corresponding librdkafka property is
    /// `ssl.key.pem`.
    public var sslKeyPEM: String? {
        get { string("ssl.key.pem") }
        set { setString("ssl.key.pem", newValue) }
    }

    /// The password of an encrypted private key, a secret. The corresponding librdkafka property
    /// is `ssl.key.password`.
    public var sslKeyPassword: String? {
        get { string("ssl.key.password") }
        set { setString("ssl.key.password", newValue) }
    }

    /// A PKCS#12 keystore holding the client's certificate and key. The corresponding librdkafka
    /// property is `ssl.keystore.location`.
    public var sslKeystoreLocation: String? {
        get { string("ssl.keystore.location") }
        set { setString("ssl.keystore.location", newValue) }
    }

    /// The PKCS#12 keystore's password, a secret. The corresponding librdkafka property is
    /// `ssl.keystore.password`.
    public var sslKeystorePassword: String? {
        get { string("ssl.keystore.password") }
        set { setString("ssl.keystore.password", newValue) }
    }

    /// A certificate revocation list file. The corresponding librdkafka property is
    /// `ssl.crl.location`.
    public var sslCRLLocation: String? {
        get { string("ssl.crl.location") }
        set { setString("ssl.crl.location", newValue) }
    }

    /// Whether the broker's host name must match its certificate (`https`, librdkafka's default
    /// since 2.0) or not (`none`). The corresponding librdkafka property is
    /// `ssl.endpoint.identification.algorithm`.
    public var sslEndpointIdentification: Bool? {
        get { string("ssl.endpoint.identification.algorithm").map { $0.lowercased() == "https" } }
        set { setString("ssl.endpoint.identification.algorithm", newValue.map { $0 ? "https" : "none" }) }
    }

    /// Whether the broker's certificate is verified at all. Turning this off is for experiments
    /// only. The corresponding librdkafka property is `enable.ssl.certificate.verification`.
    public var sslCertificateVerification: Bool? {
        get { bool("enable.ssl.certificate.verification") }
        set { setBool("enable.ssl.certificate.verification", newValue) }
    }
}
