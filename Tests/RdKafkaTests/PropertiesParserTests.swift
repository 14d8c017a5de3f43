@testable import RdKafka
import Testing

@Suite("Properties file parser")
struct PropertiesParserTests {
    func parse(_ text: String) throws -> [String: String] {
        let properties = try PropertiesParser.parse(text).get()
        return Dictionary(properties.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test("accepts =, : and whitespace separators with comments and blank lines")
    func separatorsAndComments() throws {
        let text = """
            # comment
            ! also a comment
              bootstrap.servers = host:9092

            a:b
            c d
            e=
            f
            """
        let parsed = try parse(text)
        #expect(parsed == ["bootstrap.servers": "host:9092", "a": "b", "c": "d", "e": "", "f": ""])
    }

    @Test("joins continuation lines and skips the next line's leading whitespace")
    func continuation() throws {
        let parsed = try parse("list = a,\\\n     b,\\\n   c\nnext=1")
        #expect(parsed["list"] == "a,b,c")
        #expect(parsed["next"] == "1")
    }

    @Test("an even number of trailing backslashes is not a continuation")
    func escapedBackslash() throws {
        let parsed = try parse("path=C:\\\\dir\\\\\nx=1")
        #expect(parsed["path"] == "C:\\dir\\")
        #expect(parsed["x"] == "1")
    }

    @Test("decodes escapes, unicode escapes and escaped separators in keys")
    func escapes() throws {
        let parsed = try parse("key\\=with\\:seps = tab\\there\\nnew \\u00e9\\u4e2d")
        #expect(parsed["key=with:seps"] == "tab\there\nnew é中")
    }

    @Test("CRLF and CR line endings")
    func lineEndings() throws {
        #expect(try parse("a=1\r\nb=2\rc=3") == ["a": "1", "b": "2", "c": "3"])
    }

    @Test("reports the line of a malformed unicode escape")
    func malformedUnicode() {
        let result = PropertiesParser.parse("a=1\n\nb=\\u12G4\n")
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.line == 3)
        #expect(failure.message.contains("hex"))
    }

    @Test("line numbers point at the start of a logical line")
    func lineNumbers() throws {
        let properties = try PropertiesParser.parse("# c\na=1\\\n 2\n\nb=3").get()
        #expect(properties.map(\.line) == [2, 5])
    }

    @Test("random and malformed input never crashes, and escaped values round-trip", arguments: 0..<4)
    func randomInputNeverCrashes(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let alphabet: [Character] = ["a", "Z", "0", "=", ":", " ", "\t", "\\", "\n", "\r", "#", "!", "u", "é", "\u{0}", "中", "\u{FFFD}", "."]
        for _ in 0..<2_500 {
            let length = Int(rng.next() % 80)
            let text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            _ = PropertiesParser.parse(text)  // must return, success or failure
        }
        for _ in 0..<2_500 {
            let key = "k" + String((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let value = String((0..<Int(rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let line = "\(escape(key, isKey: true))=\(escape(value, isKey: false))"
            let parsed = try PropertiesParser.parse(line).get()
            #expect(parsed.count == 1)
            #expect(parsed.first?.key == key)
            #expect(parsed.first?.value == value)
        }
    }

    /// Escapes as `java.util.Properties.store` does.
    private func escape(_ s: String, isKey: Bool) -> String {
        var out = ""
        for (i, c) in s.unicodeScalars.enumerated() {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "=", ":", "#", "!": out += "\\\(c)"
            case " " where isKey || i == 0: out += "\\ "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// A small deterministic generator for property-based tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
