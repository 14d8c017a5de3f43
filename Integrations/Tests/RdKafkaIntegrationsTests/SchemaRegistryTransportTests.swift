import Foundation
import RdKafkaSchemaRegistry
import RdKafkaSchemaRegistryHTTPClient
import Testing

@Suite("Schema Registry over HTTPS with a private CA (AsyncHTTPClient transport)", .timeLimit(.minutes(2)))
struct SchemaRegistryTransportTests {
    /// The test registry's HTTPS address, its basic-auth credentials and the test CA's folder,
    /// as `make test` exports them.
    static var registry: (url: String, userInfo: String, secret: String, certs: String)? {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["RDKAFKA_TEST_SCHEMA_REGISTRY_TLS_URL"], let user = env["RDKAFKA_TEST_SCHEMA_REGISTRY_USER"],
              let secret = env["RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET"], let certs = env["RDKAFKA_TEST_CERTS_DIR"] else { return nil }
        return (url, "\(user):\(secret)", secret, certs)
    }

    @Test("schema.registry.ssl.ca.location: trusted through the transport, refused by the system store and by another CA, never silently ignored")
    func privateCertificateAuthority() async throws {
        guard let registry = Self.registry else {
            Issue.record("the test registry's HTTPS port is not running (make test starts it)")
            return
        }
        let trusted = SchemaRegistryConfiguration(url: registry.url, basicAuthUserInfo: registry.userInfo,
                                                  caLocation: "\(registry.certs)/ca.pem", maxRetries: 0)
        let client = SchemaRegistryClient(configuration: trusted, transport: try HTTPClientSchemaRegistryTransport(configuration: trusted))
        let subject = "https-\(UInt32.random(in: 0 ... .max))-value"
        let schema = SchemaRegistryClient.Schema(#"{"type": "record", "name": "Price", "fields": [{"name": "cents", "type": "long"}]}"#)
        let id = try await client.register(schema, subject: subject)
        let uncached = SchemaRegistryClient(configuration: trusted, transport: try HTTPClientSchemaRegistryTransport(configuration: trusted))
        #expect(try await uncached.schema(id: id) == schema)
        #expect(try await uncached.subjects().contains(subject))

        // The same registry without the CA, or with another CA: the TLS failure, with the fix.
        var systemStore = trusted
        systemStore.caLocation = nil
        var otherCA = trusted
        otherCA.caLocation = "\(registry.certs)/other-ca.pem"
        for configuration in [systemStore, otherCA] {
            let untrusting = SchemaRegistryClient(configuration: configuration, transport: try HTTPClientSchemaRegistryTransport(configuration: configuration))
            let start = ContinuousClock.now
            let refused = await #expect(throws: SchemaRegistryError.self) { _ = try await untrusting.subjects() }
            #expect(ContinuousClock.now - start < .seconds(5), "a certificate failure does not wait out the request timeout")
            #expect(refused?.status == nil && refused?.fix?.contains("certificate chains to a trusted CA") == true, "\(String(describing: refused))")
            #expect(refused.map { !"\($0)".contains(registry.secret) } == true)
        }

        // URLSession cannot take the CA file: the request is refused, naming this transport.
        let plain = SchemaRegistryClient(configuration: trusted)
        let notIgnored = await #expect(throws: SchemaRegistryError.self) { _ = try await plain.subjects() }
        #expect(notIgnored.map { "\($0)".contains("schema.registry.ssl.ca.location") && "\($0)".contains("HTTPClientSchemaRegistryTransport") } == true,
                "\(String(describing: notIgnored))")
    }

    @Test("a CA file that is missing or holds no certificate is an error naming schema.registry.ssl.ca.location")
    func unreadableCertificateAuthority() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-ca-\(UInt32.random(in: 0 ... .max)).pem").path
        try "not a certificate\n".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for file in ["/nonexistent/ca.pem", empty] {
            let configuration = SchemaRegistryConfiguration(url: "https://registry.example.com", caLocation: file)
            let error = #expect(throws: SchemaRegistryError.self) { _ = try HTTPClientSchemaRegistryTransport(configuration: configuration) }
            #expect(error.map { "\($0)".contains("schema.registry.ssl.ca.location=\(file)") && $0.fix != nil } == true, "\(String(describing: error))")
        }
    }
}
