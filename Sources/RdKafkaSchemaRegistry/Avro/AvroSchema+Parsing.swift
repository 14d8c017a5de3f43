extension AvroSchema {
    /// Parses a schema from its JSON text.
    ///
    /// - Throws: ``AvroError`` naming what is wrong and where (the path of names to it).
    public init(parsing text: String) throws(AvroError) {
        try self.init(json: try JSONValue(parsing: text))
    }

    /// Parses a schema from parsed JSON.
    public init(json: JSONValue) throws(AvroError) {
        var parser = SchemaParser()
        self = try parser.parse(json, namespace: nil, path: "schema")
    }
}

private struct SchemaParser {
    var named: [String: AvroSchema] = [:]
    /// Records whose fields are being parsed: a reference to one of them is recursive.
    var open: Set<String> = []

    static func primitive(_ name: String) -> AvroSchema? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "int": return .int(nil)
        case "long": return .long(nil)
        case "float": return .float
        case "double": return .double
        case "bytes": return .bytes(nil)
        case "string": return .string(nil)
        default: return nil
        }
    }

    func fail(_ path: String, _ what: String) -> AvroError { AvroError(.invalidSchema, "\(path): \(what)") }

    mutating func parse(_ json: JSONValue, namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        switch json {
        case .string(let name):
            return try reference(name, namespace: namespace, path: path)
        case .array(let branches):
            return try union(branches, namespace: namespace, path: path)
        case .object(let members):
            guard let type = members["type"] else { throw fail(path, "a schema object needs \"type\"") }
            guard case .string(let typeName) = type else {
                // {"type": {...}} or {"type": [...]}: the inner schema.
                return try parse(type, namespace: namespace, path: path)
            }
            switch typeName {
            case "record", "error": return try record(members, namespace: namespace, path: path)
            case "enum": return try enumeration(members, namespace: namespace, path: path)
            case "fixed": return try fixed(members, namespace: namespace, path: path)
            case "array":
                guard let items = members["items"] else { throw fail(path, "an array needs \"items\"") }
                return .array(try parse(items, namespace: namespace, path: path + "[]"))
            case "map":
                guard let values = members["values"] else { throw fail(path, "a map needs \"values\"") }
                return .map(try parse(values, namespace: namespace, path: path + "{}"))
            default:
                let base = try reference(typeName, namespace: namespace, path: path)
                return logical(base, members)
            }
        default:
            throw fail(path, "a schema is a type name, a union (array) or an object, not \(json.jsonText)")
        }
    }

    /// A primitive with a logical type, if the logical type is known and fits (the
    /// specification says to ignore one that does not).
    func logical(_ base: AvroSchema, _ members: [String: JSONValue]) -> AvroSchema {
        guard case .string(let name)? = members["logicalType"] else { return base }
        switch base {
        case .int(nil): return AvroSchema.IntLogical(rawValue: name).map { .int($0) } ?? base
        case .long(nil): return AvroSchema.LongLogical(rawValue: name).map { .long($0) } ?? base
        case .string(nil): return AvroSchema.StringLogical(rawValue: name).map { .string($0) } ?? base
        case .bytes(nil): return name == "decimal" ? (decimal(members, maxPrecision: Int.max).map { .bytes($0) } ?? base) : base
        default: return base
        }
    }

    func decimal(_ members: [String: JSONValue], maxPrecision: Int) -> AvroSchema.Decimal? {
        guard case .integer(let precision)? = members["precision"], precision > 0, precision <= maxPrecision else { return nil }
        var scale: Int64 = 0
        if let given = members["scale"] {
            guard case .integer(let s) = given, s >= 0, s <= precision else { return nil }
            scale = s
        }
        return AvroSchema.Decimal(precision: Int(precision), scale: Int(scale))
    }

    mutating func reference(_ name: String, namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        if let primitive = Self.primitive(name) { return primitive }
        var found: AvroSchema?
        if !name.contains("."), let namespace, !namespace.isEmpty { found = named["\(namespace).\(name)"] }
        guard let found = found ?? named[name] else {
            throw fail(path, "unknown type \"\(name)\" (named types must be defined before use)")
        }
        if case .record(let record) = found, open.contains(record.name.fullName) {
            return .record(AvroSchema.Record(referencing: record))
        }
        return found
    }

    mutating func union(_ branches: [JSONValue], namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        var parsed: [AvroSchema] = []
        var seen: Set<String> = []
        for (i, branch) in branches.enumerated() {
            let schema = try parse(branch, namespace: namespace, path: "\(path)|\(i)")
            if case .union = schema { throw fail(path, "a union may not contain a union") }
            let key = schema.fullName ?? schema.unionKind
            guard seen.insert(key).inserted else { throw fail(path, "the union has \(key) twice") }
            parsed.append(schema)
        }
        return .union(parsed)
    }

    func name(_ members: [String: JSONValue], namespace: String?, path: String) throws(AvroError) -> AvroSchema.Name {
        guard case .string(let given)? = members["name"], !given.isEmpty else { throw fail(path, "a named type needs \"name\"") }
        var space = namespace
        if case .string(let explicit)? = members["namespace"] { space = explicit }
        if let dot = given.lastIndex(of: ".") {
            return AvroSchema.Name(name: String(given[given.index(after: dot)...]), namespace: String(given[..<dot]))
        }
        for part in given.split(separator: ".", omittingEmptySubsequences: false) where !Self.isValidName(part) {
            throw fail(path, "\"\(given)\" is not a valid Avro name (letters, digits, _; not starting with a digit)")
        }
        return AvroSchema.Name(name: given, namespace: space)
    }

    static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    func aliases(_ members: [String: JSONValue], namespace: String?) -> [String] {
        guard case .array(let items)? = members["aliases"] else { return [] }
        return items.compactMap { item in
            guard case .string(let alias) = item else { return nil }
            if alias.contains(".") { return alias }
            return namespace.map { $0.isEmpty ? alias : "\($0).\(alias)" } ?? alias
        }
    }

    mutating func define(_ name: AvroSchema.Name, _ schema: AvroSchema, path: String) throws(AvroError) {
        guard named[name.fullName] == nil, Self.primitive(name.fullName) == nil else {
            throw fail(path, "\(name.fullName) is defined twice")
        }
        named[name.fullName] = schema
    }

    mutating func record(_ members: [String: JSONValue], namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        let recordName = try name(members, namespace: namespace, path: path)
        let record = AvroSchema.Record(name: recordName, aliases: aliases(members, namespace: recordName.namespace), doc: members["doc"]?.stringValue)
        try define(recordName, .record(record), path: path)
        open.insert(recordName.fullName)
        defer { open.remove(recordName.fullName) }
        guard case .array(let fieldList)? = members["fields"] else { throw fail(recordName.fullName, "a record needs \"fields\" (an array)") }
        var fields: [AvroSchema.Field] = []
        var index: [String: Int] = [:]
        for field in fieldList {
            guard case .object(let f) = field, case .string(let fieldName)? = f["name"] else {
                throw fail(recordName.fullName, "each field needs a \"name\"")
            }
            let fieldPath = "\(recordName.fullName).\(fieldName)"
            guard Self.isValidName(fieldName) else { throw fail(fieldPath, "\"\(fieldName)\" is not a valid field name") }
            guard index[fieldName] == nil else { throw fail(fieldPath, "the field is defined twice") }
            guard let typeJSON = f["type"] else { throw fail(fieldPath, "the field needs a \"type\"") }
            let type = try parse(typeJSON, namespace: recordName.namespace, path: fieldPath)
            let defaultValue = f["default"]
            if let defaultValue {
                do throws(AvroError) {
                    _ = try AvroValue(defaultJSON: defaultValue, schema: type, path: fieldPath)
                } catch {
                    throw fail(fieldPath, "the default \(defaultValue.jsonText) does not match \(type.typeName): \(error.message)")
                }
            }
            var fieldAliases: [String] = []
            if case .array(let items)? = f["aliases"] { fieldAliases = items.compactMap(\.stringValue) }
            index[fieldName] = fields.count
            fields.append(AvroSchema.Field(name: fieldName, type: type, defaultValue: defaultValue, aliases: fieldAliases, doc: f["doc"]?.stringValue))
        }
        record.define(fields, index: index)
        return .record(record)
    }

    mutating func enumeration(_ members: [String: JSONValue], namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        let enumName = try name(members, namespace: namespace, path: path)
        guard case .array(let list)? = members["symbols"] else { throw fail(enumName.fullName, "an enum needs \"symbols\"") }
        var symbols: [String] = []
        for item in list {
            guard case .string(let symbol) = item, Self.isValidName(symbol), !symbols.contains(symbol) else {
                throw fail(enumName.fullName, "symbols must be distinct valid names, not \(item.jsonText)")
            }
            symbols.append(symbol)
        }
        let defaultSymbol = members["default"]?.stringValue
        if let defaultSymbol, !symbols.contains(defaultSymbol) {
            throw fail(enumName.fullName, "the default \"\(defaultSymbol)\" is not one of the symbols")
        }
        let schema = AvroSchema.enumeration(.init(name: enumName, aliases: aliases(members, namespace: enumName.namespace), symbols: symbols, defaultSymbol: defaultSymbol))
        try define(enumName, schema, path: path)
        return schema
    }

    mutating func fixed(_ members: [String: JSONValue], namespace: String?, path: String) throws(AvroError) -> AvroSchema {
        let fixedName = try name(members, namespace: namespace, path: path)
        guard case .integer(let size)? = members["size"], size >= 0, size <= Int64(Int32.max) else {
            throw fail(fixedName.fullName, "a fixed needs a \"size\" (a whole number of bytes)")
        }
        var decimalType: AvroSchema.Decimal?
        if case .string("decimal")? = members["logicalType"] {
            // The most digits `size` bytes of two's complement can hold.
            let maxPrecision = size >= 128 ? Int.max : Int((Double(8 * size - 1) * 0.30102999566398120).rounded(.down))
            decimalType = decimal(members, maxPrecision: maxPrecision)
        }
        let schema = AvroSchema.fixed(.init(name: fixedName, aliases: aliases(members, namespace: fixedName.namespace), size: Int(size), decimal: decimalType))
        try define(fixedName, schema, path: path)
        return schema
    }
}

extension AvroSchema {
    /// What distinguishes a branch of a union: its full name, or its kind for unnamed types.
    var unionKind: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case .record(let r): return r.name.fullName
        case .enumeration(let e): return e.name.fullName
        case .fixed(let f): return f.name.fullName
        }
    }
}
