/// Reads Confluent.Kafka (.NET) property names, as people write them in `appsettings.json`:
/// `BootstrapServers` is `bootstrap.servers`, `SaslMechanism: "ScramSha256"` is
/// `sasl.mechanisms=SCRAM-SHA-256`. Confluent's .NET names are librdkafka's, PascalCased, so
/// splitting the words gives the property; the enum values are spelled out below.
enum DotNetTranslation {
    /// The librdkafka name for a PascalCase key, or nil when `key` is not written that way.
    static func propertyName(_ key: String) -> String? {
        guard let first = key.unicodeScalars.first, first.properties.isUppercase,
              key.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else { return nil }
        var words: [String] = []
        var current = ""
        for character in key {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character.lowercased())
        }
        words.append(current)
        let name = words.joined(separator: ".")
        return renamed[name] ?? name
    }

    /// Where the word split does not give librdkafka's name.
    private static let renamed: [String: String] = ["sasl.mechanism": "sasl.mechanisms"]

    /// librdkafka's spelling of a .NET enum value (`SaslSsl` -> `sasl_ssl`); other values pass.
    static func value(_ value: String, for property: String) -> String {
        switch property {
        case "security.protocol":
            return ["Plaintext": "plaintext", "Ssl": "ssl", "SaslPlaintext": "sasl_plaintext", "SaslSsl": "sasl_ssl"][value] ?? value
        case "sasl.mechanisms":
            return ["Plain": "PLAIN", "ScramSha256": "SCRAM-SHA-256", "ScramSha512": "SCRAM-SHA-512",
                    "Gssapi": "GSSAPI", "OAuthBearer": "OAUTHBEARER"][value] ?? value
        case "acks":
            return ["All": "all", "Leader": "1", "None": "0"][value] ?? value
        case "auto.offset.reset", "compression.type", "partition.assignment.strategy", "isolation.level",
             "ssl.endpoint.identification.algorithm", "partitioner", "broker.address.family":
            // Earliest -> earliest, ReadCommitted -> read_committed, CooperativeSticky -> cooperative-sticky.
            var out = ""
            for character in value {
                if character.isUppercase, !out.isEmpty { out.append(property == "partition.assignment.strategy" ? "-" : "_") }
                out.append(character.lowercased())
            }
            return out
        default:
            return value
        }
    }
}
