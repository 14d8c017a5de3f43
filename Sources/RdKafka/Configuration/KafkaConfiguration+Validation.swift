#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Checks run before a client is created, so mistakes fail early with the property and the fix.
extension KafkaConfiguration {
    /// Checks the configuration without connecting anywhere: security files exist and hold what
    /// their property expects, the mechanisms are in this librdkafka build, and librdkafka
    /// accepts every property name and value.
    ///
    /// Clients run the same checks when they are created.
    ///
    /// - Throws: `KafkaError` naming the property, where it was set, and the fix.
    public func validate() throws(KafkaError) {
        try preflight(features: Interop.builtinFeatures)
        _ = try NativeConfiguration(self)
    }

    func preflight(features: Set<String>) throws(KafkaError) {
        let securityEntry = entry("security.protocol")
        let security: SecurityProtocol
        if let securityEntry {
            guard let parsed = SecurityProtocol(rawValue: securityEntry.value.lowercased()) else {
                throw KafkaError.configuration("security.protocol", "unknown security protocol \"\(securityEntry.value)\"",
                    origin: securityEntry.origin, fix: "use one of plaintext, ssl, sasl_plaintext, sasl_ssl")
            }
            security = parsed
        } else {
            security = .plaintext
        }
        if security.usesSSL, !features.contains("ssl") {
            throw KafkaError.configuration("security.protocol", "this librdkafka build has no SSL support (builtin.features: \(features.sorted().joined(separator: ",")))",
                origin: securityEntry?.origin, fix: "install a librdkafka built with OpenSSL (Debian's librdkafka-dev is)")
        }
        if security.usesSASL {
            try checkSASL(features: features)
        }
        try checkTokenProvider(usesSASL: security.usesSASL)
        if security.usesSSL {
            try checkSSLFiles()
        }
        try checkGroupProtocol()
    }

    /// KIP-848 groups: a librdkafka that has them, and none of the classic properties the broker
    /// now owns (librdkafka 2.10+ refuses them at creation; older ones ignored them silently).
    private func checkGroupProtocol() throws(KafkaError) {
        guard let protocolEntry = entry("group.protocol") else { return }
        guard let chosen = GroupProtocol(rawValue: protocolEntry.value.lowercased()) else {
            throw KafkaError.configuration("group.protocol", "unknown group protocol \"\(protocolEntry.value)\"",
                origin: protocolEntry.origin, fix: "use classic (the members assign) or consumer (KIP-848: the broker assigns)")
        }
        guard chosen == .consumer else { return }
        let feature = Librdkafka.Feature.consumerGroupProtocol
        if !Librdkafka.supports(feature) {
            throw KafkaError.configuration("group.protocol",
                "group.protocol=consumer (\(feature)) needs librdkafka \(feature.minimumVersion) or later; this process loaded librdkafka \(Librdkafka.version)",
                origin: protocolEntry.origin,
                fix: "install a newer librdkafka (Homebrew, or your distribution's newer release; the SDK uses it without a rebuild), or use group.protocol=classic")
        }
        let brokerOwned: [(String, String)] = [
            ("session.timeout.ms", "the broker's group.consumer.session.timeout.ms sets it"),
            ("heartbeat.interval.ms", "the broker's group.consumer.heartbeat.interval.ms sets it"),
            ("partition.assignment.strategy", "use group.remote.assignor (uniform or range)"),
            ("group.protocol.type", "the consumer protocol has no protocol type"),
        ]
        for (name, fix) in brokerOwned {
            if let classic = entry(name) {
                throw KafkaError.configuration(name, "\(name) is a classic-group property that group.protocol=consumer does not allow",
                    origin: classic.origin, fix: "remove \(name): \(fix)")
            }
        }
    }

    private func checkSASL(features: Set<String>) throws(KafkaError) {
        let mechanismEntry = entry("sasl.mechanisms")
        let mechanismNames = (mechanismEntry?.value ?? "GSSAPI").split(separator: ",").map {
            $0.trimmingWhitespace.uppercased()
        }
        for name in mechanismNames {
            guard let mechanism = SASLMechanism(rawValue: name) else {
                throw KafkaError.configuration("sasl.mechanisms", "unknown SASL mechanism \"\(name)\"", origin: mechanismEntry?.origin,
                    fix: "use one of \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard features.contains(mechanism.requiredFeature) else {
                throw KafkaError.configuration("sasl.mechanisms",
                    "this librdkafka build lacks \(mechanism.rawValue) (needs '\(mechanism.requiredFeature)' in builtin.features: \(features.sorted().joined(separator: ",")))",
                    origin: mechanismEntry?.origin, fix: "choose another mechanism or install a librdkafka built with it")
            }
            switch mechanism {
            case .plain, .scramSHA256, .scramSHA512:
                for property in ["sasl.username", "sasl.password"] where (self[property] ?? "").isEmpty {
                    throw KafkaError.configuration(property, "SASL \(mechanism.rawValue) needs \(property)",
                        origin: mechanismEntry?.origin, fix: "set \(property) (for Confluent Cloud: the API key and secret)")
                }
            case .oauthBearer where oauthBearerTokenProvider == nil:
                let oidc = self["sasl.oauthbearer.method"]?.lowercased() == "oidc"
                if !oidc, saslOAuthBearerUnsecureJWT != true {
                    throw KafkaError.configuration("sasl.mechanisms", "SASL OAUTHBEARER has no source of tokens",
                        origin: mechanismEntry?.origin,
                        fix: "set KafkaConfiguration.oauthBearerTokenProvider in code, or sasl.oauthbearer.method=oidc with "
                            + "sasl.oauthbearer.client.id, sasl.oauthbearer.client.secret and sasl.oauthbearer.token.endpoint.url")
                }
            case .gssapi where mechanismEntry == nil:
                throw KafkaError.configuration("sasl.mechanisms",
                    "security.protocol is \(self["security.protocol"] ?? "") but no SASL mechanism is set (librdkafka would try GSSAPI/Kerberos)",
                    origin: entry("security.protocol")?.origin, fix: "set sasl.mechanisms to PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI")
            default:
                break
            }
        }
    }

    /// A token provider is used only with OAUTHBEARER, and is the only token source.
    private func checkTokenProvider(usesSASL: Bool) throws(KafkaError) {
        guard oauthBearerTokenProvider != nil else { return }
        let mechanisms = (self["sasl.mechanisms"] ?? "").uppercased()
        guard usesSASL, mechanisms.contains(SASLMechanism.oauthBearer.rawValue) else {
            let name = usesSASL ? "sasl.mechanisms" : "security.protocol"
            throw KafkaError.configuration(name, "an OAUTHBEARER token provider is set but \(name) is \(self[name] ?? "unset"), so it would never be called",
                origin: entry(name)?.origin, fix: "set security.protocol=sasl_ssl and sasl.mechanisms=OAUTHBEARER, or remove the token provider")
        }
        for (name, value) in [("sasl.oauthbearer.method", "oidc"), ("enable.sasl.oauthbearer.unsecure.jwt", "true")]
        where self[name]?.lowercased() == value {
            throw KafkaError.configuration(name, "\(name)=\(value) is another source of OAUTHBEARER tokens, and a token provider is set",
                origin: entry(name)?.origin, fix: "remove \(name), or the token provider: one source of tokens")
        }
    }

    private func checkSSLFiles() throws(KafkaError) {
        if let e = entry("ssl.ca.location"), e.value != "probe" {
            try PEMFileCheck.check(e, expect: .certificate, role: "CA certificate")
        }
        if let e = entry("ssl.certificate.location") {
            try PEMFileCheck.check(e, expect: .certificate, role: "client certificate")
        }
        if let e = entry("ssl.key.location") {
            let kind = try PEMFileCheck.check(e, expect: .privateKey, role: "private key")
            if kind == .encryptedPrivateKey, (self["ssl.key.password"] ?? "").isEmpty {
                throw KafkaError.configuration("ssl.key.password", "the private key \(e.value) is encrypted but no password is set",
                    origin: e.origin, fix: "set ssl.key.password, or decrypt the key: openssl pkey -in \(e.value) -out key-plain.pem")
            }
        }
        if let e = entry("ssl.keystore.location") {
            try PEMFileCheck.checkKeystore(e)
        }
        if let e = entry("ssl.crl.location") {
            try PEMFileCheck.check(e, expect: .crl, role: "certificate revocation list")
        }
        for (name, expect) in [("ssl.ca.pem", PEMFileCheck.Kind.certificate), ("ssl.certificate.pem", .certificate), ("ssl.key.pem", .privateKey)] {
            if let e = entry(name) {
                let kinds = PEMFileCheck.kinds(in: Data(e.value.utf8))
                guard kinds.contains(where: { $0.satisfies(expect) }) else {
                    throw KafkaError.configuration(name, "\(name) holds no \(expect.label) (found \(PEMFileCheck.describe(kinds)))",
                        origin: e.origin, fix: "give the PEM text of a \(expect.label), including its -----BEGIN line")
                }
                if expect == .privateKey, kinds.contains(.encryptedPrivateKey), (self["ssl.key.password"] ?? "").isEmpty {
                    throw KafkaError.configuration("ssl.key.password", "ssl.key.pem is encrypted but no password is set",
                        origin: e.origin, fix: "set ssl.key.password")
                }
            }
        }
        if entry("ssl.certificate.location") != nil, entry("ssl.key.location") == nil, entry("ssl.key.pem") == nil {
            throw KafkaError.configuration("ssl.key.location", "a client certificate is set but not its private key",
                origin: entry("ssl.certificate.location")?.origin, fix: "set ssl.key.location to the certificate's key")
        }
    }
}
