extension AvroBinary {
    /// Reads binary Avro written with one schema as another (schema resolution), checking every
    /// length and count against the bytes left.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0
        /// Whether to build each field's path (`Order.lines[2].sku`). Only messages need them:
        /// ``AvroBinary/decode(_:writer:reader:)`` reads without, and again with them when the
        /// first read fails.
        let tracksPaths: Bool
        /// Deeper nesting (a recursive schema) is refused rather than exhausting the stack.
        static let maxDepth = 256

        init(_ bytes: UnsafeRawBufferPointer, tracksPaths: Bool = true) {
            self.bytes = bytes
            self.tracksPaths = tracksPaths
        }

        func path(_ path: String, _ field: String) -> String { tracksPaths ? path + "." + field : "" }

        func payload(_ what: String, _ path: String) -> AvroError {
            AvroError(.invalidPayload, "\(path) at byte \(position): \(what)")
        }

        mutating func long(_ path: String) throws(AvroError) -> Int64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count else { throw payload("the payload ends inside a number (truncated?)", path) }
                let byte = bytes[position]
                position += 1
                guard shift < 64, shift < 63 || byte <= 1 else { throw payload("a number longer than 64 bits", path) }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
        }

        mutating func int(_ path: String) throws(AvroError) -> Int32 {
            let value = try long(path)
            guard let int = Int32(exactly: value) else { throw payload("\(value) does not fit an int", path) }
            return int
        }

        mutating func take(_ count: Int, _ path: String) throws(AvroError) -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - position else {
                throw payload("\(count) byte(s) announced, \(bytes.count - position) left (truncated?)", path)
            }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        }

        mutating func length(_ path: String) throws(AvroError) -> Int {
            let value = try long(path)
            guard value >= 0, value <= Int64(bytes.count - position) else {
                throw payload("a length of \(value), with \(bytes.count - position) byte(s) left (truncated?)", path)
            }
            return Int(value)
        }

        mutating func string(_ path: String) throws(AvroError) -> String {
            let raw = try take(try length(path), path)
            guard let text = String(validating: raw, as: UTF8.self) else { throw payload("a string that is not UTF-8", path) }
            return text
        }

        mutating func float(_ path: String) throws(AvroError) -> Float {
            let raw = try take(4, path)
            var bits: UInt32 = 0
            for i in 0..<4 { bits |= UInt32(raw[i]) << UInt32(8 * i) }
            return Float(bitPattern: bits)
        }

        mutating func double(_ path: String) throws(AvroError) -> Double {
            let raw = try take(8, path)
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(raw[i]) << UInt64(8 * i) }
            return Double(bitPattern: bits)
        }

        /// The item count of the next block of an array or map (0 at the end). Counts beyond
        /// what the bytes left can hold are refused, so a forged count allocates nothing.
        mutating func blockCount(_ itemSchema: AvroSchema, _ path: String) throws(AvroError) -> Int {
            var count = try long(path)
            if count < 0 {
                guard count != Int64.min else { throw payload("a block count out of range", path) }
                count = -count
                _ = try long(path)  // the block's size in bytes
            }
            let left = Int64(bytes.count - position)
            let limit = itemSchema.minimumSize > 0 ? left / Int64(itemSchema.minimumSize) : max(left, 1) * 1024
            guard count <= limit else { throw payload("a block of \(count) items, more than the \(left) byte(s) left can hold", path) }
            return Int(count)
        }

        func incompatible(_ writer: AvroSchema, _ reader: AvroSchema, _ path: String) -> AvroError {
            AvroError(.incompatible, "\(path): data written as \(writer.typeName) cannot be read as \(reader.typeName)")
        }

        mutating func read(_ writer: AvroSchema, _ reader: AvroSchema, path: String, depth: Int) throws(AvroError) -> AvroValue {
            guard depth < Self.maxDepth else { throw payload("values nested deeper than \(Self.maxDepth)", path) }
            switch (writer, reader) {
            case (.union(let branches), _):
                let index = try long(path)
                guard index >= 0, index < Int64(branches.count) else {
                    throw payload("union branch \(index) of \(branches.count)", path)
                }
                return try read(branches[Int(index)], reader, path: path, depth: depth + 1)
            case (_, .union(let branches)):
                guard let branch = branches.first(where: { $0.readsExactly(writer) }) ?? branches.first(where: { $0.canRead(writer) }) else {
                    throw incompatible(writer, reader, path)
                }
                return try read(writer, branch, path: path, depth: depth + 1)
            case (.null, .null): return .null
            case (.boolean, .boolean):
                let raw = try take(1, path)
                guard raw[0] <= 1 else { throw payload("a boolean byte \(raw[0])", path) }
                return .boolean(raw[0] == 1)
            case (.int, .int): return .int(try int(path))
            case (.int, .long): return .long(Int64(try int(path)))
            case (.int, .float): return .float(Float(try int(path)))
            case (.int, .double): return .double(Double(try int(path)))
            case (.long, .long): return .long(try long(path))
            case (.long, .float): return .float(Float(try long(path)))
            case (.long, .double): return .double(Double(try long(path)))
            case (.float, .float): return .float(try float(path))
            case (.float, .double): return .double(Double(try float(path)))
            case (.double, .double): return .double(try double(path))
            case (.bytes, .bytes): return .bytes(Array(try take(try length(path), path)))
            case (.bytes, .string): return .string(try string(path))
            case (.string, .string): return .string(try string(path))
            case (.string, .bytes): return .bytes(Array(try take(try length(path), path)))
            case (.fixed(let w), .fixed(let r)):
                guard w.size == r.size, AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases) else { throw incompatible(writer, reader, path) }
                return .fixed(Array(try take(w.size, path)))
            case (.enumeration(let w), .enumeration(let r)):
                guard AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases) else { throw incompatible(writer, reader, path) }
                let index = try long(path)
                guard index >= 0, index < Int64(w.symbols.count) else { throw payload("enum index \(index) of \(w.symbols.count)", path) }
                let symbol = w.symbols[Int(index)]
                if r.symbols.contains(symbol) { return .enumeration(symbol) }
                guard let fallback = r.defaultSymbol else {
                    throw AvroError(.incompatible, "\(path): the writer's symbol \(symbol) is not in \(r.name), which has no default")
                }
                return .enumeration(fallback)
            case (.array(let w), .array(let r)):
                var items: [AvroValue] = []
                while true {
                    let count = try blockCount(w, path)
                    if count == 0 { break }
                    items.reserveCapacity(items.count + count)
                    for _ in 0..<count { items.append(try read(w, r, path: tracksPaths ? "\(path)[\(items.count)]" : "", depth: depth + 1)) }
                }
                return .array(items)
            case (.map(let w), .map(let r)):
                var values: [String: AvroValue] = [:]
                while true {
                    let count = try blockCount(w, path)
                    if count == 0 { break }
                    for _ in 0..<count {
                        let key = try string(path)
                        values[key] = try read(w, r, path: tracksPaths ? "\(path)[\"\(key)\"]" : "", depth: depth + 1)
                    }
                }
                return .map(values)
            case (.record(let w), .record(let r)):
                guard w === r || AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases) else { throw incompatible(writer, reader, path) }
                if w.isDangling || r.isDangling { throw AvroError(.invalidSchema, "\(path): the recursive record \(w.name) outlived the schema that defines it") }
                let writerFields = w.fields
                var values: [String: AvroValue] = [:]
                values.reserveCapacity(writerFields.count)
                if w === r {
                    // Read as written: no matching, no defaults.
                    for field in writerFields {
                        values[field.name] = try read(field.type, field.type, path: self.path(path, field.name), depth: depth + 1)
                    }
                    return .record(values)
                }
                for field in writerFields {
                    let fieldPath = self.path(path, field.name)
                    if let target = r.field(matching: field.name) {
                        values[target.name] = try read(field.type, target.type, path: fieldPath, depth: depth + 1)
                    } else {
                        try skip(field.type, path: fieldPath, depth: depth + 1)
                    }
                }
                for field in r.fields where values[field.name] == nil {
                    guard let defaultJSON = field.defaultValue else {
                        throw AvroError(.incompatible, "\(path).\(field.name): the writer's \(w.name) has no such field and the reader's has no default")
                    }
                    values[field.name] = try AvroValue(defaultJSON: defaultJSON, schema: field.type, path: "\(path).\(field.name)")
                }
                return .record(values)
            default:
                throw incompatible(writer, reader, path)
            }
        }

        mutating func skip(_ writer: AvroSchema, path: String, depth: Int) throws(AvroError) {
            _ = try read(writer, writer, path: path, depth: depth)
        }
    }
}

extension AvroSchema {
    /// The fewest bytes a value of this type takes (0 for null and records of nulls).
    var minimumSize: Int {
        switch self {
        case .null: return 0
        case .boolean, .int, .long, .bytes, .string, .enumeration, .array, .map, .union: return 1
        case .float: return 4
        case .double: return 8
        case .fixed(let f): return f.size
        case .record(let r): return r.fields.reduce(0) { $0 + ($1.type.isRecord ? 0 : $1.type.minimumSize) }
        }
    }

    var isRecord: Bool { if case .record = self { return true }; return false }

    /// Whether a reader of this type reads `writer` without promotion.
    func readsExactly(_ writer: AvroSchema) -> Bool {
        switch (writer, self) {
        case (.record(let w), .record(let r)): return AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases)
        case (.enumeration(let w), .enumeration(let r)): return AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases)
        case (.fixed(let w), .fixed(let r)): return w.size == r.size && AvroSchema.namesMatch(w.name, r.name, aliases: r.aliases)
        default: return writer.fullName == nil && writer.unionKind == unionKind
        }
    }

    /// Whether a reader of this type can read `writer` (Avro's resolution rules).
    func canRead(_ writer: AvroSchema) -> Bool {
        if readsExactly(writer) { return true }
        switch (writer, self) {
        case (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double),
             (.string, .bytes), (.bytes, .string):
            return true
        case (.array, .array), (.map, .map): return true
        case (.union, _): return true
        default: return false
        }
    }

    /// Names match when full names are equal, or the unqualified names are (what writers in
    /// other namespaces do), or the reader lists the writer's name as an alias.
    static func namesMatch(_ writer: Name, _ reader: Name, aliases: [String]) -> Bool {
        writer.name == reader.name || writer.fullName == reader.fullName || aliases.contains(writer.fullName)
    }
}

extension AvroSchema.Record {
    /// The reader's field for a writer's field name: by name, then by alias.
    func fieldType(matching name: String) -> AvroSchema? {
        if let index = fieldIndex[name] { return fields[index].type }
        return field(matching: name)?.type
    }

    func field(matching name: String) -> AvroSchema.Field? {
        if let index = fieldIndex[name] { return fields[index] }
        return fields.first { $0.aliases.contains(name) }
    }
}
