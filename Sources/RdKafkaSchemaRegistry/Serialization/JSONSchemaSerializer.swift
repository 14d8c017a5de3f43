import Foundation
import RdKafka

/// Writes `Encodable` keys or values as JSON with a registered JSON Schema, in the Schema
/// Registry wire format; checks each payload against the schema first unless told not to.
public final class JSONSchemaSerializer: Sendable {
    public let registry: SchemaRegistryClient
    public let validator: JSONSchemaValidator
    public let isKey: Bool
    /// Check each payload against the schema before it is sent (`json.fail.invalid.schema`).
    public let validates: Bool
    public let subjectNameStrategy: SubjectNameStrategy
    private let ids: SubjectIDs<JSONSchemaValidator>
    private let encoder: @Sendable () -> JSONEncoder

    /// - Throws: `KafkaError` when `schema` is not a JSON schema.
    public init(registry: SchemaRegistryClient, schema: String, isKey: Bool = false, idSource: SchemaIDSource = .autoRegister,
                validates: Bool = true, subjectNameStrategy: SubjectNameStrategy = .topicName,
                encoder: @escaping @Sendable () -> JSONEncoder = { JSONEncoder() }) throws(KafkaError) {
        self.registry = registry
        self.isKey = isKey
        self.validates = validates
        self.subjectNameStrategy = subjectNameStrategy
        self.encoder = encoder
        do throws(AvroError) {
            validator = try JSONSchemaValidator(parsing: schema)
        } catch {
            throw KafkaError(code: isKey ? .keySerialization : .valueSerialization, message: "the \(isKey ? "key" : "value") schema: \(error.message)",
                fix: "fix the JSON schema")
        }
        ids = SubjectIDs(registry: registry, schema: .init(schema, type: .json), parsed: validator, source: idSource, isKey: isKey) { text throws(AvroError) in
            try JSONSchemaValidator(parsing: text)
        }
    }

    /// `value` as JSON, checked against the schema and framed with its id.
    public func serialize<T: Encodable>(_ value: T, topic: String) async throws(KafkaError) -> [UInt8] {
        let data: Data
        do {
            data = try encoder().encode(value)
        } catch {
            throw ids.failure("\(T.self) could not be encoded as JSON: \(error)", topic: topic)
        }
        return try await framed([UInt8](data), json: nil, what: "\(T.self)", topic: topic)
    }

    /// A JSON value without a Swift type, checked against the schema and framed with its id.
    public func serialize(json value: JSONValue, topic: String) async throws(KafkaError) -> [UInt8] {
        try await framed(Array(value.jsonText.utf8), json: value, what: "value", topic: topic)
    }

    private func framed(_ payload: [UInt8], json: JSONValue?, what: String, topic: String) async throws(KafkaError) -> [UInt8] {
        let title = validator.schema["title"]?.stringValue
        let subject = try subjectNameStrategy.subject(topic: topic, isKey: isKey, recordName: title)
        let (id, checker) = try await ids.id(subject: subject, topic: topic)
        if validates {
            let parsed: JSONValue
            do throws(AvroError) {
                if let json { parsed = json } else { parsed = try JSONValue(parsing: String(decoding: payload, as: UTF8.self)) }
            } catch {
                throw ids.failure("the encoded \(what) is not JSON: \(error.message)", topic: topic)
            }
            let problems = checker.problems(parsed)
            if !problems.isEmpty {
                throw ids.failure("a \(what) does not match the JSON schema: \(problems.prefix(5).joined(separator: "; "))", topic: topic,
                    fix: "make the value fit the schema, or the schema the value")
            }
        }
        return WireFormat.frame(payload, schemaID: id)
    }
}

/// Reads JSON keys or values written with a JSON Schema in the Schema Registry wire format,
/// optionally checking each against its schema.
public final class JSONSchemaDeserializer: Sendable {
    public let registry: SchemaRegistryClient
    public let isKey: Bool
    public let validates: Bool
    private let decoder: @Sendable () -> JSONDecoder

    public init(registry: SchemaRegistryClient, isKey: Bool = false, validates: Bool = false,
                decoder: @escaping @Sendable () -> JSONDecoder = { JSONDecoder() }) {
        self.registry = registry
        self.isKey = isKey
        self.validates = validates
        self.decoder = decoder
    }

    /// `T` from the record's value (or key).
    public func deserialize<T: Decodable>(_ type: T.Type, from message: KafkaMessage) async throws(KafkaError) -> T {
        let (payload, place) = try await checkedPayload(of: message)
        do {
            return try decoder().decode(T.self, from: payload)
        } catch {
            throw KafkaError(code: code, message: "\(place) is not \(T.self) JSON: \(error)", fix: "make \(T.self) match what producers write")
        }
    }

    /// The record's value (or key) as a JSON value, for code without a Swift type.
    public func json(of message: KafkaMessage) async throws(KafkaError) -> JSONValue {
        let (payload, place) = try await checkedPayload(of: message)
        do throws(AvroError) {
            return try JSONValue(parsing: String(decoding: payload, as: UTF8.self))
        } catch {
            throw KafkaError(code: code, message: "\(place) is not JSON: \(error.message)")
        }
    }

    private var code: KafkaError.Code { isKey ? .keyDeserialization : .valueDeserialization }

    /// The JSON after the wire-format header, checked against its schema when `validates`.
    private func checkedPayload(of message: KafkaMessage) async throws(KafkaError) -> (Data, String) {
        guard let bytes = isKey ? message.key : message.value else {
            throw KafkaError(code: code, message: "\(message) has a null \(isKey ? "key" : "value"), not JSON")
        }
        let place = "\(message)"
        let id = try WireFormat.schemaID(of: bytes, isKey: isKey, where: place)
        let payload = Data(bytes[5...])
        if validates {
            let schema: SchemaRegistryClient.Schema
            do throws(SchemaRegistryError) {
                schema = try await registry.schema(id: id)
            } catch {
                throw KafkaError(code: code, message: "\(place) names schema id \(id): \(error)", fix: error.fix)
            }
            let problems: [String]
            do throws(AvroError) {
                problems = try JSONSchemaValidator(parsing: schema.text).problems(try JSONValue(parsing: String(decoding: payload, as: UTF8.self)))
            } catch {
                throw KafkaError(code: code, message: "\(place) (schema id \(id)): \(error.message)")
            }
            if !problems.isEmpty {
                throw KafkaError(code: code, message: "\(place) does not match its JSON schema \(id): \(problems.prefix(5).joined(separator: "; "))")
            }
        }
        return (payload, place)
    }
}
