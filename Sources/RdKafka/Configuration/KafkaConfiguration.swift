#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The settings of a Kafka client: librdkafka properties by name, each remembering where its
/// value came from.
///
/// Build one in code with the typed properties (each names the librdkafka property it maps to),
/// load one from a `.properties` or JSON file, overlay environment variables, or set any
/// librdkafka property by name with ``subscript(_:)``. Precedence, low to high: librdkafka's
/// defaults, file, environment, code: a later source overrides an earlier one.
///
/// Nothing is sent to librdkafka until a client is created; ``validate()`` runs the same
/// checks earlier. Secrets (passwords, PEM contents, OAuth secrets) never appear in
/// ``description`` or in errors.
///
/// `KafkaConfiguration` is a value type and `Sendable`.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Where a property's value came from.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        /// Set in Swift code.
        case code
        /// Read from a configuration file.
        case file(path: String, line: Int)
        /// Read from an environment variable.
        case environment(variable: String)
        /// Put in place by the SDK (a translated Java setting or an SDK default).
        case sdk(reason: String)

        public var description: String {
            switch self {
            case .code: return "in code"
            case .file(let path, let line): return "at \(path):\(line)"
            case .environment(let variable): return "by environment variable \(variable)"
            case .sdk(let reason): return "by the SDK (\(reason))"
            }
        }
    }

    /// One property's value and origin.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var value: String
        public var origin: Origin
        /// The value is a secret: shown as `[redacted]` everywhere.
        public var isSecret: Bool { KafkaConfiguration.isSecret(name) }
    }

    private var entries: [Entry] = []
    private var index: [String: Int] = [:]

    /// Notes about the configuration the SDK translated or ignored (Java-only keys and so on).
    public internal(set) var warnings: [String] = []

    /// Settings for another client of the same cluster, kept aside from librdkafka: a Schema
    /// Registry's `schema.registry.url`, `basic.auth.user.info`, `bearer.auth.token`, from a
    /// file or the environment (`KAFKA_SCHEMA_REGISTRY_URL`). Secret ones are redacted wherever
    /// the configuration is described. `SchemaRegistryConfiguration(kafka:)` reads them.
    public internal(set) var otherClientSettings: [Entry] = []

    /// The source of OAUTHBEARER tokens (with `sasl.mechanisms=OAUTHBEARER`), set in code.
    /// Without it librdkafka needs `sasl.oauthbearer.method=oidc` (see ``useOIDC(clientID:clientSecret:tokenEndpointURL:scope:)``)
    /// or, for development only, `enable.sasl.oauthbearer.unsecure.jwt=true`.
    public var oauthBearerTokenProvider: OAuthBearerTokenProvider?

    /// An empty configuration: librdkafka's defaults throughout.
    public init() {}

    /// A configuration for the given bootstrap servers (`bootstrap.servers`).
    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// All properties set, in the order they were first set.
    public var properties: [Entry] { entries }

    /// Any librdkafka property by name, the escape hatch for settings without a typed property.
    ///
    /// Setting `nil` removes the property so librdkafka's default applies. Names and values are
    /// checked when a client is created or ``validate()`` runs.
    public subscript(_ name: String) -> String? {
        get { index[name].map { entries[$0].value } }
        set {
            if let newValue { set(name, newValue, origin: .code) } else { remove(name) }
        }
    }

    /// The entry for `name`, with its origin.
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// Sets `name` to `value`, recording where it came from.
    public mutating func set(_ name: String, _ value: String, origin: Origin = .code) {
        if let position = index[name] {
            entries[position] = Entry(name: name, value: value, origin: origin)
        } else {
            index[name] = entries.count
            entries.append(Entry(name: name, value: value, origin: origin))
        }
    }

    /// Removes `name`, so librdkafka's default applies.
    public mutating func remove(_ name: String) {
        guard let position = index.removeValue(forKey: name) else { return }
        entries.remove(at: position)
        for i in position..<entries.count { index[entries[i].name] = i }
    }

    /// This configuration with every property of `other` laid over it (`other` wins).
    public func merging(_ other: KafkaConfiguration) -> KafkaConfiguration {
        var merged = self
        for entry in other.entries { merged.set(entry.name, entry.value, origin: entry.origin) }
        merged.warnings += other.warnings
        if let provider = other.oauthBearerTokenProvider { merged.oauthBearerTokenProvider = provider }
        return merged
    }

    /// The properties with secrets shown as `[redacted]`, one `name=value` per line with origin.
    public var description: String {
        let lines = entries.map { "\($0.name)=\(Self.displayValue($0)) (\($0.origin))" }
        return (lines + (oauthBearerTokenProvider == nil ? [] : ["OAUTHBEARER token provider (in code)"])).joined(separator: "\n")
    }

    static func displayValue(_ entry: Entry) -> String {
        entry.isSecret ? KafkaConfiguration.redacted : entry.value
    }

    /// The text shown in place of a secret.
    public static let redacted = "[redacted]"

    static let secretNames: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem", "ssl_key",
        "ssl.certificate.pem", "ssl_certificate", "ssl.ca.pem", "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config", "sasl.jaas.config", "ssl.truststore.password",
        "basic.auth.user.info", "schema.registry.basic.auth.user.info", "bearer.auth.token",
    ]

    /// Whether librdkafka property `name` holds a secret the SDK must never print.
    public static func isSecret(_ name: String) -> Bool {
        secretNames.contains(name) || name.hasSuffix(".password") || name.hasSuffix(".secret")
    }

    // Typed property helpers shared by the typed extensions.
    func string(_ name: String) -> String? { self[name] }
    mutating func setString(_ name: String, _ value: String?) { self[name] = value }
    func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
    mutating func setInt(_ name: String, _ value: Int?) { self[name] = value.map(String.init) }
    /// A time property that librdkafka keeps in milliseconds (`fractional` where it takes a
    /// decimal number, as `linger.ms` does).
    func duration(_ name: String) -> Duration? { self[name].flatMap { Double($0) }.map { .milliseconds($0) } }
    mutating func setDuration(_ name: String, _ value: Duration?, fractional: Bool = false) {
        self[name] = value.map { $0.librdkafkaMilliseconds(fractional: fractional) }
    }
    func bool(_ name: String) -> Bool? {
        switch self[name]?.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }
    mutating func setBool(_ name: String, _ value: Bool?) { self[name] = value.map { $0 ? "true" : "false" } }
    func list(_ name: String) -> [String] {
        (self[name] ?? "").split(separator: ",").map { $0.trimmingWhitespace }
            .filter { !$0.isEmpty }
    }
    mutating func setList(_ name: String, _ value: [String]) {
        self[name] = value.isEmpty ? nil : value.joined(separator: ",")
    }
    func raw<T: RawRepresentable>(_ name: String) -> T? where T.RawValue == String {
        self[name].flatMap { T(rawValue: $0.lowercased()) ?? T(rawValue: $0.uppercased()) ?? T(rawValue: $0) }
    }
    mutating func setRaw<T: RawRepresentable>(_ name: String, _ value: T?) where T.RawValue == String {
        self[name] = value?.rawValue
    }
}

