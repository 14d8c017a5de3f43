import Foundation
import ProductPortal
import Testing

/// The request checks on their own, without Kafka or HTTP.
@Suite("Price update request checks")
struct PriceUpdateRequestTests {
    let credentials = AdminCredentials()

    func parse(_ body: String) throws(PriceUpdateError) -> PriceUpdateRequest {
        try PriceUpdateRequest.parse(Array(body.utf8), credentials: credentials)
    }

    @Test("the guide's request is accepted as ABC at 100.0")
    func guideRequest() throws {
        let request = try parse(#"{"Username":"Admin", "Password":"Admin", "Product":"ABC", "Price":100.00}"#)
        #expect(request.update == PriceUpdate(product: "ABC", updatedPrice: 100.0))
    }

    @Test("a numeric string price is accepted, as the guide converts the price from text")
    func numericStringPrice() throws {
        #expect(try parse(#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":"99.5"}"#).price == 99.5)
    }

    @Test("each bad body gets its own error", arguments: [
        (#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":100.0"#, PriceUpdateError.invalidJSON),
        ("not json at all", .invalidJSON),
        (#"["Admin","Admin"]"#, .missingFields(["Username", "Password", "Product", "Price"])),
        (#"{"Username":"Admin","Password":"Admin","Price":100.0}"#, .missingFields(["Product"])),
        (#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":null}"#, .missingFields(["Price"])),
        (#"{"Username":7,"Password":"Admin","Product":"ABC","Price":1}"#, .missingFields(["Username"])),
        (#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":"cheap"}"#, .invalidPrice("\"cheap\"")),
        (#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":true}"#, .invalidPrice("a non-numeric value")),
        (#"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":-1}"#, .invalidPrice("-1.0")),
        (#"{"Username":"Admin","Password":"wrong","Product":"ABC","Price":100.0}"#, .forbidden),
        (#"{"Username":"admin","Password":"Admin","Product":"ABC","Price":100.0}"#, .forbidden),
    ])
    func badBodies(body: String, expected: PriceUpdateError) {
        #expect(throws: expected) { try parse(body) }
    }

    @Test("the published message keeps the guide's keys and a decimal point")
    func messageBytes() throws {
        let bytes = PriceUpdate(product: "ABC", updatedPrice: 100.0).jsonBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"Product":"ABC","UpdatedPrice":100.0}"#)
        let quoted = PriceUpdate(product: #"A "quoted" \ name"#, updatedPrice: 0.1).jsonBytes()
        #expect(try JSONDecoder().decode(PriceUpdate.self, from: Data(quoted)) == PriceUpdate(product: #"A "quoted" \ name"#, updatedPrice: 0.1))
    }

    @Test("the credentials' description never shows the password")
    func credentialsDescription() {
        let credentials = AdminCredentials(username: "Admin", password: "s3cret-pw")
        #expect(!"\(credentials)".contains("s3cret-pw"))
        #expect(credentials.accepts(username: "Admin", password: "s3cret-pw"))
        #expect(!credentials.accepts(username: "Admin", password: "s3cret-p"))
    }
}
