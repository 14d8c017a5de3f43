import Foundation
import Hummingbird
import HummingbirdTesting
import ProductPortal

/// Sends update requests to a portal under test.
enum PortalRequests {
    static let validBody = #"{"Username":"Admin","Password":"Admin","Product":"ABC","Price":100.0}"#

    static func updatePrice(_ client: some TestClientProtocol, body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/product/updatePrice", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body))
    }

    /// Sends the guide's valid request and returns the decoded success answer.
    static func updateABC(_ client: some TestClientProtocol) async throws -> PriceUpdateResponse {
        let response = try await updatePrice(client, body: validBody)
        guard response.status == .ok else { throw TestFailure("update refused: \(response.status) \(String(buffer: response.body))") }
        return try JSONDecoder().decode(PriceUpdateResponse.self, from: Data(buffer: response.body))
    }
}
