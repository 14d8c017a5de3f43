import Foundation
@testable import RdKafkaSchemaRegistry
import Testing

/// `AvroEncoder.encode` writes bytes straight from `encode(to:)`; `AvroEncoder.value` builds
/// the generic value. Each case checks that both give the same bytes, whatever order the keys
/// come in and whichever containers the type asks for.
@Suite("Avro encoding and decoding straight between bytes and Codable types")
struct AvroStreamEncoderTests {
    static let orderSchema = """
        {"type": "record", "name": "Order", "namespace": "shop", "fields": [
          {"name": "id", "type": "long"},
          {"name": "note", "type": ["null", "string"], "default": null},
          {"name": "customer", "type": ["null", {"type": "record", "name": "Customer", "fields": [
            {"name": "name", "type": "string"}, {"name": "vip", "type": "boolean", "default": false}]}], "default": null},
          {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
            {"name": "sku", "type": "string"}, {"name": "count", "type": "int"}]}}},
          {"name": "labels", "type": {"type": "map", "values": "string"}},
          {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}, "default": "NEW"},
          {"name": "total", "type": "double"}
        ]}
        """

    struct Line: Codable, Equatable { var sku: String; var count: Int32 }
    struct Customer: Codable, Equatable { var name: String; var vip: Bool? }
    enum Status: String, Codable { case new = "NEW", paid = "PAID" }

    /// Synthesized Codable: keys in the schema's order, nil optionals left out.
    struct Order: Codable, Equatable {
        var id: Int64
        var note: String?
        var customer: Customer?
        var lines: [Line]
        var labels: [String: String]
        var status: Status?
        var total: Double
    }

    /// The same fields in another order.
    struct Shuffled: Codable, Equatable {
        var total: Double
        var lines: [Line]
        var id: Int64
        var labels: [String: String]
        var note: String?
    }

    /// Asks for nested containers and writes a field through them after other fields.
    struct Manual: Encodable {
        func encode(to encoder: Encoder) throws {
            enum Keys: String, CodingKey { case id, customer, lines, labels, total, name }
            var container = encoder.container(keyedBy: Keys.self)
            var customer = container.nestedContainer(keyedBy: Keys.self, forKey: .customer)
            var lines = container.nestedUnkeyedContainer(forKey: .lines)
            try container.encode(Int64(7), forKey: .id)
            try container.encode([String: String](), forKey: .labels)
            try customer.encode("Ada", forKey: .name)
            try lines.encode(Line(sku: "A", count: 1))
            try container.encode(1.5, forKey: .total)
        }
    }

    func sameBytes<T: Encodable>(_ value: T, _ schema: AvroSchema, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let streamed = try AvroEncoder().encode(value, as: schema)
        let viaValue = try AvroBinary.encode(try AvroEncoder().value(value, as: schema), as: schema)
        #expect(streamed == viaValue, "\(T.self)", sourceLocation: sourceLocation)
        return streamed
    }

    @Test("records, optional records, arrays of records, maps, enums, defaults: the same bytes as through AvroValue")
    func sameAsValues() throws {
        let schema = try AvroSchema(parsing: Self.orderSchema)
        let full = Order(id: 1, note: "gift", customer: Customer(name: "Ada", vip: true),
                         lines: [Line(sku: "A", count: 2), Line(sku: "B", count: -1)], labels: ["b": "2", "a": "1"], status: .paid, total: 9.5)
        _ = try sameBytes(full, schema)
        let sparse = Order(id: -5, note: nil, customer: Customer(name: "Bo", vip: nil), lines: [], labels: [:], status: nil, total: 0)
        let bytes = try sameBytes(sparse, schema)
        // Missing fields take their defaults (status NEW, vip false) or null.
        let decoded = try AvroBinary.decode(bytes, writer: schema)
        guard case .record(let fields) = decoded, case .record(let customer)? = fields["customer"] else { Issue.record("\(decoded)"); return }
        #expect(fields["status"] == .enumeration("NEW") && fields["note"] == .null && customer["vip"] == .boolean(false))
        _ = try sameBytes(Shuffled(total: 2, lines: [Line(sku: "Z", count: 9)], id: 3, labels: ["k": "v"], note: "n"), schema)
        _ = try sameBytes(Manual(), schema)
        _ = try sameBytes([full, sparse], try AvroSchema(parsing: #"{"type": "array", "items": \#(Self.orderSchema)}"#))
        _ = try sameBytes([[Int32]](), try AvroSchema(parsing: #"{"type": "array", "items": {"type": "array", "items": "int"}}"#))
        _ = try sameBytes([[1, 2], [], [3]] as [[Int32]], try AvroSchema(parsing: #"{"type": "array", "items": {"type": "array", "items": "int"}}"#))
    }

    @Test("a union with two record branches, and values that are not records, still encode")
    func ambiguousUnions() throws {
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "Event", "fields": [{"name": "body", "type": [
              {"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
              {"type": "record", "name": "B", "fields": [{"name": "b", "type": "string"}]}]}]}
            """)
        struct A: Codable { var a: Int32 }
        struct B: Codable { var b: String }
        struct EventA: Codable { var body: A }
        struct EventB: Codable { var body: B }
        #expect(try sameBytes(EventA(body: A(a: 1)), schema) == [0, 2])
        #expect(try sameBytes(EventB(body: B(b: "x")), schema) == [2, 2, 0x78])
        _ = try sameBytes(Date(timeIntervalSince1970: 1), try AvroSchema(parsing: #"{"type": "long", "logicalType": "timestamp-millis"}"#))
        _ = try sameBytes([UInt8]([1, 2, 3]), try AvroSchema(parsing: #""bytes""#))
        _ = try sameBytes(["x": [Int32(1)]], try AvroSchema(parsing: #"{"type": "map", "values": {"type": "array", "items": "int"}}"#))
    }

    @Test("mistakes name the field: unknown key, a key encoded twice, a missing field without default, a wrong type deep inside")
    func mistakes() throws {
        let schema = try AvroSchema(parsing: Self.orderSchema)
        struct Extra: Encodable {
            func encode(to encoder: Encoder) throws {
                enum Keys: String, CodingKey { case id, surplus }
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(Int64(1), forKey: .id)
                try container.encode(1, forKey: .surplus)
            }
        }
        struct Twice: Encodable {
            func encode(to encoder: Encoder) throws {
                enum Keys: String, CodingKey { case id }
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(Int64(1), forKey: .id)
                try container.encode(Int64(2), forKey: .id)
            }
        }
        struct Missing: Codable { var id: Int64 }
        struct BadLine: Codable { var id: Int64; var lines: [[String: Int]] }
        let cases: [(any Encodable, String)] = [
            (Extra(), "shop.Order: shop.Order has no field \"surplus\""),
            (Twice(), "shop.Order.id is encoded twice"),
            (Missing(id: 1), "shop.Order.lines is missing and has no default"),
            (BadLine(id: 1, lines: [["sku": 1, "count": 1]]), "shop.Order.lines[0].sku"),
        ]
        for (value, expected) in cases {
            let error = #expect(throws: AvroError.self) { try AvroEncoder().encode(value, as: schema) }
            #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        }
    }

    /// Decodes `bytes` straight (which must not fall back when `streams`) and through an
    /// AvroValue; both must agree.
    func sameValues<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8], _ schema: AvroSchema, streams: Bool,
                                                sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let viaValue = try AvroDecoder().decode(type, from: try AvroBinary.decode(bytes, writer: schema), schema: schema)
        let public_ = try AvroDecoder().decode(type, from: bytes, writer: schema)
        #expect(public_ == viaValue, sourceLocation: sourceLocation)
        let direct = bytes.withUnsafeBytes { try? StreamDecoder.decode(type, from: $0, schema: schema) }
        #expect((direct != nil) == streams, "\(T.self) read straight: \(direct != nil)", sourceLocation: sourceLocation)
        if let direct { #expect(direct == viaValue, sourceLocation: sourceLocation) }
        return viaValue
    }

    @Test("decoding straight from the bytes gives what decoding through AvroValue gives; a type that reads fields out of the schema's order takes the AvroValue path")
    func decodingAgrees() throws {
        let schema = try AvroSchema(parsing: Self.orderSchema)
        let orders = [
            Order(id: 1, note: "gift", customer: Customer(name: "Ada", vip: true), lines: [Line(sku: "A", count: 2), Line(sku: "B", count: -1)],
                  labels: ["b": "2", "a": "1"], status: .paid, total: 9.5),
            Order(id: -5, note: nil, customer: nil, lines: [], labels: [:], status: nil, total: 0),
        ]
        for order in orders {
            let bytes = try AvroEncoder().encode(order, as: schema)
            var expected = order
            expected.status = expected.status ?? .new  // the default was written
            if var customer = expected.customer {
                customer.vip = customer.vip ?? false
                expected.customer = customer
            }
            #expect(try sameValues(Order.self, bytes, schema, streams: true) == expected)
            // Fewer fields than the schema: the others are skipped.
            struct Summary: Codable, Equatable { var id: Int64; var lines: [Line]; var total: Double }
            #expect(try sameValues(Summary.self, bytes, schema, streams: true) == Summary(id: order.id, lines: order.lines, total: order.total))
            // Fields asked for out of order: read through AvroValue.
            _ = try sameValues(Shuffled.self, bytes, schema, streams: false)
        }
        // Arrays of arrays, arrays of optionals, a top-level union, specials inside records.
        let nested = try AvroSchema(parsing: #"{"type": "array", "items": {"type": "array", "items": ["null", "int"]}}"#)
        let rows: [[Int32?]] = [[1, nil, 3], [], [nil]]
        #expect(try sameValues([[Int32?]].self, AvroEncoder().encode(rows, as: nested), nested, streams: true) == rows)
        let product = try AvroSchema(parsing: AvroCodecTests.productSchema)
        let bytes = try AvroEncoder().encode(AvroCodecTests.product, as: product)
        #expect(try sameValues(AvroCodecTests.Product.self, bytes, product, streams: true) == AvroCodecTests.product)
        // Bad bytes fall back, and the AvroValue path names the problem.
        let truncated = Array(bytes.dropLast(3))
        #expect(truncated.withUnsafeBytes { try? StreamDecoder.decode(AvroCodecTests.Product.self, from: $0, schema: product) } == nil)
        let error = #expect(throws: AvroError.self) { try AvroDecoder().decode(AvroCodecTests.Product.self, from: truncated, writer: product) }
        #expect(error?.message.contains("shop.Product.thumbnail") == true, "\(String(describing: error))")
        #expect(throws: AvroError.self) { try AvroDecoder().decode(AvroCodecTests.Product.self, from: bytes + [0], writer: product) }
    }
}
