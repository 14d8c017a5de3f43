/// A record's fields, read in the schema's order as the keys ask for them.
struct StreamRecordContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: StreamDecoder
    var codingPath: [CodingKey] { [] }
    var allKeys: [Key] { decoder.fieldNames.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { decoder.hasField(key.stringValue) }

    private func scalar(_ key: Key) throws -> ValueDecoder {
        let schema = try decoder.seekField(key.stringValue)
        defer { decoder.fieldRead() }
        return try decoder.scalar(schema)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard decoder.hasField(key.stringValue) else { return true }
        let schema = try decoder.seekField(key.stringValue)
        guard try decoder.nextIsNull(schema) else { return false }
        decoder.fieldRead()
        return true
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try scalar(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try scalar(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try scalar(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try scalar(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(key).decode(type) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let schema = try decoder.seekField(key.stringValue)
        defer { decoder.fieldRead() }
        return try StreamDecoder.decode(type, as: schema, input: decoder.input, depth: decoder.depth + 1)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try scalar(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try scalar(key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { throw StreamDecoder.Fallback() }
    func superDecoder(forKey key: Key) throws -> Decoder { throw StreamDecoder.Fallback() }
}

/// An array's items, read as they are asked for.
struct StreamArrayContainer: UnkeyedDecodingContainer {
    let decoder: StreamDecoder
    var codingPath: [CodingKey] { [] }
    var count: Int? { nil }
    var isAtEnd: Bool { decoder.itemsEnded }
    var currentIndex: Int { decoder.index }

    private func scalar() throws -> ValueDecoder {
        _ = try decoder.takeItem()
        return try decoder.scalar(decoder.arrayItems)
    }

    mutating func decodeNil() throws -> Bool {
        guard !decoder.itemsEnded, try decoder.nextIsNull(decoder.arrayItems) else { return false }
        _ = try decoder.takeItem()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try scalar().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try scalar().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try scalar().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try scalar().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try scalar().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try scalar().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar().decode(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        _ = try decoder.takeItem()
        return try StreamDecoder.decode(type, as: decoder.arrayItems, input: decoder.input, depth: decoder.depth + 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try scalar().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try scalar().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { throw StreamDecoder.Fallback() }
}

/// One value as the decoder's schema.
struct StreamSingleContainer: SingleValueDecodingContainer {
    let decoder: StreamDecoder
    var codingPath: [CodingKey] { [] }

    private func scalar() throws -> ValueDecoder {
        decoder.consumed()
        return try decoder.scalar(decoder.schema)
    }

    func decodeNil() -> Bool {
        // Not consumed unless null; an unreadable index is left for the next read to report.
        guard (try? decoder.nextIsNull(decoder.schema)) == true else { return false }
        decoder.consumed()
        return true
    }

    func decode(_ type: Bool.Type) throws -> Bool { try scalar().decode(type) }
    func decode(_ type: String.Type) throws -> String { try scalar().decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try scalar().decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try scalar().decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try scalar().decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try scalar().decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try scalar().decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar().decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar().decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try scalar().decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar().decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar().decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar().decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar().decode(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        decoder.consumed()
        return try StreamDecoder.decode(type, as: decoder.schema, input: decoder.input, depth: decoder.depth + 1)
    }
}
