import Hummingbird
import Logging
import RdKafka

/// The admin portal's HTTP API: `POST /product/updatePrice`.
public struct ProductAdminController: Sendable {
    let publisher: PricePublisher
    let credentials: AdminCredentials
    /// Largest body read; the update is a few dozen bytes.
    let maxBodySize = 64 * 1024

    public init(publisher: PricePublisher, credentials: AdminCredentials) {
        self.publisher = publisher
        self.credentials = credentials
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.group("product").post("updatePrice") { request, context in
            try await self.updatePrice(request, context: context)
        }
    }

    /// Checks the body, publishes the update and answers with where Kafka wrote it.
    func updatePrice(_ request: Request, context: some RequestContext) async throws -> PriceUpdateResponse {
        var request = request
        let body = try await request.collectBody(upTo: maxBodySize)
        let update: PriceUpdate
        do {
            update = try PriceUpdateRequest.parse(body.readableBytesView, credentials: credentials).update
        } catch {
            // The body is not logged: it holds the password.
            var metadata: Logger.Metadata = ["error": "\(error.code)"]
            metadata["detail"] = error.detail.map { "\($0)" }
            context.logger.notice("Price update refused", metadata: metadata)
            throw error
        }
        do {
            let report = try await publisher.publish(update)
            return PriceUpdateResponse(
                product: update.product, updatedPrice: update.updatedPrice, topic: report.topic,
                partition: report.partition, offset: report.offset)
        } catch let error as KafkaError {
            context.logger.error("Kafka producer failed to send data", metadata: ["error": "\(error)"])
            throw PriceUpdateError.publishFailed(error.code, error.message)
        }
    }
}
