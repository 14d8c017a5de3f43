/// Decodes a `Decodable` straight from Avro bytes, read as the schema they were written with:
/// a record's fields as its coding keys ask for them in the schema's order (fields the type
/// does not ask for are skipped), an array item by item, scalars converted as ``AvroDecoder``
/// converts them. Maps and nested containers are read whole into an ``AvroValue``.
///
/// Anything else (a key asked for after a later field, a mismatch, bad bytes) throws
/// ``StreamDecoder/Fallback``, and the caller decodes again through an ``AvroValue``, which
/// handles every case and names what is wrong.
final class StreamDecoder: Decoder {
    /// Read again through an ``AvroValue``.
    struct Fallback: Error {}

    final class Input {
        var reader: AvroBinary.Reader
        init(_ bytes: UnsafeRawBufferPointer) { reader = AvroBinary.Reader(bytes, tracksPaths: false) }
    }

    private enum State { case idle, record, array, consumed }

    let input: Input
    let schema: AvroSchema
    let depth: Int
    private var state = State.idle
    /// The union branch read so far, or the schema itself.
    private var current: AvroSchema
    // A record: fields before `next` are read or skipped.
    private var fields: [AvroSchema.Field] = []
    private var fieldIndex: [String: Int] = [:]
    private var next = 0
    // An array: items left in the current block; `ended` after the closing zero count.
    private var itemSchema = AvroSchema.null
    private var remaining = 0
    private var ended = false
    private(set) var index = 0
    /// A read that failed where the protocol cannot throw (`isAtEnd`).
    private var failed = false

    init(input: Input, schema: AvroSchema, depth: Int) {
        self.input = input
        self.schema = schema
        self.current = schema
        self.depth = depth
    }

    /// Paths are for messages, and messages come from the ``AvroValue`` path.
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// `T` from `bytes`, which must hold exactly one value of `schema`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer, schema: AvroSchema) throws -> T {
        let input = Input(bytes)
        let value = try decode(type, as: schema, input: input, depth: 0)
        guard input.reader.position == bytes.count else { throw Fallback() }
        return value
    }

    static func decode<T: Decodable>(_ type: T.Type, as schema: AvroSchema, input: Input, depth: Int) throws -> T {
        guard depth < AvroBinary.Reader.maxDepth else { throw Fallback() }
        if ValueDecoder.isSpecial(type) {
            let value = try input.reader.read(schema, schema, path: "", depth: depth)
            return try ValueDecoder(value: value, schema: schema, codingPath: []).decodeSpecial(type)
        }
        let decoder = StreamDecoder(input: input, schema: schema, depth: depth)
        let value = try T(from: decoder)
        try decoder.finish()
        return value
    }

    /// A scalar of `schema`, read whole and ready for conversion.
    func scalar(_ schema: AvroSchema) throws -> ValueDecoder {
        ValueDecoder(value: try input.reader.read(schema, schema, path: "", depth: depth + 1), schema: schema, codingPath: [])
    }

    /// Whether the next value of `schema` is null: consumed if so, left in place if not.
    func nextIsNull(_ schema: AvroSchema) throws -> Bool {
        switch schema {
        case .null: return true
        case .union(let branches):
            let start = input.reader.position
            let branch = try input.reader.long("")
            guard branch >= 0, branch < Int64(branches.count) else { throw Fallback() }
            if case .null = branches[Int(branch)] { return true }
            input.reader.position = start
            return false
        default: return false
        }
    }

    /// The schema to read as: reads the union branch index first.
    private func resolve() throws -> AvroSchema {
        if case .union(let branches) = current {
            let branch = try input.reader.long("")
            guard branch >= 0, branch < Int64(branches.count) else { throw Fallback() }
            current = branches[Int(branch)]
        }
        return current
    }

    // MARK: Containers

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard state == .idle else { throw Fallback() }
        switch try resolve() {
        case .record(let record):
            guard !record.isDangling else { throw Fallback() }
            state = .record
            fields = record.fields
            fieldIndex = record.fieldIndex
            return KeyedDecodingContainer(StreamRecordContainer<Key>(decoder: self))
        case .map:
            state = .consumed
            let value = try input.reader.read(current, current, path: "", depth: depth)
            return try ValueDecoder(value: value, schema: current, codingPath: []).container(keyedBy: type)
        default:
            throw Fallback()
        }
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard state == .idle, case .array(let items) = try resolve() else { throw Fallback() }
        state = .array
        itemSchema = items
        return StreamArrayContainer(decoder: self)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { StreamSingleContainer(decoder: self) }

    /// The rest of the value, unread, is skipped.
    func finish() throws {
        if failed { throw Fallback() }
        switch state {
        case .record:
            while next < fields.count {
                try input.reader.skip(fields[next].type, path: "", depth: depth + 1)
                next += 1
            }
        case .array:
            while !itemsEnded {
                try input.reader.skip(itemSchema, path: "", depth: depth + 1)
                remaining -= 1
            }
            if failed { throw Fallback() }
        case .idle:
            try input.reader.skip(current, path: "", depth: depth)
        case .consumed:
            break
        }
    }

    func consumed() { state = .consumed }

    // MARK: Records

    /// Moves to the field `key` names, skipping fields the type does not read; its schema.
    func seekField(_ key: String) throws -> AvroSchema {
        let target: Int
        if next < fields.count, fields[next].name == key {
            target = next
        } else {
            guard let later = fieldIndex[key], later > next else { throw Fallback() }
            target = later
        }
        while next < target {
            try input.reader.skip(fields[next].type, path: "", depth: depth + 1)
            next += 1
        }
        return fields[target].type
    }

    /// The field `seekField` moved to has been read.
    func fieldRead() { next += 1 }

    var fieldNames: [String] { fields.map(\.name) }
    func hasField(_ key: String) -> Bool { fieldIndex[key] != nil }

    // MARK: Arrays

    var arrayItems: AvroSchema { itemSchema }

    /// Whether the array's items are all read, reading the next block's count when one ends.
    var itemsEnded: Bool {
        if ended || failed { return true }
        if remaining == 0 {
            do {
                remaining = try input.reader.blockCount(itemSchema, "")
            } catch {
                failed = true
                return true
            }
            ended = remaining == 0
        }
        return ended
    }

    /// The next item is about to be read; its index.
    func takeItem() throws -> Int {
        guard !itemsEnded else { throw Fallback() }
        remaining -= 1
        index += 1
        return index - 1
    }
}
