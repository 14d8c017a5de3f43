import Foundation

/// A checked `POST /product/updatePrice` body:
/// `{"Username":"Admin","Password":"Admin","Product":"ABC","Price":100.0}`.
///
/// Checks run in the guide's order (JSON, fields, price, credentials), and the first failure
/// is the answer. `Price` may be a JSON number or a numeric string, as the guide converts it
/// from text.
public struct PriceUpdateRequest: Sendable, Equatable {
    public var username: String
    public var product: String
    public var price: Double

    /// Parses and checks `body`.
    /// - Throws: ``PriceUpdateError`` `invalidJSON`, `missingFields`, `invalidPrice` or `forbidden`.
    public static func parse(_ body: some Collection<UInt8>, credentials: AdminCredentials) throws(PriceUpdateError) -> PriceUpdateRequest {
        let fields: [String: Field]
        do {
            fields = try JSONDecoder().decode([String: Field].self, from: Data(body))
        } catch DecodingError.dataCorrupted {
            throw .invalidJSON
        } catch {
            // Valid JSON, but not an object: every field is missing.
            throw .missingFields(["Username", "Password", "Product", "Price"])
        }
        let username = fields["Username"]?.string
        let password = fields["Password"]?.string
        let product = fields["Product"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let price = fields["Price"] ?? .null
        var missing: [String] = []
        if username == nil { missing.append("Username") }
        if password == nil { missing.append("Password") }
        if product == nil { missing.append("Product") }
        if case .null = price { missing.append("Price") }
        guard missing.isEmpty, let username, let password, let product else { throw .missingFields(missing) }

        let amount: Double?
        switch price {
        case .number(let value): amount = value
        case .string(let text): amount = Double(text.trimmingCharacters(in: .whitespaces))
        case .null, .other: amount = nil
        }
        guard let amount, amount.isFinite, amount >= 0 else { throw .invalidPrice(price.summary) }

        guard credentials.accepts(username: username, password: password) else { throw .forbidden }
        return PriceUpdateRequest(username: username, product: product, price: amount)
    }

    public init(username: String, product: String, price: Double) {
        self.username = username
        self.product = product
        self.price = price
    }

    /// The message to publish.
    public var update: PriceUpdate { PriceUpdate(product: product, updatedPrice: price) }

    /// One JSON value, as much of it as the checks need.
    enum Field: Decodable, Sendable {
        case string(String), number(Double), null, other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let text = try? container.decode(String.self) {
                self = .string(text)
            } else if let value = try? container.decode(Double.self) {
                // JSONDecoder refuses `true` as a Double, so booleans land in `.other`.
                self = .number(value)
            } else {
                self = .other
            }
        }

        var string: String? { if case .string(let text) = self { text } else { nil } }

        /// A short, safe description of the value for error details.
        var summary: String {
            switch self {
            case .string(let text): return "\"\(text.prefix(40))\""
            case .number(let value): return value.description
            case .null: return "null"
            case .other: return "a non-numeric value"
            }
        }
    }
}
