import Foundation

/// The message published on `product-price`: `{"Product":"ABC","UpdatedPrice":100.0}`.
public struct PriceUpdate: Sendable, Hashable, Codable {
    public var product: String
    public var updatedPrice: Double

    public init(product: String, updatedPrice: Double) {
        self.product = product
        self.updatedPrice = updatedPrice
    }

    enum CodingKeys: String, CodingKey {
        case product = "Product"
        case updatedPrice = "UpdatedPrice"
    }

    /// The message bytes, written by hand so whole prices keep their decimal point (`100.0`;
    /// `JSONEncoder` would write `100`) and the keys keep the guide's order.
    public func jsonBytes() -> [UInt8] {
        // Encoding a lone String escapes it as JSON does; it cannot fail.
        let product = (try? JSONEncoder().encode(product)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        // Double.description is valid JSON for finite values ("100.0", "0.1", "1e+20").
        return Array("{\"Product\":\(product),\"UpdatedPrice\":\(updatedPrice.description)}".utf8)
    }
}
