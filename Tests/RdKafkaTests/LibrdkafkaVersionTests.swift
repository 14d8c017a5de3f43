import RdKafka
import Testing

@Suite("librdkafka versions and features")
struct LibrdkafkaVersionTests {
    @Test("versions read from rd_kafka_version's 0xMMmmrrxx and compare by release")
    func versions() {
        #expect(Librdkafka.Version(number: 0x0200_02ff) == Librdkafka.Version(2, 0, 2))
        #expect(Librdkafka.Version(number: 0x0210_00ff).description == "2.16.0")
        #expect(Librdkafka.Version(2, 3, 0) < Librdkafka.Version(2, 12, 0))
        #expect(Librdkafka.loadedVersion.description == Librdkafka.version)
    }

    @Test("a feature is supported exactly when the loaded release is new enough")
    func supportFollowsTheVersion() {
        for feature in Librdkafka.Feature.allCases {
            #expect(Librdkafka.supports(feature) == (Librdkafka.loadedVersion >= feature.minimumVersion), "\(feature)")
        }
    }

    @Test("a property of a newer librdkafka names the release that added it, where it was set, and the fix",
          .disabled(if: Librdkafka.loadedVersion >= Librdkafka.Version(2, 2, 0), "librdkafka \(Librdkafka.version) knows it"))
    func newerPropertyNamesTheRelease() throws {
        let config = try KafkaConfiguration(parsing: "bootstrap.servers=127.0.0.1:1\nfetch.queue.backoff.ms=5\n", name: "client.properties")
        let error = #expect(throws: KafkaError.self) { try config.validate() }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("fetch.queue.backoff.ms") && text.contains("2.2.0") && text.contains(Librdkafka.version), "\(text)")
        #expect(text.contains("client.properties:2"), "\(text)")
    }
}
