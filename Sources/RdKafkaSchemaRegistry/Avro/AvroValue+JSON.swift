extension AvroValue {
    /// The value in Avro's JSON encoding, on one line: record fields in schema order, unions as
    /// `{"TYPE": value}` (null as `null`), bytes and fixed as strings of characters U+0000 to
    /// U+00FF, logical types as their underlying values.
    public func avroJSON(schema: AvroSchema) -> String {
        var out = ""
        write(schema, to: &out)
        return out
    }

    private func write(_ schema: AvroSchema, to out: inout String) {
        switch (schema, self) {
        case (.union(let branches), _):
            if case .null = self { out += "null"; return }
            guard let index = branch(in: branches) else { out += "null"; return }
            let branchSchema = branches[index]
            out += "{"
            JSONValue.quote(branchSchema.fullName ?? branchSchema.unionKind, into: &out)
            out += ":"
            write(branchSchema, to: &out)
            out += "}"
        case (_, .null): out += "null"
        case (_, .boolean(let b)): out += b ? "true" : "false"
        case (_, .int(let i)): out += String(i)
        case (_, .long(let l)): out += String(l)
        case (_, .float(let f)): out += JSONValue.format(Double(f))
        case (_, .double(let d)): out += JSONValue.format(d)
        case (_, .string(let s)), (_, .enumeration(let s)): JSONValue.quote(s, into: &out)
        case (_, .bytes(let b)), (_, .fixed(let b)):
            var text = String.UnicodeScalarView()
            for byte in b { text.append(Unicode.Scalar(byte)) }
            JSONValue.quote(String(text), into: &out)
        case (.array(let itemSchema), .array(let items)):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(itemSchema, to: &out)
            }
            out += "]"
        case (.map(let valueSchema), .map(let values)):
            out += "{"
            for (i, key) in values.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONValue.quote(key, into: &out)
                out += ":"
                values[key]!.write(valueSchema, to: &out)
            }
            out += "}"
        case (.record(let record), .record(let fields)):
            out += "{"
            for (i, field) in record.fields.enumerated() {
                if i > 0 { out += "," }
                JSONValue.quote(field.name, into: &out)
                out += ":"
                (fields[field.name] ?? .null).write(field.type, to: &out)
            }
            out += "}"
        default:
            out += "null"
        }
    }
}
