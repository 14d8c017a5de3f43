import Foundation
import RdKafkaSchemaRegistry

/// Swift types for the first two schemas, so that `AvroDecoder` reads the payloads straight
/// from the bytes (and through `AvroValue` when that fails). `n` and `u` are left unread.
struct Everything: Decodable {
    var b: Bool, i: Int32, l: Int64, f: Float, d: Double, by: Data, s: String, e: String
    var a: [Int32], m: [String: String], fx: Data, dec: Decimal, ts: Date
}

final class ListNode: Decodable {
    let value: Int32
    let next: ListNode?
}

/// Schemas the payloads are read with: every type and logical type, a recursive list, and a
/// reader that resolves the first (promotions, defaults, skipped fields). Parsed for each input
/// rather than kept in a global: libFuzzer's leak check counts a global built during the first
/// input, and LeakSanitizer cannot follow Swift's weak-reference side tables.
let schemaTexts = [
    #"{"type": "record", "name": "Everything", "fields": [{"name": "n", "type": "null"}, {"name": "b", "type": "boolean"}, {"name": "i", "type": "int"}, {"name": "l", "type": "long"}, {"name": "f", "type": "float"}, {"name": "d", "type": "double"}, {"name": "by", "type": "bytes"}, {"name": "s", "type": "string"}, {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}}, {"name": "a", "type": {"type": "array", "items": "int"}}, {"name": "m", "type": {"type": "map", "values": "string"}}, {"name": "u", "type": ["null", "string", "long"]}, {"name": "fx", "type": {"type": "fixed", "name": "Hash", "size": 4}}, {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}, {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}"#,
    #"{"type": "record", "name": "Node", "fields": [{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]}"#,
    #"{"type": "record", "name": "Everything", "fields": [{"name": "i", "type": "double"}, {"name": "s", "type": "bytes"}, {"name": "extra", "type": "string", "default": "x"}, {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED"], "default": "RED"}}]}"#,
]

/// One libFuzzer input, three ways: a payload for each schema (and the resolving reader), the
/// whole input as a schema, and as JSON for the first schema. Thrown `AvroError`s are the
/// expected outcome; a crash, hang or sanitizer report is a bug. A value that decodes must
/// encode, and its encoding decode and encode to the same bytes (the input itself may spell
/// numbers or order map keys differently).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAvro(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let schemas = schemaTexts.map { try! AvroSchema(parsing: $0) }
    for schema in schemas.prefix(2) {
        if let value = try? AvroBinary.decode(bytes, writer: schema) {
            guard let canonical = try? AvroBinary.encode(value, as: schema),
                  let decoded = try? AvroBinary.decode(canonical, writer: schema),
                  (try? AvroBinary.encode(decoded, as: schema)) == canonical else {
                fatalError("a decoded value does not survive encoding and decoding again")
            }
            _ = value.avroJSON(schema: schema)
        }
    }
    _ = try? AvroBinary.decode(bytes, writer: schemas[0], reader: schemas[2])
    _ = try? AvroDecoder().decode(Everything.self, from: bytes, writer: schemas[0])
    _ = try? AvroDecoder().decode(ListNode.self, from: bytes, writer: schemas[1])
    let text = String(decoding: bytes, as: UTF8.self)
    if let schema = try? AvroSchema(parsing: text) { _ = schema.typeName }
    if let json = try? JSONValue(parsing: text) { _ = try? AvroValue(json: json, schema: schemas[0], unionsTagged: false) }
    return 0
}
