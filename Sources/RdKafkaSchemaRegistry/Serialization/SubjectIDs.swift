import RdKafka


/// How a serializer finds the id of its schema.
public enum SchemaIDSource: Sendable {
    /// Register the schema under the subject (the registry returns the existing id when it has
    /// it already): the Confluent clients' `auto.register.schemas=true`.
    case autoRegister
    /// The schema must be registered already: look it up, fail if it is not.
    case lookup
    /// Use the subject's latest version, whatever its text (`use.latest.version=true`).
    case latestVersion
}

/// A serializer's schema ids per subject, asked of the registry once per subject.
final class SubjectIDs<Parsed: Sendable>: Sendable {
    let registry: SchemaRegistryClient
    let schema: SchemaRegistryClient.Schema
    let parsed: Parsed
    let source: SchemaIDSource
    let isKey: Bool
    let parse: @Sendable (String) throws(AvroError) -> Parsed
    private let known = Locked<[String: (Int, Parsed)]>([:])

    init(registry: SchemaRegistryClient, schema: SchemaRegistryClient.Schema, parsed: Parsed, source: SchemaIDSource, isKey: Bool,
         parse: @escaping @Sendable (String) throws(AvroError) -> Parsed) {
        self.registry = registry
        self.schema = schema
        self.parsed = parsed
        self.source = source
        self.isKey = isKey
        self.parse = parse
    }

    func failure(_ message: String, topic: String, fix: String? = nil) -> KafkaError {
        KafkaError(code: isKey ? .keySerialization : .valueSerialization, message: "\(topic) \(isKey ? "key" : "value"): \(message)", fix: fix)
    }

    /// A registry call, its failure as the serializer's error.
    private func ask<T>(_ topic: String, _ call: () async throws(SchemaRegistryError) -> T) async throws(KafkaError) -> T {
        do throws(SchemaRegistryError) {
            return try await call()
        } catch {
            throw failure("\(error)", topic: topic, fix: error.fix)
        }
    }

    /// The id to frame records with, and the schema to write them with (the subject's latest
    /// for `.latestVersion`, else the serializer's own).
    func id(subject: String, topic: String) async throws(KafkaError) -> (Int, Parsed) {
        if let found = known.withLock({ $0[subject] }) { return found }
        let found: (Int, Parsed)
        switch source {
        case .autoRegister:
            found = (try await ask(topic) { () async throws(SchemaRegistryError) in try await registry.register(schema, subject: subject) }, parsed)
        case .lookup:
            guard let version = try await ask(topic, { () async throws(SchemaRegistryError) in try await registry.lookup(schema, subject: subject) }) else {
                throw failure("the schema is not registered under subject \"\(subject)\"", topic: topic,
                    fix: "register it first, or use idSource: .autoRegister")
            }
            found = (version.id, parsed)
        case .latestVersion:
            let latest = try await ask(topic) { () async throws(SchemaRegistryError) in try await registry.version(subject: subject) }
            guard latest.schema.type == schema.type else {
                throw failure("the latest schema of subject \"\(subject)\" is \(latest.schema.type.rawValue), not \(schema.type.rawValue)", topic: topic)
            }
            do throws(AvroError) {
                found = (latest.id, try parse(latest.schema.text))
            } catch {
                throw failure("the latest schema of subject \"\(subject)\" cannot be used: \(error.message)", topic: topic)
            }
        }
        known.withLock { $0[subject] = found }
        return found
    }
}
