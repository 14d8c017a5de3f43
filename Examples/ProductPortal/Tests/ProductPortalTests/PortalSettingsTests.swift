import Foundation
import ProductPortal
import RdKafka
import Testing

@Suite("Settings and configuration files")
struct PortalSettingsTests {
    /// The package's own directory, to find config/portal-tls.properties.
    static let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("defaults follow the guide: port 9090, topic product-price, Admin/Admin, three subscribers")
    func defaults() throws {
        let settings = try PortalSettings.fromEnvironment([:])
        #expect(settings.port == 9090)
        #expect(settings.topic == "product-price")
        #expect(settings.credentials.accepts(username: "Admin", password: "Admin"))
        #expect(Set(settings.subscribers.map(\.groupID)).count == 3)
        let producer = try settings.producerConfiguration()
        #expect(producer.bootstrapServers == ["localhost:9092"])
        #expect(producer.acks == .all)
    }

    @Test("PORTAL_* variables choose port, topic, credentials and subscribers")
    func portalVariables() throws {
        let settings = try PortalSettings.fromEnvironment([
            "PORTAL_PORT": "8088", "PORTAL_TOPIC": "prices", "PORTAL_ADMIN_PASSWORD": "pw", "PORTAL_SUBSCRIBERS": "franchisee2",
        ])
        #expect(settings.port == 8088)
        #expect(settings.topic == "prices")
        #expect(settings.credentials.accepts(username: "Admin", password: "pw"))
        #expect(settings.subscribers == [.franchisee2])
        #expect(throws: PortalSettingsError.self) { try PortalSettings.fromEnvironment(["PORTAL_SUBSCRIBERS": "franchisee3"]) }
        #expect(throws: PortalSettingsError.self) { try PortalSettings.fromEnvironment(["PORTAL_PORT": "http"]) }
    }

    @Test("the shipped TLS example loads, and KAFKA_* variables override the file")
    func tlsExampleFile() throws {
        let file = Self.packageDirectory.appendingPathComponent("config/portal-tls.properties").path
        let settings = try PortalSettings.fromEnvironment([
            "PORTAL_KAFKA_CONFIG": file, "KAFKA_BOOTSTRAP_SERVERS": "broker.example:19093", "KAFKA_SSL_KEY_PASSWORD": "from-env",
        ])
        let config = try settings.producerConfiguration()
        #expect(config.securityProtocol == .ssl)
        #expect(config.sslCALocation != nil && config.sslCertificateLocation != nil && config.sslKeyLocation != nil)
        #expect(config.bootstrapServers == ["broker.example:19093"])
        #expect(config.sslKeyPassword == "from-env")
        #expect(config.entry("ssl.key.password")?.origin == .environment(variable: "KAFKA_SSL_KEY_PASSWORD"))
        #expect(!config.description.contains("from-env"), "the configuration dump must redact the key password")
        // Each subscriber reads the same file, in its own group.
        let consumer = try settings.consumerConfiguration(for: .franchisee1)
        #expect(consumer.securityProtocol == .ssl)
        #expect(consumer.groupID == "franchisee1")
    }
}
