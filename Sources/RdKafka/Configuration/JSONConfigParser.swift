/// Reads librdkafka properties from JSON, remembering each value's line.
///
/// Accepts a flat object of properties (`{"bootstrap.servers": "..."}`) or a named section of a
/// larger document, the .NET `appsettings.json` style (`{"Kafka": {...}}`, section `Kafka`;
/// nested sections as `Kafka:Producer`). Nested objects inside the section are joined with dots
/// (`{"bootstrap": {"servers": ...}}` is `bootstrap.servers`); arrays are joined with commas;
/// `null` leaves the property unset. Its own small parser, because Foundation's does not report
/// line numbers.
struct JSONConfigParser {
    indirect enum Value {
        case string(String, line: Int)
        case scalar(String, line: Int)  // numbers and booleans, as written
        case null(line: Int)
        case array([Value], line: Int)
        case object([(String, Value)], line: Int)

        var line: Int {
            switch self {
            case .string(_, let l), .scalar(_, let l), .null(let l), .array(_, let l), .object(_, let l): return l
            }
        }
    }

    struct Failure: Error, Equatable {
        var line: Int
        var message: String
    }

    private let s: [UInt8]
    private var i = 0
    private var line = 1
    private var depth = 0

    private init(_ text: String) { s = Array(text.utf8) }

    /// The properties of `section` (or of the top-level object when `section` is nil).
    static func properties(in text: String, section: String?) -> Result<[PropertiesParser.Property], Failure> {
        var parser = JSONConfigParser(text)
        let root: Value
        do {
            parser.skipSpace()
            root = try parser.parseValue()
            parser.skipSpace()
            if parser.i < parser.s.count { throw Failure(line: parser.line, message: "unexpected text after the JSON value") }
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(line: parser.line, message: "\(error)"))
        }
        var current = root
        if let section {
            for name in section.split(separator: ":").map(String.init) {
                guard case .object(let members, _) = current else {
                    return .failure(Failure(line: current.line, message: "section '\(section)' is not an object"))
                }
                guard let found = members.last(where: { $0.0 == name }) ?? members.last(where: { $0.0.lowercased() == name.lowercased() }) else {
                    let names = members.map { "'\($0.0)'" }.joined(separator: ", ")
                    return .failure(Failure(line: current.line, message: "no section '\(name)' (found \(names.isEmpty ? "none" : names))"))
                }
                current = found.1
            }
        }
        guard case .object(let members, _) = current else {
            return .failure(Failure(line: current.line, message: "expected an object of properties"))
        }
        var out: [PropertiesParser.Property] = []
        func flatten(_ prefix: String, _ value: Value) -> Failure? {
            switch value {
            case .string(let text, let l), .scalar(let text, let l):
                out.append(.init(key: prefix, value: text, line: l))
            case .null:
                break
            case .array(let items, let l):
                var parts: [String] = []
                for item in items {
                    switch item {
                    case .string(let t, _), .scalar(let t, _): parts.append(t)
                    default: return Failure(line: item.line, message: "'\(prefix)' may only list strings or numbers")
                    }
                }
                out.append(.init(key: prefix, value: parts.joined(separator: ","), line: l))
            case .object(let nested, _):
                for (key, inner) in nested {
                    if let failure = flatten(prefix.isEmpty ? key : "\(prefix).\(key)", inner) { return failure }
                }
            }
            return nil
        }
        for (key, value) in members {
            if let failure = flatten(key, value) { return .failure(failure) }
        }
        return .success(out)
    }

    private mutating func skipSpace() {
        while i < s.count {
            switch s[i] {
            case UInt8(ascii: "\n"): line += 1; i += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): i += 1
            case UInt8(ascii: "/") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "/"):
                // appsettings.json allows comments.
                while i < s.count && s[i] != UInt8(ascii: "\n") { i += 1 }
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> Value {
        guard i < s.count else { throw Failure(line: line, message: "unexpected end of JSON") }
        let start = line
        switch s[i] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            if depth > 64 { throw Failure(line: line, message: "JSON nested too deeply") }
            i += 1
            var members: [(String, Value)] = []
            skipSpace()
            if i < s.count && s[i] == UInt8(ascii: "}") { i += 1; return .object(members, line: start) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw Failure(line: line, message: "expected a property name in quotes") }
                let key = try parseString()
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { throw Failure(line: line, message: "expected ':' after \"\(key)\"") }
                i += 1
                skipSpace()
                members.append((key, try parseValue()))
                skipSpace()
                guard i < s.count else { throw Failure(line: line, message: "unexpected end of JSON in an object") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "}") { i += 1; return .object(members, line: start) }
                throw Failure(line: line, message: "expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            if depth > 64 { throw Failure(line: line, message: "JSON nested too deeply") }
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < s.count && s[i] == UInt8(ascii: "]") { i += 1; return .array(items, line: start) }
            while true {
                skipSpace()
                items.append(try parseValue())
                skipSpace()
                guard i < s.count else { throw Failure(line: line, message: "unexpected end of JSON in an array") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "]") { i += 1; return .array(items, line: start) }
                throw Failure(line: line, message: "expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString(), line: start)
        default:
            let begin = i
            while i < s.count, !" \t\r\n,]}".utf8.contains(s[i]) { i += 1 }
            let word = String(decoding: s[begin..<i], as: UTF8.self)
            if word == "null" { return .null(line: start) }
            if word == "true" || word == "false" || Double(word) != nil { return .scalar(word, line: start) }
            throw Failure(line: start, message: "unexpected '\(word.prefix(20))'")
        }
    }

    private mutating func parseString() throws -> String {
        i += 1  // opening quote
        var bytes: [UInt8] = []
        while i < s.count {
            let c = s[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\n"):
                throw Failure(line: line, message: "unterminated string")
            case UInt8(ascii: "\\"):
                guard i < s.count else { throw Failure(line: line, message: "unterminated string") }
                let e = s[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "r"): bytes.append(13)
                case UInt8(ascii: "b"): bytes.append(8)
                case UInt8(ascii: "f"): bytes.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= s.count, let code = UInt32(String(decoding: s[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw Failure(line: line, message: "malformed \\u escape")
                    }
                    i += 4
                    bytes.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: bytes.append(e)
                }
            default:
                bytes.append(c)
            }
        }
        throw Failure(line: line, message: "unterminated string")
    }
}
