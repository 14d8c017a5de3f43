import Foundation
import RdKafka

/// Everything the portal needs to start, with the guide's defaults.
///
/// Kafka settings are layered, low to high: the portal's defaults (`acks=all`, 3 retries,
/// a 10 s delivery timeout, `localhost:9092`), the `.properties` or JSON file
/// ``kafkaConfigFile``, `KAFKA_*` environment variables (``kafkaEnvironment``, e.g.
/// `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_SSL_KEY_PASSWORD`), then ``kafkaOverrides``.
public struct PortalSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 9090
    public var topic = "product-price"
    /// A `.properties` (or `.json`) file of librdkafka properties, shared by the producer and
    /// the subscribers: where the TLS settings go.
    public var kafkaConfigFile: String?
    /// Variables searched for `KAFKA_<PROPERTY>` overrides.
    public var kafkaEnvironment: [String: String]
    /// Properties set last, over file and environment.
    public var kafkaOverrides: [String: String] = [:]
    public var credentials = AdminCredentials()
    /// Subscribers run in the same process; empty to run the portal alone.
    public var subscribers = SubscriberDefinition.all
    /// How long shutdown waits for queued updates to be delivered.
    public var shutdownTimeout: Duration = .seconds(30)

    public init(kafkaEnvironment: [String: String] = [:]) {
        self.kafkaEnvironment = kafkaEnvironment
    }

    /// Settings from `PORTAL_*` variables, with `KAFKA_*` ones kept for the Kafka configuration:
    ///
    /// - `PORTAL_HOST`, `PORTAL_PORT` (default 127.0.0.1:9090), `PORTAL_TOPIC` (product-price)
    /// - `PORTAL_KAFKA_CONFIG`: the Kafka properties file
    /// - `PORTAL_ADMIN_USERNAME`, `PORTAL_ADMIN_PASSWORD` (Admin / Admin)
    /// - `PORTAL_SUBSCRIBERS`: `all` (default), `none`, or names such as `inventory,franchisee1`
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(PortalSettingsError) -> PortalSettings {
        var settings = PortalSettings(kafkaEnvironment: environment)
        if let host = environment["PORTAL_HOST"] { settings.host = host }
        if let text = environment["PORTAL_PORT"] {
            guard let port = Int(text), (0...65535).contains(port) else { throw PortalSettingsError("PORTAL_PORT=\(text) is not a port number") }
            settings.port = port
        }
        if let topic = environment["PORTAL_TOPIC"], !topic.isEmpty { settings.topic = topic }
        settings.kafkaConfigFile = environment["PORTAL_KAFKA_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let username = environment["PORTAL_ADMIN_USERNAME"] { settings.credentials.username = username }
        if let password = environment["PORTAL_ADMIN_PASSWORD"] { settings.credentials.password = password }
        switch environment["PORTAL_SUBSCRIBERS"]?.lowercased() {
        case nil, "", "all": break
        case "none": settings.subscribers = []
        case let names?:
            let wanted = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let unknown = wanted.filter { name in !SubscriberDefinition.all.contains { $0.name == name } }
            guard unknown.isEmpty else {
                throw PortalSettingsError("PORTAL_SUBSCRIBERS names unknown subscribers \(unknown); known: \(SubscriberDefinition.all.map(\.name)), all, none")
            }
            settings.subscribers = SubscriberDefinition.all.filter { wanted.contains($0.name) }
        }
        return settings
    }

    /// The configuration shared by every client: file, then environment.
    public func kafkaConfiguration() throws(KafkaError) -> KafkaConfiguration {
        var config = KafkaConfiguration()
        if let kafkaConfigFile { try config.load(file: kafkaConfigFile) }
        try config.applyEnvironment(kafkaEnvironment)
        if config.bootstrapServers.isEmpty { config.set("bootstrap.servers", "localhost:9092", origin: .sdk(reason: "portal default")) }
        return config
    }

    /// The portal's producer configuration.
    public func producerConfiguration() throws(KafkaError) -> KafkaConfiguration {
        var defaults = KafkaConfiguration()
        defaults.clientID = "product-admin-portal"
        defaults.acks = .all
        defaults["message.send.max.retries"] = "3"
        // An HTTP caller waits for the report: fail within seconds, not librdkafka's 5 minutes.
        defaults.messageTimeout = .seconds(10)
        return defaults.merging(try kafkaConfiguration()).merging(overrides)
    }

    /// A subscriber's consumer configuration: its own group, reading from the start of the
    /// topic the first time the group runs.
    public func consumerConfiguration(for subscriber: SubscriberDefinition) throws(KafkaError) -> KafkaConfiguration {
        var defaults = KafkaConfiguration()
        defaults.clientID = subscriber.name
        defaults.autoOffsetReset = .earliest
        var config = defaults.merging(try kafkaConfiguration())
        config.groupID = subscriber.groupID
        return config.merging(overrides)
    }

    private var overrides: KafkaConfiguration {
        var config = KafkaConfiguration()
        for (name, value) in kafkaOverrides.sorted(by: { $0.key < $1.key }) { config[name] = value }
        return config
    }
}
