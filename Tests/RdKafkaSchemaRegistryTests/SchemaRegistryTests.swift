import Foundation
import RdKafka
import RdKafkaSchemaRegistry
import RdKafkaTesting
import Testing

/// The registry client and the Avro serializers against the project's test registry
/// (scripts/schema_registry.py, started by `make test`) and the mock cluster.
@Suite("Schema Registry client and Avro serializers", .serialized, .timeLimit(.minutes(2)))
struct SchemaRegistryTests {
    static let environment = ProcessInfo.processInfo.environment

    static func configuration(secret: String? = nil) throws -> SchemaRegistryConfiguration {
        guard let url = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_URL"], let user = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_USER"],
              let password = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET"] else {
            throw PythonReference.Failed(description: "RDKAFKA_TEST_SCHEMA_REGISTRY_URL is not set: run the tests with make test, which starts the registry")
        }
        return SchemaRegistryConfiguration(url: url, basicAuthUserInfo: "\(user):\(secret ?? password)", maxRetries: 1)
    }

    static func subject(_ base: String) -> String { "\(base)-\(UInt32.random(in: 0...UInt32.max))" }

    static let v1 = #"{"type": "record", "name": "Price", "namespace": "shop", "fields": [{"name": "product", "type": "string"}, {"name": "cents", "type": "int"}]}"#
    static let v2 = #"{"type": "record", "name": "Price", "namespace": "shop", "fields": [{"name": "product", "type": "string"}, {"name": "cents", "type": "long"}, {"name": "currency", "type": "string", "default": "EUR"}]}"#
    static let breaking = #"{"type": "record", "name": "Price", "namespace": "shop", "fields": [{"name": "product", "type": "string"}, {"name": "region", "type": "string"}]}"#

    @Test("register, look up, read by id and version, list, check compatibility, refuse an incompatible schema, delete")
    func registryCalls() async throws {
        let registry = SchemaRegistryClient(configuration: try Self.configuration())
        let subject = Self.subject("prices-value")
        let id1 = try await registry.register(.init(Self.v1), subject: subject)
        #expect(try await registry.register(.init(Self.v1), subject: subject) == id1, "registering again gives the same id")
        #expect(try await registry.schema(id: id1).text == Self.v1)
        #expect(try await registry.lookup(.init(Self.v1), subject: subject)?.version == 1)
        #expect(try await registry.lookup(.init(Self.v2), subject: subject) == nil)
        #expect(try await registry.isCompatible(.init(Self.v2), subject: subject))
        #expect(try await registry.isCompatible(.init(Self.breaking), subject: subject) == false)
        let id2 = try await registry.register(.init(Self.v2), subject: subject)
        #expect(id2 != id1)
        #expect(try await registry.version(subject: subject).version == 2)
        #expect(try await registry.version(subject: subject, 1).id == id1)
        #expect(try await registry.versions(subject: subject) == [1, 2])
        #expect(try await registry.subjects().contains(subject))
        let refused = await #expect(throws: SchemaRegistryError.self) { _ = try await registry.register(.init(Self.breaking), subject: subject) }
        #expect(refused?.status == 409 && "\(refused!)".contains("incompatible") && "\(refused!)".contains(subject), "\(String(describing: refused))")
        try await registry.setCompatibility("NONE", subject: subject)
        #expect(try await registry.compatibility(subject: subject) == "NONE")
        _ = try await registry.register(.init(Self.breaking), subject: subject)
        #expect(try await registry.deleteSubject(subject) == [1, 2, 3])
        let gone = await #expect(throws: SchemaRegistryError.self) { _ = try await registry.version(subject: subject) }
        #expect(gone?.code == 40401 && "\(gone!)".contains(subject))
    }

    @Test("a wrong secret fails with 401 and the fix, never showing the secret; an unknown id and an unreachable registry say so")
    func failures() async throws {
        let secret = "definitely-wrong-secret-123"
        let wrong = SchemaRegistryClient(configuration: try Self.configuration(secret: secret))
        let unauthorized = await #expect(throws: SchemaRegistryError.self) { _ = try await wrong.subjects() }
        let text = "\(unauthorized.map { "\($0)" } ?? "")"
        #expect(unauthorized?.status == 401 && text.contains("basic.auth.user.info") && !text.contains(secret), "\(text)")
        #expect(!"\(wrong.configuration)".contains(secret))
        let registry = SchemaRegistryClient(configuration: try Self.configuration())
        let unknown = await #expect(throws: SchemaRegistryError.self) { _ = try await registry.schema(id: 987_654) }
        #expect(unknown?.code == 40403 && "\(unknown!)".contains("987654"), "\(String(describing: unknown))")
        let closed = SchemaRegistryClient(configuration: SchemaRegistryConfiguration(url: "http://127.0.0.1:1", maxRetries: 2))
        let start = ContinuousClock.now
        let refused = await #expect(throws: SchemaRegistryError.self) { _ = try await closed.subjects() }
        #expect(refused?.status == nil && "\(refused!)".contains("no answer"), "\(String(describing: refused))")
        #expect(ContinuousClock.now - start >= .milliseconds(300), "tried again twice, 100 + 200 ms apart")
    }

    @Test("credentials in the URL (kcat's -r) and from a properties file, redacted in descriptions")
    func configurationSources() async throws {
        let inURL = SchemaRegistryConfiguration(url: "https://key:s3cr%40t@registry.example.com:8081")
        #expect(inURL.urls == ["https://registry.example.com:8081"] && inURL.basicAuthUserInfo == "key:s3cr@t")
        #expect(!"\(inURL)".contains("s3cr"))
        // Both given: the explicit setting wins and the URL's secret still goes nowhere.
        let both = SchemaRegistryConfiguration(url: "http://key:urlS3cret@127.0.0.1:1", basicAuthUserInfo: "other:explicitS3cret", maxRetries: 0)
        #expect(both.urls == ["http://127.0.0.1:1"] && both.basicAuthUserInfo == "other:explicitS3cret")
        #expect(!"\(both)".contains("S3cret"))
        // However an error is made (a transport builds its own), it holds no credential.
        let built = SchemaRegistryError(request: "read the CA file", url: "https://key:builtS3cret@registry.example.com", status: nil, code: nil,
                                        message: "m", fix: nil)
        #expect(built.url == "https://registry.example.com" && !"\(built)".contains("S3cret"))
        var later = SchemaRegistryConfiguration(url: "http://127.0.0.1:1", maxRetries: 0)
        later.urls = ["http://key:laterS3cret@127.0.0.1:1"]
        #expect(!"\(later)".contains("S3cret"))
        for configuration in [both, later] {
            let failed = await #expect(throws: SchemaRegistryError.self) {
                _ = try await SchemaRegistryClient(configuration: configuration).subjects()
            }
            #expect(failed.map { !"\($0)".contains("S3cret") && !$0.url.contains("S3cret") } == true, "\(String(describing: failed))")
        }
        let kafka = try KafkaConfiguration(parsing: """
            bootstrap.servers=pkc-1.confluent.cloud:9092
            schema.registry.url=https://psrc-1.confluent.cloud
            basic.auth.credentials.source=USER_INFO
            basic.auth.user.info=SRKEY:SRSECRET
            """)
        let fromFile = try SchemaRegistryConfiguration(kafka: kafka)
        #expect(fromFile.urls == ["https://psrc-1.confluent.cloud"] && fromFile.basicAuthUserInfo == "SRKEY:SRSECRET")
        #expect(!"\(kafka)".contains("SRSECRET") && !kafka.warnings.joined().contains("SRSECRET"))
        #expect(kafka["schema.registry.url"] == nil, "not given to librdkafka")
        let withCA = SchemaRegistryClient(configuration: SchemaRegistryConfiguration(url: "https://registry.example.com", caLocation: "/etc/ca.pem"))
        let refusedCA = await #expect(throws: SchemaRegistryError.self) { _ = try await withCA.subjects() }
        #expect("\(refusedCA.map { "\($0)" } ?? "")".contains("schema.registry.ssl.ca.location"), "not silently ignored")
        let none = #expect(throws: SchemaRegistryError.self) { _ = try SchemaRegistryConfiguration(kafka: KafkaConfiguration()) }
        #expect("\(none.map { "\($0)" } ?? "")".contains("schema.registry.url"))
    }

    struct Price: Codable, Equatable {
        var product: String
        var cents: Int
    }

    struct PriceV2: Codable, Equatable {
        var product: String
        var cents: Int64
        var currency: String
    }

    @Test("Avro serializer and deserializer through a topic: framed records, one registration, evolution to a newer reader, bad records named")
    func serializersThroughATopic() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = Self.subject("prices")
        try cluster.createTopic(topic, partitions: 1)
        let registry = SchemaRegistryClient(configuration: try Self.configuration())
        let serializer = try AvroSerializer(registry: registry, schema: Self.v1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for i in 0..<3 {
            let value = try await serializer.serialize(Price(product: "P\(i)", cents: 100 * i), topic: topic)
            #expect(value.first == 0)
            _ = try await producer.send(KafkaProducerMessage(topic: topic, value: KafkaPayload(value)))
        }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: "not avro"))
        _ = await producer.shutdown()
        #expect(try await registry.versions(subject: "\(topic)-value") == [1])

        let messages = try await InteropTests.consume(4, cluster.bootstrapServers, topic)
        let plain = try AvroDeserializer(registry: registry)
        #expect(try await plain.deserialize(Price.self, from: messages[1]) == Price(product: "P1", cents: 100))
        let evolved = try AvroDeserializer(registry: registry, readerSchema: Self.v2)
        #expect(try await evolved.deserialize(PriceV2.self, from: messages[2]) == PriceV2(product: "P2", cents: 200, currency: "EUR"))
        let bad = await #expect(throws: KafkaError.self) { _ = try await plain.deserialize(Price.self, from: messages[3]) }
        #expect(bad?.code == .valueDeserialization && "\(bad!)".contains("magic byte") && "\(bad!)".contains(topic), "\(String(describing: bad))")
        let unknownID = await #expect(throws: KafkaError.self) { _ = try await plain.value(of: WireFormat.frame([2, 0x41], schemaID: 999_999)) }
        #expect("\(unknownID.map { "\($0)" } ?? "")".contains("schema id 999999"))
        let mismatch = await #expect(throws: KafkaError.self) {
            _ = try await serializer.serialize(PriceV2(product: "x", cents: 1, currency: "USD"), topic: topic)
        }
        #expect(mismatch?.code == .valueSerialization && "\(mismatch!)".contains("currency"), "\(String(describing: mismatch))")
    }
}

@Suite("JSON Schema serializers", .serialized, .timeLimit(.minutes(2)))
struct JSONSchemaTests {
    static let schema = """
        {"title": "Price", "type": "object", "additionalProperties": false, "required": ["product", "price"],
         "properties": {"product": {"type": "string", "minLength": 1}, "price": {"type": "number", "minimum": 0},
                        "tags": {"type": "array", "items": {"type": "string"}}, "currency": {"enum": ["EUR", "USD"]}}}
        """

    struct Price: Codable, Equatable {
        var product: String
        var price: Double
        var tags: [String]?
        var currency: String?
    }

    @Test("the validator names each problem with its path")
    func validator() throws {
        let validator = try JSONSchemaValidator(parsing: Self.schema)
        #expect(validator.problems(try JSONValue(parsing: #"{"product": "A", "price": 1.5, "tags": ["x"], "currency": "EUR"}"#)).isEmpty)
        let problems = validator.problems(try JSONValue(parsing: #"{"product": "", "price": -1, "tags": [1], "currency": "GBP", "extra": true}"#))
        for expected in ["$.product: shorter than 1", "$.price: -1 is below the minimum", "$.tags[0]: integer where the schema wants string",
                         "$.currency: \"GBP\" is not one of", "property \"extra\" is not allowed"] {
            #expect(problems.contains { $0.contains(expected) }, "\(expected) in \(problems)")
        }
        #expect(validator.problems(try JSONValue(parsing: #"{"price": 1}"#)).contains { $0.contains("required property \"product\"") })
    }

    @Test("JSON Schema serializer: registered as JSON, framed, validated on produce, read back")
    func serializer() async throws {
        let registry = SchemaRegistryClient(configuration: try SchemaRegistryTests.configuration())
        let topic = SchemaRegistryTests.subject("json-prices")
        let serializer = try JSONSchemaSerializer(registry: registry, schema: Self.schema)
        let framed = try await serializer.serialize(Price(product: "ABC", price: 100, tags: ["new"], currency: "EUR"), topic: topic)
        let id = try WireFormat.schemaID(of: framed)
        #expect(try await registry.schema(id: id).type == .json)
        let invalid = await #expect(throws: KafkaError.self) {
            _ = try await serializer.serialize(Price(product: "", price: -5), topic: topic)
        }
        #expect(invalid?.code == .valueSerialization && "\(invalid!)".contains("$.price") && "\(invalid!)".contains("$.product"), "\(String(describing: invalid))")

        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        _ = try await producer.send(KafkaProducerMessage(topic: topic, value: KafkaPayload(framed)))
        _ = await producer.shutdown()
        let messages = try await InteropTests.consume(1, cluster.bootstrapServers, topic)
        let deserializer = JSONSchemaDeserializer(registry: registry, validates: true)
        #expect(try await deserializer.deserialize(Price.self, from: messages[0]) == Price(product: "ABC", price: 100, tags: ["new"], currency: "EUR"))
    }
}
