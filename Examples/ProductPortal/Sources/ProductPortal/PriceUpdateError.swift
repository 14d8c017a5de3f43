import Foundation
import Hummingbird
import RdKafka

/// Why a price update was refused: each has its own HTTP status, a machine-readable `Error`
/// code, and the guide's `Message`.
///
/// | case             | status | Message                                   |
/// |------------------|--------|-------------------------------------------|
/// | `invalidJSON`    | 415    | Invalid payload - Not a valid JSON payload |
/// | `missingFields`  | 400    | Bad Request: Invalid payload              |
/// | `invalidPrice`   | 422    | Invalid amount specified                  |
/// | `forbidden`      | 403    | Access Forbidden                          |
/// | `publishFailed`  | 500    | Kafka producer failed to send data        |
public enum PriceUpdateError: Error, Sendable, Equatable, HTTPResponseError {
    /// The body does not parse as JSON: its format is not the one the endpoint takes.
    case invalidJSON
    /// Fields that are absent, null or not strings (`Price` aside).
    case missingFields([String])
    /// `Price` is not a number (or a numeric string), or is negative or not finite.
    case invalidPrice(String)
    /// The user name or password is wrong.
    case forbidden
    /// Kafka did not take the update.
    case publishFailed(KafkaError.Code, String)

    public var status: HTTPResponse.Status {
        switch self {
        case .invalidJSON: return .unsupportedMediaType
        case .missingFields: return .badRequest
        case .invalidPrice: return .unprocessableContent
        case .forbidden: return .forbidden
        case .publishFailed: return .internalServerError
        }
    }

    /// Stable code for clients to switch on.
    public var code: String {
        switch self {
        case .invalidJSON: return "invalid-json"
        case .missingFields: return "missing-fields"
        case .invalidPrice: return "invalid-price"
        case .forbidden: return "forbidden"
        case .publishFailed: return "publish-failed"
        }
    }

    /// The guide's response text.
    public var message: String {
        switch self {
        case .invalidJSON: return "Invalid payload - Not a valid JSON payload"
        case .missingFields: return "Bad Request: Invalid payload"
        case .invalidPrice: return "Invalid amount specified"
        case .forbidden: return "Access Forbidden"
        case .publishFailed: return "Kafka producer failed to send data"
        }
    }

    /// What exactly was wrong; never includes the password.
    public var detail: String? {
        switch self {
        case .invalidJSON: return "send a JSON object with Username, Password, Product and Price"
        case .missingFields(let names): return "missing or not a string: \(names.joined(separator: ", "))"
        case .invalidPrice(let given): return "Price must be a non-negative number, got \(given)"
        case .forbidden: return nil
        case .publishFailed(let code, let text): return "\(code.name): \(text)"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = ["Error": code, "Message": message]
        body["Detail"] = detail
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
