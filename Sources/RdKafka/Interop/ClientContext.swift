import CRdKafka

/// State librdkafka's C callbacks reach through the handle's opaque pointer. Lives until the
/// handle is destroyed.
final class ClientContext: @unchecked Sendable {
    let logHandler: KafkaLogHandler
    /// Secret values from the configuration, scrubbed from every log line.
    private let secrets: [String]
    /// Set once after `rd_kafka_new`; read by callbacks only after that.
    nonisolated(unsafe) var clientName = ""
    /// The consumer whose callbacks (rebalance, errors, statistics) this context routes.
    nonisolated(unsafe) weak var consumer: ConsumerCore?

    init(logHandler: @escaping KafkaLogHandler, configuration: KafkaConfiguration) {
        self.logHandler = logHandler
        self.secrets = configuration.properties.filter { $0.isSecret && $0.value.count >= 3 }.map(\.value)
    }

    func scrub(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: KafkaConfiguration.redacted)
        }
        return text
    }

    func log(_ level: KafkaLogMessage.Level, _ facility: String, _ message: String) {
        logHandler(KafkaLogMessage(level: level, facility: facility, message: scrub(message), clientName: clientName))
    }
}
