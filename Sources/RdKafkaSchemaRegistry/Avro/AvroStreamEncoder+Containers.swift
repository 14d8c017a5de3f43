/// A record's fields, written as they come.
struct RecordContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    private func put(_ node: Node, _ key: Key) throws {
        let name = key.stringValue
        let index = try encoder.beginField(name)
        try encoder.put(node, encoder.fieldType(index)) { "\(encoder.path).\(name)" }
        encoder.endField(index)
    }

    mutating func encodeNil(forKey key: Key) throws { try put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(.uint(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let name = key.stringValue
        let index = try encoder.beginField(name)
        try StreamEncoder.encode(value, as: encoder.fieldType(index), output: encoder.output, parent: encoder, step: .field(name))
        encoder.endField(index)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(ref: encoder.pendingField(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(ref: encoder.pendingField(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(ref: encoder.pendingField("super"), codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        NodeEncoder(ref: encoder.pendingField(key.stringValue), codingPath: codingPath + [key])
    }
}

/// The scalar `encode` overloads of an unkeyed or single-value container, each a `Node`.
protocol NodeSink {
    mutating func put(_ node: Node) throws
}

extension NodeSink {
    mutating func encodeNil() throws { try put(.null) }
    mutating func encode(_ value: Bool) throws { try put(.bool(value)) }
    mutating func encode(_ value: String) throws { try put(.string(value)) }
    mutating func encode(_ value: Double) throws { try put(.double(value)) }
    mutating func encode(_ value: Float) throws { try put(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try put(.int(value)) }
    mutating func encode(_ value: UInt) throws { try put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { try put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { try put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { try put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { try put(.uint(value)) }
}

/// An array's items, written as they come.
struct ArrayContainer: UnkeyedEncodingContainer, NodeSink {
    let encoder: StreamEncoder
    var count: Int { encoder.itemCount }
    var codingPath: [CodingKey] { encoder.codingPath }

    mutating func put(_ node: Node) throws {
        let item = encoder.nextItem()
        try encoder.put(node, encoder.arrayItems) { "\(encoder.path)[\(item)]" }
    }


    mutating func encode<T: Encodable>(_ value: T) throws {
        let item = encoder.nextItem()
        try StreamEncoder.encode(value, as: encoder.arrayItems, output: encoder.output, parent: encoder, step: .item(item))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(ref: encoder.pendingItem(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        NodeEncoder(ref: encoder.pendingItem(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        NodeEncoder(ref: encoder.pendingItem(), codingPath: codingPath)
    }
}

/// One value as the encoder's schema.
struct SingleContainer: SingleValueEncodingContainer, NodeSink {
    let encoder: StreamEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    func put(_ node: Node) throws { try encoder.put(node, encoder.schema) { encoder.path } }


    mutating func encode<T: Encodable>(_ value: T) throws {
        try StreamEncoder.encode(value, as: encoder.schema, output: encoder.output, parent: encoder, step: .same)
    }
}
