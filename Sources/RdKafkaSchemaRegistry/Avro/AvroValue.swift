/// An Avro value for code without a Swift type of its own: what ``AvroSchema`` describes, with
/// logical types as their underlying values (a `date` is `.int` days since 1970, a `decimal` is
/// `.bytes` of the unscaled integer, a `uuid` is `.string`).
///
/// A union's value is the value of the branch: encoding picks the first branch it fits.
public indirect enum AvroValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
    case string(String)
    /// Field values by name.
    case record([String: AvroValue])
    /// The symbol.
    case enumeration(String)
    case array([AvroValue])
    case map([String: AvroValue])
    case fixed([UInt8])

    /// What kind of value this is, for messages.
    public var kind: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case .record: return "record"
        case .enumeration: return "enum symbol"
        case .array: return "array"
        case .map: return "map"
        case .fixed: return "fixed"
        }
    }

    /// Whether this value can be written as `schema` (a union: as one of its branches).
    public func fits(_ schema: AvroSchema) -> Bool {
        switch (self, schema) {
        case (_, .union(let branches)): return branches.contains { fits($0) }
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string):
            return true
        case (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double):
            return true  // widened when written
        case (.enumeration(let symbol), .enumeration(let e)): return e.symbols.contains(symbol)
        case (.fixed(let bytes), .fixed(let f)): return bytes.count == f.size
        case (.array(let items), .array(let itemSchema)): return items.allSatisfy { $0.fits(itemSchema) }
        case (.map(let values), .map(let valueSchema)): return values.values.allSatisfy { $0.fits(valueSchema) }
        case (.record(let fields), .record(let record)):
            guard fields.keys.allSatisfy({ record.fieldIndex[$0] != nil }) else { return false }
            return record.fields.allSatisfy { field in
                fields[field.name].map { $0.fits(field.type) } ?? (field.defaultValue != nil)
            }
        default: return false
        }
    }

    /// The branch of `branches` this value is written as: an exact kind first, then a widening.
    func branch(in branches: [AvroSchema]) -> Int? {
        let exact = branches.firstIndex { schema in
            switch (self, schema) {
            case (.int, .int), (.long, .long), (.float, .float), (.double, .double): return true
            case (.int, _), (.long, _), (.float, _): return false
            default: return fits(schema)
            }
        }
        return exact ?? branches.firstIndex { fits($0) }
    }
}

// MARK: From JSON

extension AvroValue {
    /// A field default: a union's default is its first branch's; bytes and fixed are strings
    /// whose characters are the bytes (ISO-8859-1).
    init(defaultJSON json: JSONValue, schema: AvroSchema, path: String) throws(AvroError) {
        if case .union(let branches) = schema, let first = branches.first {
            self = try AvroValue(json: json, schema: first, path: path, unionsTagged: false)
        } else {
            self = try AvroValue(json: json, schema: schema, path: path, unionsTagged: false)
        }
    }

    /// A value from Avro's JSON encoding (unions as `{"type": value}` or `null`), or, with
    /// `unionsTagged: false`, from plain JSON (the union branch the value fits).
    public init(json: JSONValue, schema: AvroSchema, unionsTagged: Bool = true) throws(AvroError) {
        self = try AvroValue(json: json, schema: schema, path: schema.fullName ?? schema.typeName, unionsTagged: unionsTagged)
    }

    init(json: JSONValue, schema: AvroSchema, path: String, unionsTagged: Bool) throws(AvroError) {
        func mismatch() -> AvroError {
            AvroError(.valueMismatch, "\(path): \(json.jsonText.prefix(80)) is not a valid \(schema.typeName)")
        }
        switch (schema, json) {
        case (.null, .null): self = .null
        case (.boolean, .bool(let b)): self = .boolean(b)
        case (.int, .integer(let i)):
            guard let v = Int32(exactly: i) else { throw mismatch() }
            self = .int(v)
        case (.long, .integer(let i)): self = .long(i)
        case (.float, .integer(let i)): self = .float(Float(i))
        case (.float, .number(let d)): self = .float(Float(d))
        case (.double, .integer(let i)): self = .double(Double(i))
        case (.double, .number(let d)): self = .double(d)
        case (.float, .string(let s)), (.double, .string(let s)):
            // Avro's JSON encoding writes non-finite numbers as strings.
            guard let d = ["NaN": Double.nan, "Infinity": .infinity, "-Infinity": -.infinity][s] else { throw mismatch() }
            self = schema.unionKind == "float" ? .float(Float(d)) : .double(d)
        case (.string, .string(let s)): self = .string(s)
        case (.bytes, .string(let s)):
            self = .bytes(try Self.latin1(s, path: path))
        case (.fixed(let f), .string(let s)):
            let bytes = try Self.latin1(s, path: path)
            guard bytes.count == f.size else {
                throw AvroError(.valueMismatch, "\(path): \(f.name) holds \(f.size) bytes, the value has \(bytes.count)")
            }
            self = .fixed(bytes)
        case (.enumeration(let e), .string(let s)):
            guard e.symbols.contains(s) else {
                throw AvroError(.valueMismatch, "\(path): \"\(s)\" is not a symbol of \(e.name) (\(e.symbols.joined(separator: ", ")))")
            }
            self = .enumeration(s)
        case (.array(let items), .array(let list)):
            var values: [AvroValue] = []
            for (i, item) in list.enumerated() { values.append(try AvroValue(json: item, schema: items, path: "\(path)[\(i)]", unionsTagged: unionsTagged)) }
            self = .array(values)
        case (.map(let valueSchema), .object(let members)):
            var values: [String: AvroValue] = [:]
            for (key, member) in members {
                values[key] = try AvroValue(json: member, schema: valueSchema, path: "\(path)[\"\(key)\"]", unionsTagged: unionsTagged)
            }
            self = .map(values)
        case (.record(let record), .object(let members)):
            var values: [String: AvroValue] = [:]
            for field in record.fields {
                let fieldPath = "\(path).\(field.name)"
                if let member = members[field.name] {
                    values[field.name] = try AvroValue(json: member, schema: field.type, path: fieldPath, unionsTagged: unionsTagged)
                } else if let defaultJSON = field.defaultValue {
                    values[field.name] = try AvroValue(defaultJSON: defaultJSON, schema: field.type, path: fieldPath)
                } else {
                    throw AvroError(.valueMismatch, "\(fieldPath) is missing and has no default")
                }
            }
            if let unknown = members.keys.first(where: { record.fieldIndex[$0] == nil }) {
                throw AvroError(.valueMismatch, "\(path): \(record.name) has no field \"\(unknown)\"")
            }
            self = .record(values)
        case (.union(let branches), _):
            if case .null = json, branches.contains(where: { if case .null = $0 { return true }; return false }) {
                self = .null
            } else if unionsTagged {
                guard case .object(let tagged) = json, tagged.count == 1, let (tag, inner) = tagged.first,
                      let branch = branches.first(where: { $0.fullName == tag || $0.unionKind == tag || $0.typeName == tag }) else {
                    throw AvroError(.valueMismatch,
                        "\(path): a union value is null or {\"TYPE\": value} with TYPE one of \(branches.map { $0.fullName ?? $0.unionKind }), not \(json.jsonText.prefix(80))")
                }
                self = try AvroValue(json: inner, schema: branch, path: path, unionsTagged: true)
            } else {
                for branch in branches {
                    if let value = try? AvroValue(json: json, schema: branch, path: path, unionsTagged: false) {
                        self = value
                        return
                    }
                }
                throw mismatch()
            }
        default:
            throw mismatch()
        }
    }

    /// The bytes of a string whose characters are bytes (Avro's JSON encoding of bytes and fixed).
    static func latin1(_ s: String, path: String) throws(AvroError) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in s.unicodeScalars {
            guard scalar.value < 256 else {
                throw AvroError(.valueMismatch, "\(path): bytes are written as characters U+0000...U+00FF, not \(scalar)")
            }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }
}
