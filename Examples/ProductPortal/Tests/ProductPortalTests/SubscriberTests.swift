import Foundation
import HummingbirdTesting
import Logging
import ProductPortal
import RdKafka
import Testing

@Suite("Publish and subscribe")
struct SubscriberTests {
    @Test("a valid update reaches the inventory system and both franchisees, each in its own group")
    func updateReachesEverySubscriber() async throws {
        let topic = try await TestKafka.createTopic()
        let subscribers = TestKafka.uniqueSubscribers()
        let received = ReceivedUpdates()
        let (logger, logs) = CapturingLogHandler.logger(level: .info)
        let app = try PortalApplication.build(
            settings: try TestKafka.settings(topic: topic, subscribers: subscribers), logger: logger,
            onUpdate: { received.append($0) })

        try await app.test(.router) { client in
            let answer = try await PortalRequests.updateABC(client)
            #expect(answer.status == "Success")
            #expect(answer.topic == topic)

            let updates = try await received.wait { Set($0.map(\.subscriber)).count == subscribers.count }
            for subscriber in subscribers {
                let mine = updates.filter { $0.subscriber == subscriber }
                #expect(mine.count == 1, "\(subscriber.name) got \(mine.count) updates")
                #expect(mine.first?.update == PriceUpdate(product: "ABC", updatedPrice: 100.0))
                #expect(mine.first?.partition == answer.partition && mine.first?.offset == answer.offset,
                    "\(subscriber.name) should see the message the portal reported")
            }
        }
        // Each subscriber logs the guide's action after handling the update.
        for subscriber in subscribers {
            #expect(logs.all.contains { "\($0.message)" == subscriber.action && $0.metadata["subscriber"] == "\(subscriber.name)" })
        }
    }
}
