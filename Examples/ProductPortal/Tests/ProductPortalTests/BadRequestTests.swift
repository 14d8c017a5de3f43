import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ProductPortal
import RdKafka
import Testing

@Suite("Bad requests")
struct BadRequestTests {
    @Test("each bad request gets its own status and message, and nothing is published", arguments: BadRequest.allCases)
    func refusedAndNotPublished(_ bad: BadRequest) async throws {
        let topic = try await TestKafka.createTopic()
        let (logger, logs) = CapturingLogHandler.logger(level: .info)
        let app = try PortalApplication.build(settings: try TestKafka.settings(topic: topic), logger: logger)

        try await app.test(.router) { client in
            let before = try await TestKafka.messageCount(topic: topic)
            let response = try await PortalRequests.updatePrice(client, body: bad.body)
            #expect(response.status == bad.status)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let json = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
            #expect(json["Error"] == bad.code)
            #expect(json["Message"] == bad.message)
            #expect(try await TestKafka.messageCount(topic: topic) == before, "a refused update must not reach Kafka")

            // The same check sees a valid update, so an unchanged count above means something.
            _ = try await PortalRequests.updateABC(client)
            #expect(try await TestKafka.messageCount(topic: topic) == before + 1)
        }
        let passwords = logs.all.filter { "\($0.message) \($0.metadata)".contains("guess-7f3a") }
        #expect(passwords.isEmpty, "the password of a refused request was logged: \(passwords)")
    }

    @Test("no two refusals share a status or a message")
    func refusalsAreDistinct() {
        #expect(Set(BadRequest.allCases.map(\.status.code)).count == BadRequest.allCases.count)
        #expect(Set(BadRequest.allCases.map(\.message)).count == BadRequest.allCases.count)
    }
}
