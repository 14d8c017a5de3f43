/// An Avro schema (Avro 1.11 specification): primitive, named and complex types, with the
/// logical types the Confluent serializers use.
///
/// Parse one from its JSON text with ``init(parsing:)``. Named types (records, enums, fixed)
/// are shared by reference, so recursive records are fine.
public indirect enum AvroSchema: Sendable, CustomStringConvertible {
    case null
    case boolean
    case int(IntLogical?)
    case long(LongLogical?)
    case float
    case double
    case bytes(Decimal?)
    case string(StringLogical?)
    case record(Record)
    case enumeration(Enumeration)
    case array(AvroSchema)
    case map(AvroSchema)
    case union([AvroSchema])
    case fixed(Fixed)

    /// Logical types on `int`.
    public enum IntLogical: String, Sendable { case date, timeMillis = "time-millis" }
    /// Logical types on `long`.
    public enum LongLogical: String, Sendable {
        case timeMicros = "time-micros"
        case timestampMillis = "timestamp-millis"
        case timestampMicros = "timestamp-micros"
        case localTimestampMillis = "local-timestamp-millis"
        case localTimestampMicros = "local-timestamp-micros"
    }
    /// Logical types on `string`.
    public enum StringLogical: String, Sendable { case uuid }

    /// The `decimal` logical type: an unscaled two's-complement big-endian integer.
    public struct Decimal: Sendable, Hashable {
        public var precision: Int
        public var scale: Int
    }

    /// A name with its namespace.
    public struct Name: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var namespace: String?
        public var fullName: String { namespace.map { $0.isEmpty ? name : "\($0).\(name)" } ?? name }
        public var description: String { fullName }
    }

    /// A record's field.
    public struct Field: Sendable {
        public var name: String
        public var type: AvroSchema
        /// The default, as its JSON value (`AvroValue` once resolved against `type`).
        public var defaultValue: JSONValue?
        public var aliases: [String]
        public var doc: String?
    }

    /// A record type. A class, so that a record can contain itself: a reference to a record
    /// from inside its own definition holds it weakly, so a recursive schema makes no cycle
    /// (keep the schema that defines it while using one of its parts).
    public final class Record: @unchecked Sendable {
        public let name: Name
        public let aliases: [String]
        public let doc: String?
        /// Set once while parsing, then never changed.
        private var ownFields: [Field] = []
        private var ownIndex: [String: Int] = [:]
        private let isReference: Bool
        private weak var definition: Record?

        init(name: Name, aliases: [String], doc: String?) {
            self.name = name
            self.aliases = aliases
            self.doc = doc
            self.isReference = false
        }

        /// A reference to `record` from inside its own definition.
        init(referencing record: Record) {
            self.name = record.name
            self.aliases = record.aliases
            self.doc = record.doc
            self.isReference = true
            self.definition = record
        }

        func define(_ fields: [Field], index: [String: Int]) {
            ownFields = fields
            ownIndex = index
        }

        /// The fields in order.
        public var fields: [Field] { isReference ? (definition?.ownFields ?? []) : ownFields }
        /// Field index by name.
        public var fieldIndex: [String: Int] { isReference ? (definition?.ownIndex ?? [:]) : ownIndex }
        /// A recursive reference whose defining schema is gone.
        var isDangling: Bool { isReference && definition == nil }
    }

    public struct Enumeration: Sendable {
        public var name: Name
        public var aliases: [String]
        public var symbols: [String]
        /// The symbol a reader uses for a writer's symbol it does not know.
        public var defaultSymbol: String?
    }

    public struct Fixed: Sendable {
        public var name: Name
        public var aliases: [String]
        public var size: Int
        /// `decimal` on fixed, or nil.
        public var decimal: Decimal?
    }

    /// The type's name as Avro spells it, for messages: `int`, `com.example.Product`, `union`...
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int(let logical): return logical.map { "int (\($0.rawValue))" } ?? "int"
        case .long(let logical): return logical.map { "long (\($0.rawValue))" } ?? "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes(let decimal): return decimal == nil ? "bytes" : "bytes (decimal)"
        case .string(let logical): return logical == nil ? "string" : "string (uuid)"
        case .record(let record): return record.name.fullName
        case .enumeration(let e): return e.name.fullName
        case .array(let items): return "array<\(items.typeName)>"
        case .map(let values): return "map<\(values.typeName)>"
        case .union(let branches): return "[" + branches.map(\.typeName).joined(separator: ", ") + "]"
        case .fixed(let f): return f.name.fullName
        }
    }

    /// The full name of a named type, nil for others.
    public var fullName: String? {
        switch self {
        case .record(let r): return r.name.fullName
        case .enumeration(let e): return e.name.fullName
        case .fixed(let f): return f.name.fullName
        default: return nil
        }
    }

    public var description: String { typeName }
}

/// A JSON value, as schemas and Avro's JSON encoding hold them.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    /// Integers kept exact (a `long` default beyond 2^53).
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}
