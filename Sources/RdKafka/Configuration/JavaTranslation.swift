/// Translates settings written for the Java client into librdkafka's, or explains why not.
///
/// Config files copied from Java apps and cloud consoles carry Java habits: `sasl.mechanism`
/// (singular), `sasl.jaas.config`, JKS trust stores, serializer classes. Each is translated,
/// ignored with a warning, or rejected with the fix.
enum JavaTranslation {
    enum Outcome: Equatable {
        /// Set these librdkafka properties instead.
        case set([(String, String)], note: String?)
        /// Ignore the key, telling the user why.
        case ignore(warning: String)
        /// Not a Java key: use it as it is.
        case passThrough

        static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            switch (lhs, rhs) {
            case (.passThrough, .passThrough): return true
            case (.ignore(let a), .ignore(let b)): return a == b
            case (.set(let a, let n1), .set(let b, let n2)):
                return n1 == n2 && a.map { "\($0.0)=\($0.1)" } == b.map { "\($0.0)=\($0.1)" }
            default: return false
            }
        }
    }

    static func translate(_ key: String, _ value: String, origin: KafkaConfiguration.Origin) throws(KafkaError) -> Outcome {
        switch key {
        case "sasl.mechanism":
            return .set([("sasl.mechanisms", value)], note: "'sasl.mechanism' (Java) read as librdkafka's 'sasl.mechanisms'")
        case "sasl.jaas.config":
            return try jaas(value, origin: origin)
        case "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type", "ssl.truststore.certificates":
            throw KafkaError.configuration(
                key, "librdkafka has no trust stores (Java's JKS or PKCS#12 'ssl.truststore.*'); it reads CA certificates from PEM",
                origin: origin,
                fix: "export the CA certificate to PEM and set ssl.ca.location: "
                    + "keytool -exportcert -rfc -keystore truststore.jks -alias CARoot -file ca.pem "
                    + "(find the alias with: keytool -list -keystore truststore.jks), then ssl.ca.location=ca.pem")
        case "ssl.keystore.type":
            switch value.uppercased() {
            case "PKCS12", "P12", "": return .ignore(warning: "ssl.keystore.type=\(value) ignored: librdkafka keystores are always PKCS#12")
            case "JKS": throw jksError(key, origin: origin)
            case "PEM":
                throw KafkaError.configuration(
                    key, "librdkafka takes PEM client credentials as files or text, not as a keystore", origin: origin,
                    fix: "use ssl.certificate.location and ssl.key.location (or ssl.certificate.pem and ssl.key.pem)")
            default:
                throw KafkaError.configuration(key, "keystore type '\(value)' is not supported", origin: origin,
                    fix: "convert the keystore to PKCS#12 and drop ssl.keystore.type")
            }
        case "ssl.keystore.location" where value.lowercased().hasSuffix(".jks"):
            throw jksError(key, origin: origin)
        case "ssl.endpoint.identification.algorithm" where value.isEmpty:
            return .set([(key, "none")], note: "empty ssl.endpoint.identification.algorithm (Java's 'off') read as 'none'")
        case "key.serializer", "value.serializer", "key.deserializer", "value.deserializer":
            return .ignore(warning: "\(key) ignored: the Swift SDK takes keys and values as bytes, String, Data or Codable")
        case "client.dns.lookup" where !Interop.isKnownProperty(key):
            return .ignore(warning: "client.dns.lookup ignored: this librdkafka resolves every address of a name by default")
        default:
            if isRegistrySetting(key) {
                return .ignore(warning: "\(key) kept for a Schema Registry client (otherClientSettings), not given to librdkafka")
            }
            if key.hasSuffix(".class") || key.hasSuffix(".classes") {
                return .ignore(warning: "\(key) ignored: Java classes cannot be loaded by librdkafka")
            }
            return .passThrough
        }
    }

    /// A setting of the Schema Registry client that Confluent's files put beside Kafka's.
    static func isRegistrySetting(_ key: String) -> Bool {
        key.hasPrefix("schema.registry.") || key.hasPrefix("basic.auth.") || key.hasPrefix("bearer.auth.")
    }

    /// A hint for a property librdkafka does not know.
    static func hint(forUnknown name: String) -> String? {
        switch name {
        case "sasl.mechanism": return "librdkafka calls it 'sasl.mechanisms' (plural)"
        case "sasl.jaas.config": return "use sasl.username and sasl.password (load the file with KafkaConfiguration(contentsOfFile:) to translate it)"
        case let n where n.hasPrefix("ssl.truststore."): return "librdkafka reads CA certificates from PEM: set ssl.ca.location"
        default: return nil
        }
    }

    private static func jksError(_ key: String, origin: KafkaConfiguration.Origin) -> KafkaError {
        KafkaError.configuration(
            key, "Java KeyStores (JKS) cannot be read by librdkafka", origin: origin,
            fix: "convert it to PKCS#12: keytool -importkeystore -srckeystore keystore.jks -destkeystore keystore.p12 "
                + "-deststoretype PKCS12, then set ssl.keystore.location=keystore.p12 and ssl.keystore.password")
    }

    /// Reads `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`.
    private static func jaas(_ value: String, origin: KafkaConfiguration.Origin) throws(KafkaError) -> Outcome {
        let trimmed = value.trimmingWhitespace
        guard let module = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) else {
            throw KafkaError.configuration("sasl.jaas.config", "sasl.jaas.config is empty", origin: origin,
                fix: "set sasl.username and sasl.password instead")
        }
        let options = jaasOptions(trimmed)
        if module.hasSuffix("PlainLoginModule") || module.hasSuffix("ScramLoginModule") {
            guard let user = options["username"], let password = options["password"] else {
                throw KafkaError.configuration("sasl.jaas.config", "\(module) needs username=\"...\" and password=\"...\"",
                    origin: origin, fix: "set sasl.username and sasl.password instead")
            }
            return .set([("sasl.username", user), ("sasl.password", password)],
                note: "sasl.jaas.config (\(module.split(separator: ".").last ?? "")) read as sasl.username and sasl.password")
        }
        if module.hasSuffix("Krb5LoginModule") {
            var pairs: [(String, String)] = []
            if let keytab = options["keyTab"] { pairs.append(("sasl.kerberos.keytab", keytab)) }
            if let principal = options["principal"] { pairs.append(("sasl.kerberos.principal", principal)) }
            return .set(pairs, note: "sasl.jaas.config (Krb5LoginModule) read as sasl.kerberos.*")
        }
        throw KafkaError.configuration(
            "sasl.jaas.config", "the JAAS login module '\(module)' has no librdkafka equivalent", origin: origin,
            fix: "for OAUTHBEARER use sasl.oauthbearer.method=oidc with sasl.oauthbearer.client.id, "
                + "sasl.oauthbearer.client.secret and sasl.oauthbearer.token.endpoint.url")
    }

    /// `key="value"` or `key=value` pairs after the module name.
    static func jaasOptions(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            // Find `name=`.
            var nameStart = i
            while nameStart < chars.count, !(chars[nameStart].isLetter) { nameStart += 1 }
            var j = nameStart
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "." || chars[j] == "_" { j += 1 }
            guard j < chars.count, chars[j] == "=" else { i = max(j, nameStart + 1); continue }
            let name = String(chars[nameStart..<j])
            j += 1
            var value = ""
            if j < chars.count, chars[j] == "\"" {
                j += 1
                while j < chars.count, chars[j] != "\"" {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    value.append(chars[j])
                    j += 1
                }
                j += 1
            } else {
                while j < chars.count, !chars[j].isWhitespace, chars[j] != ";" { value.append(chars[j]); j += 1 }
            }
            result[name] = value
            i = j
        }
        return result
    }
}
