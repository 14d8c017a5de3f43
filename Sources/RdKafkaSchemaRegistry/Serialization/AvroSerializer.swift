import RdKafka


/// Writes keys or values as Avro in the Schema Registry wire format, for
/// `KafkaProducerMessage(topic:key:value:)`.
///
/// The schema is registered (or looked up) on the first record of a topic; later records make
/// no HTTP call. `Sendable`: share one per schema.
public final class AvroSerializer: Sendable {
    public typealias IDSource = SchemaIDSource

    public let registry: SchemaRegistryClient
    public let schema: AvroSchema
    public let schemaText: String
    public let isKey: Bool
    public let idSource: IDSource
    public let subjectNameStrategy: SubjectNameStrategy
    private let encoder = AvroEncoder()
    private let ids: SubjectIDs<AvroSchema>

    /// - Throws: `KafkaError` (`_VALUE_SERIALIZATION` or the key's) when `schema` is not a
    ///   valid Avro schema, naming what is wrong.
    public init(registry: SchemaRegistryClient, schema: String, isKey: Bool = false, idSource: IDSource = .autoRegister,
                subjectNameStrategy: SubjectNameStrategy = .topicName) throws(KafkaError) {
        self.registry = registry
        self.schemaText = schema
        self.isKey = isKey
        self.idSource = idSource
        self.subjectNameStrategy = subjectNameStrategy
        let parsed: AvroSchema
        do throws(AvroError) {
            parsed = try AvroSchema(parsing: schema)
        } catch {
            throw KafkaError(code: isKey ? .keySerialization : .valueSerialization, message: "the \(isKey ? "key" : "value") schema is not valid Avro: \(error.message)",
                fix: "fix the schema")
        }
        self.schema = parsed
        ids = SubjectIDs(registry: registry, schema: .init(schema, type: .avro), parsed: parsed, source: idSource, isKey: isKey) { text throws(AvroError) in
            try AvroSchema(parsing: text)
        }
    }

    /// `value` encoded through the schema and framed with its id.
    public func serialize<T: Encodable>(_ value: T, topic: String) async throws(KafkaError) -> [UInt8] {
        let (id, writeSchema) = try await schemaID(topic: topic)
        do throws(AvroError) {
            return try encoder.encode(value, as: writeSchema, after: WireFormat.header(schemaID: id))
        } catch {
            throw failure("a \(T.self) does not match the schema: \(error.message)", topic: topic, fix: "make the value fit the schema, or the schema the value")
        }
    }

    /// A generic value encoded through the schema and framed with its id.
    public func serialize(_ value: AvroValue, topic: String) async throws(KafkaError) -> [UInt8] {
        let (id, writeSchema) = try await schemaID(topic: topic)
        do throws(AvroError) {
            return WireFormat.frame(try AvroBinary.encode(value, as: writeSchema), schemaID: id)
        } catch {
            throw failure("the value does not match the schema: \(error.message)", topic: topic, fix: "make the value fit the schema")
        }
    }

    private func failure(_ message: String, topic: String, fix: String? = nil) -> KafkaError {
        KafkaError(code: isKey ? .keySerialization : .valueSerialization, message: "\(topic) \(isKey ? "key" : "value"): \(message)", fix: fix)
    }

    func schemaID(topic: String) async throws(KafkaError) -> (Int, AvroSchema) {
        try await ids.id(subject: try subjectNameStrategy.subject(topic: topic, isKey: isKey, recordName: schema.fullName), topic: topic)
    }
}

/// Reads keys or values written in the Schema Registry wire format with Avro: fetches the
/// writer's schema by id (once per id), and reads the record as the reader schema, if one is
/// given (schema evolution), or as the writer's.
public final class AvroDeserializer: Sendable {
    public let registry: SchemaRegistryClient
    /// The schema the app reads with; nil reads each record as it was written.
    public let readerSchema: AvroSchema?
    public let isKey: Bool
    private let decoder = AvroDecoder()
    private let writers = Locked<[Int: AvroSchema]>([:])

    public init(registry: SchemaRegistryClient, readerSchema: String? = nil, isKey: Bool = false) throws(KafkaError) {
        self.registry = registry
        self.isKey = isKey
        do throws(AvroError) {
            self.readerSchema = try readerSchema.map { (text) throws(AvroError) in try AvroSchema(parsing: text) }
        } catch {
            throw KafkaError(code: isKey ? .keyDeserialization : .valueDeserialization,
                message: "the reader schema is not valid Avro: \(error.message)", fix: "fix the schema")
        }
    }

    /// The record's value (or key) as a generic value, and the schema it was read as.
    public func value(of message: KafkaMessage) async throws(KafkaError) -> (AvroValue, AvroSchema) {
        let bytes: [UInt8]? = isKey ? message.key : message.value
        guard let bytes else {
            throw KafkaError(code: isKey ? .keyDeserialization : .valueDeserialization,
                message: "\(message) has a null \(isKey ? "key" : "value"), not Avro")
        }
        return try await value(of: bytes, place: "\(message)")
    }

    /// `T` from the record's value (or key). Without a reader schema, straight from the bytes
    /// (see ``AvroDecoder/decode(_:from:writer:reader:)``).
    public func deserialize<T: Decodable>(_ type: T.Type, from message: KafkaMessage) async throws(KafkaError) -> T {
        if readerSchema == nil, let bytes = isKey ? message.key : message.value, let id = try? WireFormat.schemaID(of: bytes, isKey: isKey) {
            let writer = try await writerSchema(id, place: "\(message)")
            if let value = bytes.withUnsafeBytes({ try? StreamDecoder.decode(type, from: UnsafeRawBufferPointer(rebasing: $0[5...]), schema: writer) }) {
                return value
            }
        }
        // Through an AvroValue: schema resolution, and errors that name what is wrong.
        let (value, schema) = try await self.value(of: message)
        do throws(AvroError) {
            return try decoder.decode(type, from: value, schema: schema)
        } catch {
            throw KafkaError(code: isKey ? .keyDeserialization : .valueDeserialization, message: "\(message): \(error.message)",
                fix: "make \(T.self) match the schema")
        }
    }

    /// A generic value from framed bytes; `place` names the record in errors.
    public func value(of bytes: [UInt8], place: String = "the record") async throws(KafkaError) -> (AvroValue, AvroSchema) {
        let code: KafkaError.Code = isKey ? .keyDeserialization : .valueDeserialization
        let id = try WireFormat.schemaID(of: bytes, isKey: isKey, where: place)
        let writer = try await writerSchema(id, place: place)
        let reader = readerSchema ?? writer
        do throws(AvroError) {
            let value = try AvroBinary.decode(Array(bytes[5...]), writer: writer, reader: reader)
            return (value, reader)
        } catch {
            throw KafkaError(code: code, message: "\(place) (schema id \(id)): \(error.message)",
                fix: error.kind == .incompatible ? "the reader schema cannot read this writer's records: evolve it compatibly" : "the payload does not match its schema: check the producer")
        }
    }

    private func writerSchema(_ id: Int, place: String) async throws(KafkaError) -> AvroSchema {
        if let known = writers.withLock({ $0[id] }) { return known }
        let code: KafkaError.Code = isKey ? .keyDeserialization : .valueDeserialization
        let fetched: SchemaRegistryClient.Schema
        do throws(SchemaRegistryError) {
            fetched = try await registry.schema(id: id)
        } catch {
            throw KafkaError(code: code, message: "\(place) names schema id \(id): \(error)",
                fix: error.status == 404 ? "the registry has no schema \(id): check that producer and consumer use the same registry" : error.fix)
        }
        guard fetched.type == .avro else {
            throw KafkaError(code: code, message: "\(place) names schema id \(id), a \(fetched.type.rawValue) schema, not Avro",
                fix: "read this topic with the \(fetched.type.rawValue) deserializer")
        }
        do throws(AvroError) {
            let schema = try AvroSchema(parsing: fetched.text)
            writers.withLock { $0[id] = schema }
            return schema
        } catch {
            throw KafkaError(code: code, message: "schema id \(id) is not valid Avro: \(error.message)")
        }
    }
}
