import Hummingbird
import Testing

/// One kind of bad request and what the portal must answer.
enum BadRequest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case notJSON, missingField, nonNumericPrice, wrongCredentials

    var body: String {
        switch self {
        case .notJSON: return #"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":100.0"#
        case .missingField: return #"{"Username":"Admin","Password":"Admin","Price":100.0}"#
        case .nonNumericPrice: return #"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":"one hundred"}"#
        case .wrongCredentials: return #"{"Username":"Admin","Password":"guess-7f3a","Product":"ABC","Price":100.0}"#
        }
    }

    var status: HTTPResponse.Status {
        switch self {
        case .notJSON: return .unsupportedMediaType
        case .missingField: return .badRequest
        case .nonNumericPrice: return .unprocessableContent
        case .wrongCredentials: return .forbidden
        }
    }

    var code: String {
        switch self {
        case .notJSON: return "invalid-json"
        case .missingField: return "missing-fields"
        case .nonNumericPrice: return "invalid-price"
        case .wrongCredentials: return "forbidden"
        }
    }

    var message: String {
        switch self {
        case .notJSON: return "Invalid payload - Not a valid JSON payload"
        case .missingField: return "Bad Request: Invalid payload"
        case .nonNumericPrice: return "Invalid amount specified"
        case .wrongCredentials: return "Access Forbidden"
        }
    }

    var testDescription: String { rawValue }
}
