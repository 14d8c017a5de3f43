import Foundation

/// Encodes `Encodable` Swift values as Avro through a schema: record fields by coding key,
/// optionals as unions with null, `String`-backed enums as Avro enums, `Data` and `[UInt8]`
/// as bytes or fixed, and the logical types from `Date` (`date`, `timestamp-*`,
/// `local-timestamp-*`), `UUID` (`uuid`) and `Decimal` (`decimal`).
public struct AvroEncoder: Sendable {
    public init() {}

    /// The value as an ``AvroValue`` of `schema`.
    public func value<T: Encodable>(_ value: T, as schema: AvroSchema) throws(AvroError) -> AvroValue {
        let node: Node
        do {
            node = try Node.make(value)
        } catch let error as AvroError {
            throw error
        } catch {
            throw AvroError(.valueMismatch, "\(T.self) could not be encoded: \(error)")
        }
        return try node.avro(schema, path: schema.fullName ?? schema.typeName)
    }

    /// The value's Avro binary encoding.
    public func encode<T: Encodable>(_ value: T, as schema: AvroSchema) throws(AvroError) -> [UInt8] {
        try encode(value, as: schema, after: [])
    }

    /// `header` (the wire format's five bytes), then the value's encoding, written straight
    /// from `encode(to:)` without an intermediate value.
    func encode<T: Encodable>(_ value: T, as schema: AvroSchema, after header: [UInt8]) throws(AvroError) -> [UInt8] {
        let output = AvroOutput()
        output.writer.bytes.reserveCapacity(128)
        output.writer.bytes += header
        do {
            try StreamEncoder.encode(value, as: schema, output: output, parent: nil, step: .root)
        } catch let error as AvroError {
            throw error
        } catch {
            throw AvroError(.valueMismatch, "\(T.self) could not be encoded: \(error)")
        }
        return output.writer.bytes
    }
}

/// What `Encodable` produced, before the schema gives it Avro types.
enum Node {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case date(Date)
    case uuid(UUID)
    case decimal(Foundation.Decimal)
    case array([Node])
    case object([String: Node])

    static func make<T: Encodable>(_ value: T) throws -> Node {
        let ref = Ref()
        try NodeEncoder.encode(value, into: ref, path: [])
        return ref.node
    }

    static func special<T>(_ value: T) -> Node? {
        // Metatype comparisons first: boxing every value into `Any` to cast it costs more.
        guard T.self == Date.self || T.self == UUID.self || T.self == Data.self || T.self == [UInt8].self
            || T.self == Foundation.Decimal.self || T.self == URL.self else { return nil }
        switch value as Any {
        case let date as Date: return .date(date)
        case let uuid as UUID: return .uuid(uuid)
        case let data as Data: return .bytes([UInt8](data))
        case let bytes as [UInt8]: return .bytes(bytes)
        case let decimal as Foundation.Decimal: return .decimal(decimal)
        case let url as URL: return .string(url.absoluteString)
        default: return nil
        }
    }

    var kind: String {
        switch self {
        case .null: return "nil"
        case .bool: return "Bool"
        case .int, .uint: return "an integer"
        case .double: return "a floating-point number"
        case .string: return "a String"
        case .bytes: return "bytes"
        case .date: return "a Date"
        case .uuid: return "a UUID"
        case .decimal: return "a Decimal"
        case .array: return "an array"
        case .object: return "a keyed value (struct or dictionary)"
        }
    }

    func avro(_ schema: AvroSchema, path: String) throws(AvroError) -> AvroValue {
        func mismatch(_ detail: String = "") -> AvroError {
            AvroError(.valueMismatch, "\(path): \(kind) cannot be written as \(schema.typeName)\(detail)")
        }
        switch (schema, self) {
        case (.union(let branches), .null):
            guard branches.contains(where: { if case .null = $0 { return true }; return false }) else { throw mismatch() }
            return .null
        case (.union(let branches), _):
            var reasons: [String] = []
            for branch in branches where branch.unionKind != "null" {
                do throws(AvroError) { return try avro(branch, path: path) } catch { reasons.append(error.message) }
            }
            throw AvroError(.valueMismatch, "\(path): \(kind) fits no branch of \(schema.typeName) (\(reasons.joined(separator: "; ")))")
        case (.null, .null): return .null
        case (.boolean, .bool(let b)): return .boolean(b)
        case (.int(.date), .date(let d)):
            guard let days = Int32(exactly: AvroLogical.count(d, per: 1.0 / 86_400)) else { throw mismatch(" (out of range)") }
            return .int(days)
        case (.int, .int(let i)):
            guard let v = Int32(exactly: i) else { throw mismatch(" (\(i) is out of an int's range)") }
            return .int(v)
        case (.int, .uint(let u)):
            guard let v = Int32(exactly: u) else { throw mismatch(" (\(u) is out of an int's range)") }
            return .int(v)
        case (.long(let logical), .date(let d)):
            switch logical {
            case .timestampMillis?, .localTimestampMillis?: return .long(AvroLogical.count(d, per: 1_000))
            case .timestampMicros?, .localTimestampMicros?: return .long(AvroLogical.count(d, per: 1_000_000))
            default: throw mismatch(" (a Date needs a timestamp logical type)")
            }
        case (.long, .int(let i)): return .long(i)
        case (.long, .uint(let u)):
            guard let v = Int64(exactly: u) else { throw mismatch(" (\(u) is out of a long's range)") }
            return .long(v)
        case (.float, .double(let d)): return .float(Float(d))
        case (.float, .int(let i)): return .float(Float(i))
        case (.float, .uint(let u)): return .float(Float(u))
        case (.double, .double(let d)): return .double(d)
        case (.double, .int(let i)): return .double(Double(i))
        case (.double, .uint(let u)): return .double(Double(u))
        case (.string(.uuid), .uuid(let u)): return .string(u.uuidString.lowercased())
        case (.string, .string(let s)): return .string(s)
        case (.bytes(let decimal?), .decimal(let d)):
            guard let bytes = AvroLogical.unscaledBytes(d, scale: decimal.scale) else { throw mismatch(" (more than \(decimal.scale) decimal places)") }
            return .bytes(bytes)
        case (.fixed(let f), .decimal(let d)):
            guard let decimal = f.decimal, let bytes = AvroLogical.unscaledBytes(d, scale: decimal.scale, size: f.size) else {
                throw mismatch(" (not a decimal fixed, or the value does not fit it)")
            }
            return .fixed(bytes)
        case (.bytes, .bytes(let b)): return .bytes(b)
        case (.bytes, .array(let items)):
            guard let bytes = Node.bytes(items) else { throw mismatch() }
            return .bytes(bytes)
        case (.fixed(let f), .bytes(let b)):
            guard b.count == f.size else { throw mismatch(" (\(f.size) bytes, the value has \(b.count))") }
            return .fixed(b)
        case (.enumeration(let e), .string(let symbol)):
            guard e.symbols.contains(symbol) else {
                throw AvroError(.valueMismatch, "\(path): \"\(symbol)\" is not a symbol of \(e.name) (\(e.symbols.joined(separator: ", ")))")
            }
            return .enumeration(symbol)
        case (.array(let itemSchema), .array(let items)):
            var values: [AvroValue] = []
            for (i, item) in items.enumerated() { values.append(try item.avro(itemSchema, path: "\(path)[\(i)]")) }
            return .array(values)
        case (.map(let valueSchema), .object(let members)):
            var values: [String: AvroValue] = [:]
            for (key, member) in members { values[key] = try member.avro(valueSchema, path: "\(path)[\"\(key)\"]") }
            return .map(values)
        case (.record(let record), .object(let members)):
            var values: [String: AvroValue] = [:]
            for field in record.fields {
                let fieldPath = "\(path).\(field.name)"
                if let member = members[field.name] {
                    values[field.name] = try member.avro(field.type, path: fieldPath)
                } else if let defaultJSON = field.defaultValue {
                    values[field.name] = try AvroValue(defaultJSON: defaultJSON, schema: field.type, path: fieldPath)
                } else if case .union(let branches) = field.type, branches.contains(where: { $0.unionKind == "null" }) {
                    values[field.name] = .null  // a nil optional: Codable leaves the key out
                } else {
                    throw AvroError(.valueMismatch, "\(fieldPath) is missing and has no default")
                }
            }
            if let unknown = members.keys.sorted().first(where: { record.fieldIndex[$0] == nil }) {
                throw AvroError(.valueMismatch, "\(path): \(record.name) has no field \"\(unknown)\" (a coding key of the Swift type)")
            }
            return .record(values)
        default:
            throw mismatch()
        }
    }

    /// An array of small integers as bytes (`[UInt8]` inside a Codable type encodes that way).
    static func bytes(_ items: [Node]) -> [UInt8]? {
        var bytes: [UInt8] = []
        for item in items {
            switch item {
            case .int(let i) where (0...255).contains(i): bytes.append(UInt8(i))
            case .uint(let u) where u <= 255: bytes.append(UInt8(u))
            default: return nil
            }
        }
        return bytes
    }
}

/// Builds a ``Node`` tree from `Encodable`: containers write into shared references, so
/// nested containers need no write-back.
final class Ref {
    enum Content {
        case value(Node)
        case object([String: Ref])
        case array([Ref])
    }
    var content: Content = .value(.null)

    var node: Node {
        switch content {
        case .value(let node): return node
        case .object(let members): return .object(members.mapValues(\.node))
        case .array(let items): return .array(items.map(\.node))
        }
    }

    func member(_ key: String) -> Ref {
        let child = Ref()
        if case .object(var members) = content {
            members[key] = child
            content = .object(members)
        } else {
            content = .object([key: child])
        }
        return child
    }

    func appended() -> Ref {
        let child = Ref()
        if case .array(var items) = content {
            items.append(child)
            content = .array(items)
        } else {
            content = .array([child])
        }
        return child
    }
}

final class NodeEncoder: Encoder {
    let ref: Ref
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    init(ref: Ref = Ref(), codingPath: [CodingKey] = []) {
        self.ref = ref
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = ref.content {} else { ref.content = .object([:]) }
        return KeyedEncodingContainer(Keyed(ref: ref, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = ref.content {} else { ref.content = .array([]) }
        return Unkeyed(ref: ref, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { Single(ref: ref, codingPath: codingPath) }

    /// Encodes `value` into `ref` (Date, UUID, Data, Decimal, URL as themselves).
    static func encode<T: Encodable>(_ value: T, into ref: Ref, path: [CodingKey]) throws {
        if let special = Node.special(value) {
            ref.content = .value(special)
            return
        }
        try value.encode(to: NodeEncoder(ref: ref, codingPath: path))
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let ref: Ref
        let codingPath: [CodingKey]
        func set(_ node: Node, _ key: Key) { ref.member(key.stringValue).content = .value(node) }
        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { set(.double(Double(value)), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(Int64(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int64(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int64(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int64(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.uint(value), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try NodeEncoder.encode(value, into: ref.member(key.stringValue), path: codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(ref: ref.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            NodeEncoder(ref: ref.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { NodeEncoder(ref: ref.member("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Encoder { NodeEncoder(ref: ref.member(key.stringValue), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let ref: Ref
        let codingPath: [CodingKey]
        var count: Int { if case .array(let items) = ref.content { return items.count }; return 0 }
        func append(_ node: Node) { ref.appended().content = .value(node) }
        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(.double(value)) }
        mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { append(.int(Int64(value))) }
        mutating func encode(_ value: Int64) throws { append(.int(value)) }
        mutating func encode(_ value: UInt8) throws { append(.uint(UInt64(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try NodeEncoder.encode(value, into: ref.appended(), path: codingPath) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(ref: ref.appended(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            NodeEncoder(ref: ref.appended(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { NodeEncoder(ref: ref.appended(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let ref: Ref
        let codingPath: [CodingKey]
        func set(_ node: Node) { ref.content = .value(node) }
        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.bool(value)) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws { set(.double(value)) }
        mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int8) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int16) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int32) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int64) throws { set(.int(value)) }
        mutating func encode(_ value: UInt) throws { set(.uint(UInt64(value))) }
        mutating func encode(_ value: UInt8) throws { set(.uint(UInt64(value))) }
        mutating func encode(_ value: UInt16) throws { set(.uint(UInt64(value))) }
        mutating func encode(_ value: UInt32) throws { set(.uint(UInt64(value))) }
        mutating func encode(_ value: UInt64) throws { set(.uint(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws { try NodeEncoder.encode(value, into: ref, path: codingPath) }
    }
}
