/// Checks JSON values against a JSON Schema (draft 7 / 2020-12 keywords a Schema Registry's
/// schemas use): `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`,
/// `items` / `prefixItems`, `minItems` / `maxItems`, `minLength` / `maxLength`, `minimum` /
/// `maximum` / `exclusiveMinimum` / `exclusiveMaximum`, `multipleOf`, `allOf` / `anyOf` /
/// `oneOf` / `not`, and local `$ref`s (`#/definitions/...`, `#/$defs/...`). Other keywords
/// (`format`, `pattern`) are annotations here and not checked.
public struct JSONSchemaValidator: Sendable {
    public let schema: JSONValue

    /// - Throws: ``AvroError`` `invalidSchema` when `text` is not JSON or not a schema (an
    ///   object or a boolean).
    public init(parsing text: String) throws(AvroError) {
        let json = try JSONValue(parsing: text)
        switch json {
        case .object, .bool: schema = json
        default: throw AvroError(.invalidSchema, "a JSON schema is an object or a boolean, not \(json.jsonText.prefix(40))")
        }
    }

    /// The problems of `value` against the schema, each with its JSON path; empty when it is valid.
    public func problems(_ value: JSONValue) -> [String] {
        var found: [String] = []
        check(value, against: schema, path: "$", depth: 0, into: &found)
        return found
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = schema
        for part in reference.dropFirst().split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members): guard let next = members[key] else { return nil }; node = next
            case .array(let items): guard let i = Int(key), items.indices.contains(i) else { return nil }; node = items[i]
            default: return nil
            }
        }
        return node
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, depth: Int, into found: inout [String]) {
        guard depth < 64 else { found.append("\(path): the schema nests deeper than 64 (a $ref loop?)"); return }
        guard case .object(let s) = schema else {
            if case .bool(false) = schema { found.append("\(path): no value is allowed here") }
            return
        }
        if let reference = s["$ref"]?.stringValue {
            if let target = resolve(reference) {
                check(value, against: target, path: path, depth: depth + 1, into: &found)
            } else {
                found.append("\(path): the schema's $ref \(reference) points nowhere")
            }
        }
        let actual = Self.typeName(value)
        if let type = s["type"] {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap(\.stringValue)
            default: allowed = []
            }
            if !allowed.isEmpty, !allowed.contains(actual), !(actual == "integer" && allowed.contains("number")) {
                found.append("\(path): \(actual) where the schema wants \(allowed.joined(separator: " or "))")
                return
            }
        }
        if case .array(let options)? = s["enum"], !options.contains(where: { Self.equal($0, value) }) {
            found.append("\(path): \(value.jsonText.prefix(40)) is not one of \(JSONValue.array(options).jsonText.prefix(80))")
        }
        if let constant = s["const"], !Self.equal(constant, value) {
            found.append("\(path): must be \(constant.jsonText.prefix(40))")
        }
        switch value {
        case .object(let members):
            let properties: [String: JSONValue]
            if case .object(let p)? = s["properties"] { properties = p } else { properties = [:] }
            if case .array(let required)? = s["required"] {
                for name in required.compactMap(\.stringValue) where members[name] == nil {
                    found.append("\(path): required property \"\(name)\" is missing")
                }
            }
            for (name, member) in members {
                if let propertySchema = properties[name] {
                    check(member, against: propertySchema, path: "\(path).\(name)", depth: depth + 1, into: &found)
                } else if let additional = s["additionalProperties"] {
                    if case .bool(false) = additional {
                        found.append("\(path): property \"\(name)\" is not allowed (additionalProperties: false)")
                    } else {
                        check(member, against: additional, path: "\(path).\(name)", depth: depth + 1, into: &found)
                    }
                }
            }
        case .array(let items):
            var start = 0
            if case .array(let prefix)? = s["prefixItems"] {
                for (i, itemSchema) in prefix.enumerated() where i < items.count {
                    check(items[i], against: itemSchema, path: "\(path)[\(i)]", depth: depth + 1, into: &found)
                }
                start = prefix.count
            }
            if let itemSchema = s["items"] {
                if case .array(let tuple) = itemSchema {  // draft 7 tuple form
                    for (i, schema) in tuple.enumerated() where i < items.count {
                        check(items[i], against: schema, path: "\(path)[\(i)]", depth: depth + 1, into: &found)
                    }
                } else {
                    for i in start..<max(start, items.count) {
                        check(items[i], against: itemSchema, path: "\(path)[\(i)]", depth: depth + 1, into: &found)
                    }
                }
            }
            if let min = s["minItems"].flatMap(Self.number), Double(items.count) < min { found.append("\(path): fewer than \(Int(min)) items") }
            if let max = s["maxItems"].flatMap(Self.number), Double(items.count) > max { found.append("\(path): more than \(Int(max)) items") }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let min = s["minLength"].flatMap(Self.number), Double(length) < min { found.append("\(path): shorter than \(Int(min)) characters") }
            if let max = s["maxLength"].flatMap(Self.number), Double(length) > max { found.append("\(path): longer than \(Int(max)) characters") }
        case .integer, .number:
            let n = Self.number(value) ?? 0
            if let min = s["minimum"].flatMap(Self.number), n < min { found.append("\(path): \(value.jsonText) is below the minimum \(min)") }
            if let max = s["maximum"].flatMap(Self.number), n > max { found.append("\(path): \(value.jsonText) is above the maximum \(max)") }
            if let min = s["exclusiveMinimum"].flatMap(Self.number), n <= min { found.append("\(path): \(value.jsonText) must be above \(min)") }
            if let max = s["exclusiveMaximum"].flatMap(Self.number), n >= max { found.append("\(path): \(value.jsonText) must be below \(max)") }
            if let step = s["multipleOf"].flatMap(Self.number), step > 0, (n / step).rounded() != n / step {
                found.append("\(path): \(value.jsonText) is not a multiple of \(step)")
            }
        default:
            break
        }
        if case .array(let all)? = s["allOf"] {
            for sub in all { check(value, against: sub, path: path, depth: depth + 1, into: &found) }
        }
        if case .array(let any)? = s["anyOf"] {
            let passing = any.filter { sub in var local: [String] = []; check(value, against: sub, path: path, depth: depth + 1, into: &local); return local.isEmpty }
            if passing.isEmpty { found.append("\(path): matches none of anyOf's \(any.count) schemas") }
        }
        if case .array(let one)? = s["oneOf"] {
            let passing = one.filter { sub in var local: [String] = []; check(value, against: sub, path: path, depth: depth + 1, into: &local); return local.isEmpty }
            if passing.count != 1 { found.append("\(path): matches \(passing.count) of oneOf's schemas, not exactly one") }
        }
        if let not = s["not"] {
            var local: [String] = []
            check(value, against: not, path: path, depth: depth + 1, into: &local)
            if local.isEmpty { found.append("\(path): matches the schema under \"not\"") }
        }
    }

    /// JSON equality, with 1 and 1.0 equal.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }
}
