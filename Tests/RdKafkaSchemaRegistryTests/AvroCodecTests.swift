import Foundation
import RdKafkaSchemaRegistry
import Testing

@Suite("Avro schemas, Codable and schema evolution")
struct AvroCodecTests {
    struct Product: Codable, Equatable {
        enum Currency: String, Codable { case eur = "EUR", usd = "USD" }
        var id: UUID
        var name: String
        var price: Decimal
        var currency: Currency
        var tags: [String]
        var attributes: [String: Int]
        var discount: Double?
        var added: Date
        var released: Date
        var thumbnail: Data
    }

    static let productSchema = """
        {"type": "record", "name": "Product", "namespace": "shop", "fields": [
          {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
          {"name": "name", "type": "string"},
          {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
          {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD"]}},
          {"name": "tags", "type": {"type": "array", "items": "string"}},
          {"name": "attributes", "type": {"type": "map", "values": "int"}},
          {"name": "discount", "type": ["null", "double"], "default": null},
          {"name": "added", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "released", "type": {"type": "int", "logicalType": "date"}},
          {"name": "thumbnail", "type": "bytes"}
        ]}
        """

    static let product = Product(
        id: UUID(uuidString: "123E4567-E89B-12D3-A456-426614174000")!, name: "cup cake", price: Decimal(string: "1234.56")!,
        currency: .eur, tags: ["sweet", "baked"], attributes: ["calories": 350], discount: nil,
        added: Date(timeIntervalSince1970: 1_700_000_000.123), released: Date(timeIntervalSince1970: 19_000 * 86_400),
        thumbnail: Data([0, 1, 254, 255]))

    @Test("a Codable struct round-trips through a schema: UUID, Decimal, enum, array, map, optional, Date, Data")
    func codableRoundTrip() throws {
        let schema = try AvroSchema(parsing: Self.productSchema)
        let bytes = try AvroEncoder().encode(Self.product, as: schema)
        let back = try AvroDecoder().decode(Product.self, from: bytes, writer: schema)
        #expect(back == Self.product)
        var discounted = Self.product
        discounted.discount = 0.25
        #expect(try AvroDecoder().decode(Product.self, from: AvroEncoder().encode(discounted, as: schema), writer: schema) == discounted)
        // The decimal is the unscaled 123456 as big-endian two's complement: 0x01E240.
        let value = try AvroBinary.decode(bytes, writer: schema)
        guard case .record(let fields) = value else { Issue.record("not a record"); return }
        #expect(fields["price"] == .bytes([0x01, 0xE2, 0x40]))
        #expect(fields["released"] == .int(19_000))
        #expect(fields["added"] == .long(1_700_000_000_123))
    }

    @Test("negative decimals, and a value with more decimal places than the scale is refused")
    func decimals() throws {
        let schema = try AvroSchema(parsing: #"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#)
        for text in ["-1.00", "-128.00", "0", "99999999.99", "-0.01"] {
            let decimal = Decimal(string: text)!
            let bytes = try AvroEncoder().encode(decimal, as: schema)
            #expect(try AvroDecoder().decode(Decimal.self, from: bytes, writer: schema) == decimal, "\(text)")
        }
        #expect(try AvroEncoder().value(Decimal(string: "-1")!, as: schema) == .bytes([0x9C]))  // -100, minimal two's complement
        let error = #expect(throws: AvroError.self) { try AvroEncoder().encode(Decimal(string: "1.234")!, as: schema) }
        #expect(error?.message.contains("more than 2 decimal places") == true, "\(String(describing: error))")
    }

    @Test("schema evolution: a newer reader reads old records (added field with default, removed field, int promoted to long, renamed by alias)")
    func evolution() throws {
        let v1 = try AvroSchema(parsing: """
            {"type": "record", "name": "Price", "fields": [
              {"name": "product", "type": "string"}, {"name": "cents", "type": "int"},
              {"name": "legacy", "type": {"type": "array", "items": "string"}}, {"name": "old_name", "type": "string"}]}
            """)
        let v2 = try AvroSchema(parsing: """
            {"type": "record", "name": "Price", "fields": [
              {"name": "product", "type": "string"}, {"name": "cents", "type": "long"},
              {"name": "currency", "type": "string", "default": "EUR"},
              {"name": "new_name", "type": "string", "aliases": ["old_name"]},
              {"name": "note", "type": ["null", "string"], "default": null}]}
            """)
        let old = AvroValue.record(["product": .string("ABC"), "cents": .int(10_000), "legacy": .array([.string("x")]), "old_name": .string("n")])
        let bytes = try AvroBinary.encode(old, as: v1)
        let read = try AvroBinary.decode(bytes, writer: v1, reader: v2)
        #expect(read == .record(["product": .string("ABC"), "cents": .long(10_000), "currency": .string("EUR"), "new_name": .string("n"), "note": .null]))
        // An older reader reads newer records: the added fields are skipped.
        let newer = AvroValue.record(["product": .string("B"), "cents": .long(5), "currency": .string("USD"), "new_name": .string("m"), "note": .string("hi")])
        let v1Reader = try AvroSchema(parsing: #"{"type": "record", "name": "Price", "fields": [{"name": "product", "type": "string"}, {"name": "note", "type": ["null", "string"]}]}"#)
        #expect(try AvroBinary.decode(AvroBinary.encode(newer, as: v2), writer: v2, reader: v1Reader) == .record(["product": .string("B"), "note": .string("hi")]))
        // A reader field without a default that the writer lacks cannot be read.
        let strict = try AvroSchema(parsing: #"{"type": "record", "name": "Price", "fields": [{"name": "region", "type": "string"}]}"#)
        let error = #expect(throws: AvroError.self) { try AvroBinary.decode(bytes, writer: v1, reader: strict) }
        #expect(error?.kind == .incompatible && error?.message.contains("Price.region") == true, "\(String(describing: error))")
    }

    @Test("bad payloads are errors naming where, never a crash: truncated, extra bytes, bad union branch, forged lengths")
    func badPayloads() throws {
        let schema = try AvroSchema(parsing: Self.productSchema)
        let bytes = try AvroEncoder().encode(Self.product, as: schema)
        for cut in [0, 1, 5, bytes.count / 2, bytes.count - 1] {
            let error = #expect(throws: AvroError.self) { try AvroBinary.decode(Array(bytes.prefix(cut)), writer: schema) }
            #expect(error?.kind == .invalidPayload && error?.message.contains("at byte") == true, "cut \(cut): \(String(describing: error))")
        }
        let extra = #expect(throws: AvroError.self) { try AvroBinary.decode(bytes + [0], writer: schema) }
        #expect(extra?.message.contains("left after the value") == true)
        let union = try AvroSchema(parsing: #"["null", "string"]"#)
        let branch = #expect(throws: AvroError.self) { try AvroBinary.decode([0x08], writer: union) }
        #expect(branch?.message.contains("union branch 4 of 2") == true, "\(String(describing: branch))")
        let array = try AvroSchema(parsing: #"{"type": "array", "items": "long"}"#)
        // A block count of 2^62 items in four bytes: refused before allocating.
        let forged = #expect(throws: AvroError.self) { try AvroBinary.decode([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], writer: array) }
        #expect(forged?.message.contains("more than the") == true, "\(String(describing: forged))")
        let nulls = try AvroSchema(parsing: #"{"type": "array", "items": "null"}"#)
        #expect(throws: AvroError.self) { try AvroBinary.decode([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], writer: nulls) }
        let string = try AvroSchema(parsing: #""string""#)
        #expect(throws: AvroError.self) { try AvroBinary.decode([0x04, 0xFF, 0xFE], writer: string) }  // not UTF-8
        // Random bytes: errors or values, never a crash.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let noise = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? AvroBinary.decode(noise, writer: schema)
        }
    }

    @Test("values that do not match the schema name the field")
    func mismatches() throws {
        let schema = try AvroSchema(parsing: Self.productSchema)
        let error = #expect(throws: AvroError.self) {
            try AvroBinary.encode(.record(["id": .string("x"), "name": .int(3)]), as: schema)
        }
        #expect(error?.message.contains("shop.Product.name") == true, "\(String(describing: error))")
        struct Wrong: Codable { var id = "x"; var name = "y"; var surplus = 1 }
        let codable = #expect(throws: AvroError.self) { try AvroEncoder().encode(Wrong(), as: schema) }
        #expect(codable != nil)
    }

    @Test("invalid schemas are refused naming the place: unknown type, bad default, duplicate union branch, bad name")
    func invalidSchemas() {
        let cases: [(String, String)] = [
            (#"{"type": "record", "name": "A", "fields": [{"name": "b", "type": "Missing"}]}"#, "A.b: unknown type \"Missing\""),
            (#"{"type": "record", "name": "A", "fields": [{"name": "b", "type": "int", "default": "x"}]}"#, "A.b: the default \"x\" does not match int"),
            (#"["string", "string"]"#, "the union has string twice"),
            (#"{"type": "record", "name": "1A", "fields": []}"#, "not a valid Avro name"),
            (#"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#, "symbols must be distinct"),
            (#"{"type": "record", "name": "A""#, "JSON ends"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: AvroError.self) { try AvroSchema(parsing: text) }
            #expect(error?.message.contains(expected) == true, "\(text): \(String(describing: error))")
        }
    }

    @Test("a recursive record (a linked list) encodes and decodes")
    func recursive() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "Node", "fields": [{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]}"#)
        let list = AvroValue.record(["value": .int(1), "next": .record(["value": .int(2), "next": .null])])
        #expect(try AvroBinary.decode(AvroBinary.encode(list, as: schema), writer: schema) == list)
        // The recursive reference holds its record weakly (no cycle, no leak): a part used after
        // the defining schema is gone is an error, not a crash.
        var part: AvroSchema?
        do {
            let defining = try AvroSchema(parsing: #"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#)
            if case .record(let record) = defining, case .union(let branches) = record.fields[0].type { part = branches[1] }
        }
        let dangling = #expect(throws: AvroError.self) { try AvroBinary.encode(.record(["next": .null]), as: part!) }
        #expect(dangling?.message.contains("outlived") == true, "\(String(describing: dangling))")
        // Nesting deeper than the limit is refused, not a stack overflow.
        let deep = [UInt8](repeating: 0x02, count: 2_000)  // value 1, then the Node branch, again and again
        #expect(throws: AvroError.self) { try AvroBinary.decode(deep, writer: schema) }
    }
}
