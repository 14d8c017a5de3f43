import Foundation
import RdKafka
import RdKafkaSchemaRegistry
import RdKafkaTesting
import Testing

/// Records written by the Swift serializers are read by PyPI's confluent-kafka serializers and
/// the other way round, through the test registry and a broker.
@Suite("Interop with confluent-kafka (Python)", .serialized, .timeLimit(.minutes(3)))
struct InteropTests {
    static func registryArguments() throws -> (String, String) {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_URL"], let user = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_USER"],
              let secret = environment["RDKAFKA_TEST_SCHEMA_REGISTRY_SECRET"] else {
            throw PythonReference.Failed(description: "RDKAFKA_TEST_SCHEMA_REGISTRY_URL is not set (make test starts the registry)")
        }
        return (url, "\(user):\(secret)")
    }

    static func consume(_ count: Int, _ bootstrap: String, _ topic: String) async throws -> [KafkaMessage] {
        var config = KafkaConfiguration(bootstrapServers: [bootstrap])
        config.groupID = "swift-interop-\(topic)"
        config.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        let messages = try await KafkaTestSupport.collect(count, from: consumer)
        try await consumer.close()
        return messages
    }

    @Test("Avro, every type and logical type: Swift writes, Python reads equal records; Python writes, Swift reads equal records")
    func avroBothWays() async throws {
        let (url, userInfo) = try Self.registryArguments()
        let cluster = try MockCluster(brokers: 1)
        let schemaText = AvroReferenceTests.schemaText
        let schema = try AvroSchema(parsing: schemaText)
        let registry = SchemaRegistryClient(configuration: try SchemaRegistryTests.configuration())
        let records = AvroReferenceTests.records

        let fromSwift = SchemaRegistryTests.subject("interop-swift-avro")
        try cluster.createTopic(fromSwift, partitions: 1)
        let serializer = try AvroSerializer(registry: registry, schema: schemaText)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for record in records {
            let value = try AvroValue(json: try JSONValue(parsing: record), schema: schema)
            _ = try await producer.send(KafkaProducerMessage(topic: fromSwift, value: KafkaPayload(try await serializer.serialize(value, topic: fromSwift))))
        }
        _ = await producer.shutdown()
        let readByPython = try PythonReference.run("python_interop.py",
            ["consume", "avro", cluster.bootstrapServers, url, userInfo, fromSwift, AvroReferenceTests.schemaFile, "\(records.count)"])
        let expected = try records.map { try JSONValue(parsing: $0) }
        #expect(try readByPython.map { try JSONValue(parsing: $0) } == expected)

        let fromPython = SchemaRegistryTests.subject("interop-python-avro")
        try cluster.createTopic(fromPython, partitions: 1)
        _ = try PythonReference.run("python_interop.py",
            ["produce", "avro", cluster.bootstrapServers, url, userInfo, fromPython, AvroReferenceTests.schemaFile], input: records)
        let deserializer = try AvroDeserializer(registry: registry)
        var readBySwift: [JSONValue] = []
        for message in try await Self.consume(records.count, cluster.bootstrapServers, fromPython) {
            let (value, readSchema) = try await deserializer.value(of: message)
            readBySwift.append(try JSONValue(parsing: value.avroJSON(schema: readSchema)))
        }
        #expect(readBySwift == expected)
    }

    struct Price: Codable, Equatable {
        var product: String
        var price: Double
        var tags: [String]?
        var currency: String?
    }

    @Test("JSON Schema: Swift writes, Python's JSONDeserializer reads; Python's JSONSerializer writes, Swift reads")
    func jsonBothWays() async throws {
        let (url, userInfo) = try Self.registryArguments()
        let cluster = try MockCluster(brokers: 1)
        let registry = SchemaRegistryClient(configuration: try SchemaRegistryTests.configuration())
        let schemaFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(SchemaRegistryTests.subject("price")).json").path
        try JSONSchemaTests.schema.write(toFile: schemaFile, atomically: true, encoding: .utf8)
        let prices = [Price(product: "ABC", price: 100.5, tags: ["new"], currency: "EUR"), Price(product: "XYZ", price: 2, tags: nil, currency: nil)]

        let fromSwift = SchemaRegistryTests.subject("interop-swift-json")
        try cluster.createTopic(fromSwift, partitions: 1)
        let serializer = try JSONSchemaSerializer(registry: registry, schema: JSONSchemaTests.schema)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [cluster.bootstrapServers]))
        for price in prices {
            _ = try await producer.send(KafkaProducerMessage(topic: fromSwift, value: KafkaPayload(try await serializer.serialize(price, topic: fromSwift))))
        }
        _ = await producer.shutdown()
        let readByPython = try PythonReference.run("python_interop.py",
            ["consume", "json", cluster.bootstrapServers, url, userInfo, fromSwift, schemaFile, "\(prices.count)"])
        #expect(try readByPython.map { try JSONDecoder().decode(Price.self, from: Data($0.utf8)) } == prices)

        let fromPython = SchemaRegistryTests.subject("interop-python-json")
        try cluster.createTopic(fromPython, partitions: 1)
        let lines = try prices.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        _ = try PythonReference.run("python_interop.py", ["produce", "json", cluster.bootstrapServers, url, userInfo, fromPython, schemaFile], input: lines)
        let deserializer = JSONSchemaDeserializer(registry: registry, validates: true)
        var readBySwift: [Price] = []
        for message in try await Self.consume(prices.count, cluster.bootstrapServers, fromPython) {
            readBySwift.append(try await deserializer.deserialize(Price.self, from: message))
        }
        #expect(readBySwift == prices)
    }
}
