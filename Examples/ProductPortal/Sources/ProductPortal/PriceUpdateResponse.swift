import Foundation
import Hummingbird

/// The answer to an accepted update: where Kafka wrote it.
public struct PriceUpdateResponse: Codable, Sendable, Equatable, ResponseGenerator {
    public var status: String
    public var product: String
    public var updatedPrice: Double
    public var topic: String
    public var partition: Int32
    /// `nil` (left out of the JSON) when the broker gave none, as with `acks=0`.
    public var offset: Int64?

    public init(product: String, updatedPrice: Double, topic: String, partition: Int32, offset: Int64?) {
        self.status = "Success"
        self.product = product
        self.updatedPrice = updatedPrice
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    enum CodingKeys: String, CodingKey {
        case status = "Status", product = "Product", updatedPrice = "UpdatedPrice"
        case topic = "Topic", partition = "Partition", offset = "Offset"
    }

    /// JSON with sorted keys, so the answer reads the same every time.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(self))))
    }
}
