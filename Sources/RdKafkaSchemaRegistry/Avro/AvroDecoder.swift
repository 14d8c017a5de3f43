import Foundation

/// Decodes `Decodable` Swift values from Avro through a schema: the mirror of ``AvroEncoder``.
public struct AvroDecoder: Sendable {
    public init() {}

    /// `T` from an ``AvroValue`` of `schema`.
    public func decode<T: Decodable>(_ type: T.Type, from value: AvroValue, schema: AvroSchema) throws(AvroError) -> T {
        do {
            return try ValueDecoder(value: value, schema: schema, codingPath: []).decodeSpecial(T.self)
        } catch let error as AvroError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw AvroError(.valueMismatch, "\(Self.path(context.codingPath + [key])): \(T.self) needs it and the record has no such field")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw AvroError(.valueMismatch, "\(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw AvroError(.valueMismatch, "\(T.self) could not be decoded: \(error)")
        }
    }

    /// `T` from Avro binary written with `writer`, read as `reader` (default: `writer`).
    ///
    /// Read as written (no `reader`), a type whose properties come in the schema's field order
    /// is decoded straight from the bytes; otherwise, and to name what is wrong when that
    /// fails, through an ``AvroValue``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], writer: AvroSchema, reader: AvroSchema? = nil) throws(AvroError) -> T {
        if reader == nil, let value = bytes.withUnsafeBytes({ try? StreamDecoder.decode(type, from: $0, schema: writer) }) {
            return value
        }
        return try decode(type, from: try AvroBinary.decode(bytes, writer: writer, reader: reader), schema: reader ?? writer)
    }

    static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the value" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }
}

struct ValueDecoder: Decoder {
    let value: AvroValue
    let schema: AvroSchema
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The schema branch this value was read as, when `schema` is a union.
    var resolved: AvroSchema {
        guard case .union(let branches) = schema else { return schema }
        if case .null = value { return .null }
        return value.branch(in: branches).map { branches[$0] } ?? schema
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "\(type) cannot be read from a \(value.kind) (\(resolved.typeName))"))
    }

    /// Whether `decodeSpecial` reads `type` from its Avro form rather than letting it decode
    /// itself. Metatype comparisons: a dynamic cast per value costs far more.
    static func isSpecial(_ type: Any.Type) -> Bool {
        type == Date.self || type == UUID.self || type == Data.self || type == [UInt8].self
            || type == Foundation.Decimal.self || type == URL.self
    }

    /// Date, UUID, Data, [UInt8], Decimal and URL from their Avro forms; other types decode themselves.
    func decodeSpecial<T: Decodable>(_ type: T.Type) throws -> T {
        guard Self.isSpecial(type) else { return try T(from: self) }
        let schema = resolved
        switch type {
        case is Date.Type:
            switch (schema, value) {
            case (.int(.date), .int(let days)): return AvroLogical.date(Int64(days), per: 1.0 / 86_400) as! T
            case (.long(.timestampMillis), .long(let ms)), (.long(.localTimestampMillis), .long(let ms)):
                return AvroLogical.date(ms, per: 1_000) as! T
            case (.long(.timestampMicros), .long(let us)), (.long(.localTimestampMicros), .long(let us)):
                return AvroLogical.date(us, per: 1_000_000) as! T
            default: throw mismatch(type)
            }
        case is UUID.Type:
            guard case .string(let text) = value, let uuid = UUID(uuidString: text) else { throw mismatch(type) }
            return uuid as! T
        case is Data.Type:
            switch value {
            case .bytes(let b), .fixed(let b): return Data(b) as! T
            default: throw mismatch(type)
            }
        case is [UInt8].Type:
            switch value {
            case .bytes(let b), .fixed(let b): return b as! T
            default: break
            }
        case is Foundation.Decimal.Type:
            switch (schema, value) {
            case (.bytes(let d?), .bytes(let b)): return AvroLogical.decimal(b, scale: d.scale) as! T
            case (.fixed(let f), .fixed(let b)) where f.decimal != nil: return AvroLogical.decimal(b, scale: f.decimal!.scale) as! T
            case (_, .double(let d)): return Foundation.Decimal(d) as! T
            default: throw mismatch(type)
            }
        case is URL.Type:
            guard case .string(let text) = value, let url = URL(string: text) else { throw mismatch(type) }
            return url as! T
        default: break
        }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch (resolved, value) {
        case (.record(let record), .record(let fields)):
            return KeyedDecodingContainer(Keyed<Key>(fields: fields, schemaOf: { record.fieldType(matching: $0) }, codingPath: codingPath))
        case (.map(let valueSchema), .map(let values)):
            return KeyedDecodingContainer(Keyed<Key>(fields: values, schemaOf: { _ in valueSchema }, codingPath: codingPath))
        default:
            throw mismatch([String: Any].self)
        }
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let itemSchema) = resolved, case .array(let items) = value else { throw mismatch([Any].self) }
        return Unkeyed(items: items, itemSchema: itemSchema, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let fields: [String: AvroValue]
        let schemaOf: (String) -> AvroSchema?
        let codingPath: [CodingKey]
        var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

        func child(_ key: Key) throws -> ValueDecoder {
            guard let value = fields[key.stringValue], let schema = schemaOf(key.stringValue) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no field \(key.stringValue)"))
            }
            return ValueDecoder(value: value, schema: schema, codingPath: codingPath + [key])
        }
        func decodeNil(forKey key: Key) throws -> Bool {
            guard let value = fields[key.stringValue] else { return true }
            if case .null = value { return true }
            return false
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeSpecial(type) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> Decoder { throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "no super decoder in Avro")) }
        func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [AvroValue]
        let itemSchema: AvroSchema
        let codingPath: [CodingKey]
        var currentIndex = 0
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        struct Index: CodingKey {
            var intValue: Int?
            var stringValue: String { "\(intValue ?? 0)" }
            init(_ index: Int) { intValue = index }
            init?(stringValue: String) { nil }
            init?(intValue: Int) { self.intValue = intValue }
        }

        mutating func next() throws -> ValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has \(items.count) items"))
            }
            defer { currentIndex += 1 }
            return ValueDecoder(value: items[currentIndex], schema: itemSchema, codingPath: codingPath + [Index(currentIndex)])
        }
        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, case .null = items[currentIndex] else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeSpecial(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { if case .null = value { return true }; return false }
    func decode(_ type: Bool.Type) throws -> Bool { guard case .boolean(let b) = value else { throw mismatch(type) }; return b }
    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .string(let s), .enumeration(let s): return s
        default: throw mismatch(type)
        }
    }
    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let d): return d
        case .float(let f): return Double(f)
        case .int(let i): return Double(i)
        case .long(let l): return Double(l)
        default: throw mismatch(type)
        }
    }
    func decode(_ type: Float.Type) throws -> Float {
        switch value {
        case .float(let f): return f
        case .double(let d): return Float(d)
        case .int(let i): return Float(i)
        case .long(let l): return Float(l)
        default: throw mismatch(type)
        }
    }
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let wide: Int64
        switch value {
        case .int(let i): wide = Int64(i)
        case .long(let l): wide = l
        default: throw mismatch(type)
        }
        guard let exact = T(exactly: wide) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(wide) does not fit \(T.self)"))
        }
        return exact
    }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeSpecial(type) }
}
