/// Avro's binary encoding (the specification's "Binary Encoding").
public enum AvroBinary {
    /// The value's bytes as `schema` says.
    ///
    /// - Throws: ``AvroError`` `valueMismatch` naming the field path where the value does not fit.
    public static func encode(_ value: AvroValue, as schema: AvroSchema) throws(AvroError) -> [UInt8] {
        var writer = Writer()
        try writer.write(value, schema, path: schema.fullName ?? schema.typeName)
        return writer.bytes
    }

    /// Appends the value's bytes to `bytes`.
    public static func encode(_ value: AvroValue, as schema: AvroSchema, appendingTo bytes: inout [UInt8]) throws(AvroError) {
        var writer = Writer()
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        try writer.write(value, schema, path: schema.fullName ?? schema.typeName)
    }

    /// Decodes a value written with `writer` and reads it as `reader` (schema resolution:
    /// promotions, defaults, fields the reader does not have); `reader` defaults to `writer`.
    ///
    /// - Throws: ``AvroError`` `invalidPayload` (naming the byte offset and field) when the bytes
    ///   end early, hold more than the value, or break the schema; `incompatible` when `reader`
    ///   cannot read what `writer` wrote.
    public static func decode(_ bytes: UnsafeRawBufferPointer, writer: AvroSchema, reader: AvroSchema? = nil) throws(AvroError) -> AvroValue {
        var input = Reader(bytes, tracksPaths: false)
        let value: AvroValue
        do {
            value = try input.read(writer, reader ?? writer, path: "", depth: 0)
        } catch {
            // Again with the paths, which only the message needs.
            var again = Reader(bytes)
            _ = try again.read(writer, reader ?? writer, path: (reader ?? writer).fullName ?? writer.typeName, depth: 0)
            throw error
        }
        guard input.position == bytes.count else {
            throw AvroError(.invalidPayload, "\(bytes.count - input.position) byte(s) left after the value (\(bytes.count) in all): the payload does not match the schema")
        }
        return value
    }

    public static func decode(_ bytes: [UInt8], writer: AvroSchema, reader: AvroSchema? = nil) throws(AvroError) -> AvroValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(AvroError) -> AvroValue in try decode(buffer, writer: writer, reader: reader) }
        }
        return try result.get()
    }

    // MARK: Writing

    struct Writer {
        var bytes: [UInt8] = []

        mutating func long(_ value: Int64) {
            var n = UInt64(bitPattern: (value << 1) ^ (value >> 63))
            while n >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: n) | 0x80)
                n >>= 7
            }
            bytes.append(UInt8(n))
        }

        mutating func raw(_ data: [UInt8]) {
            long(Int64(data.count))
            bytes += data
        }

        mutating func write(_ value: AvroValue, _ schema: AvroSchema, path: String) throws(AvroError) {
            func mismatch(_ detail: String = "") -> AvroError {
                AvroError(.valueMismatch, "\(path): a \(value.kind) value is not a \(schema.typeName)\(detail)")
            }
            switch (schema, value) {
            case (.union(let branches), _):
                guard let index = value.branch(in: branches) else {
                    throw AvroError(.valueMismatch, "\(path): a \(value.kind) value fits no branch of \(schema.typeName)")
                }
                long(Int64(index))
                try write(value, branches[index], path: path)
            case (.null, .null): break
            case (.boolean, .boolean(let b)): bytes.append(b ? 1 : 0)
            case (.int, .int(let i)): long(Int64(i))
            case (.long, .long(let l)): long(l)
            case (.long, .int(let i)): long(Int64(i))
            case (.float, .float(let f)): float(f)
            case (.float, .int(let i)): float(Float(i))
            case (.float, .long(let l)): float(Float(l))
            case (.double, .double(let d)): double(d)
            case (.double, .float(let f)): double(Double(f))
            case (.double, .int(let i)): double(Double(i))
            case (.double, .long(let l)): double(Double(l))
            case (.bytes, .bytes(let b)): raw(b)
            case (.string, .string(let s)):
                var s = s
                s.withUTF8 { utf8 in
                    long(Int64(utf8.count))
                    bytes.append(contentsOf: utf8)
                }
            case (.fixed(let f), .fixed(let b)):
                guard b.count == f.size else { throw mismatch(" (\(f.size) bytes, the value has \(b.count))") }
                bytes += b
            case (.enumeration(let e), .enumeration(let symbol)):
                guard let index = e.symbols.firstIndex(of: symbol) else {
                    throw AvroError(.valueMismatch, "\(path): \"\(symbol)\" is not a symbol of \(e.name) (\(e.symbols.joined(separator: ", ")))")
                }
                long(Int64(index))
            case (.array(let itemSchema), .array(let items)):
                if !items.isEmpty {
                    long(Int64(items.count))
                    for (i, item) in items.enumerated() { try write(item, itemSchema, path: "\(path)[\(i)]") }
                }
                long(0)
            case (.map(let valueSchema), .map(let values)):
                if !values.isEmpty {
                    long(Int64(values.count))
                    for key in values.keys.sorted() {
                        raw(Array(key.utf8))
                        try write(values[key]!, valueSchema, path: "\(path)[\"\(key)\"]")
                    }
                }
                long(0)
            case (.record(let record), .record(let fields)):
                if record.isDangling { throw AvroError(.invalidSchema, "\(path): the recursive record \(record.name) outlived the schema that defines it") }
                if let unknown = fields.keys.first(where: { record.fieldIndex[$0] == nil }) {
                    throw AvroError(.valueMismatch, "\(path): \(record.name) has no field \"\(unknown)\"")
                }
                for field in record.fields {
                    let fieldPath = "\(path).\(field.name)"
                    if let fieldValue = fields[field.name] {
                        try write(fieldValue, field.type, path: fieldPath)
                    } else if let defaultJSON = field.defaultValue {
                        try write(try AvroValue(defaultJSON: defaultJSON, schema: field.type, path: fieldPath), field.type, path: fieldPath)
                    } else {
                        throw AvroError(.valueMismatch, "\(fieldPath) is missing and has no default")
                    }
                }
            default:
                throw mismatch()
            }
        }

        mutating func float(_ f: Float) {
            let bits = f.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }

        mutating func double(_ d: Double) {
            let bits = d.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
    }
}
