import Foundation
import RdKafkaSchemaRegistry
import Testing

/// The Avro codec against fastavro, byte for byte, for a schema with every type and logical type.
@Suite("Avro against fastavro")
struct AvroReferenceTests {
    static let schemaFile = PythonReference.directory.appendingPathComponent("everything.avsc").path
    static var schemaText: String { (try? String(contentsOfFile: schemaFile, encoding: .utf8)) ?? "" }

    /// Records in Avro's JSON encoding: edge values of each type.
    static let records = [
        #"{"n":null,"b":true,"i":-42,"l":1234567890123,"f":1.5,"d":-2.25,"by":"\u0000\u00ff A","s":"héllo ✓","e":"GREEN","a":[1,-2,300],"m":{"a":"x","b":"y"},"u":{"string":"maybe"},"fx":"\u0001\u0002\u0003\u0004","dec":"\u0004\u00d2","fdec":"\u0000\u0000\u0000\u0000\u0000\u0000\u0030\u0039","uuid":"123e4567-e89b-12d3-a456-426614174000","date":19000,"tms":3600000,"tus":3600000000,"tsms":1700000000123,"tsus":1700000000123456,"nested":{"x":5},"withDefault":"w"}"#,
        #"{"n":null,"b":false,"i":2147483647,"l":-9223372036854775808,"f":-0.0,"d":1e300,"by":"","s":"","e":"RED","a":[],"m":{},"u":null,"fx":"\u0000\u0000\u0000\u0000","dec":"\u00ff","fdec":"\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff","uuid":"00000000-0000-0000-0000-000000000000","date":-1,"tms":0,"tus":86399999999,"tsms":-1,"tsus":0,"nested":{"x":-2147483648},"withDefault":""}"#,
    ]

    /// Runs the fastavro helper with `lines` on stdin.
    static func reference(_ mode: String, _ lines: [String]) throws -> [String] {
        try PythonReference.run("avro_reference.py", [mode, schemaFile], input: lines)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test("Swift's encoding of each record equals fastavro's, byte for byte")
    func encodingMatchesFastavro() throws {
        let schema = try AvroSchema(parsing: Self.schemaText)
        let expected = try Self.reference("encode", Self.records)
        #expect(expected.count == Self.records.count)
        for (record, reference) in zip(Self.records, expected) {
            let value = try AvroValue(json: try JSONValue(parsing: record), schema: schema)
            #expect(Self.hex(try AvroBinary.encode(value, as: schema)) == reference, "\(record)")
        }
    }

    @Test("fastavro's bytes decode in Swift to the same record (Avro JSON compared as JSON)")
    func decodingMatchesFastavro() throws {
        let schema = try AvroSchema(parsing: Self.schemaText)
        let encoded = try Self.reference("encode", Self.records)
        let decodedByPython = try Self.reference("decode", encoded)
        for (hex, pythonJSON) in zip(encoded, decodedByPython) {
            let value = try AvroBinary.decode(Self.bytes(hex: hex), writer: schema)
            #expect(try JSONValue(parsing: value.avroJSON(schema: schema)) == JSONValue(parsing: pythonJSON), "\(hex)")
        }
    }
}
