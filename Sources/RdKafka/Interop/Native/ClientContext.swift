import CRdKafka
import Synchronization

/// State librdkafka's C callbacks reach through the handle's opaque pointer. Lives until the
/// handle is destroyed.
final class ClientContext: @unchecked Sendable {
    let logHandler: KafkaLogHandler
    /// Secret values (from the configuration, tokens, rotated passwords), scrubbed from every
    /// log line.
    private let secrets: Locked<[String]>
    /// The configured SASL mechanism, for advice that fits it.
    let mechanism: SASLMechanism?
    /// Serves OAUTHBEARER token refreshes when the configuration has a token provider.
    let tokens: OAuthBearerRefresh?
    /// Set once after `rd_kafka_new`, while librdkafka's threads may already be logging.
    private let name = Locked("")
    var clientName: String {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }
    /// The consumer whose callbacks (rebalance, errors, statistics) this context routes.
    nonisolated(unsafe) weak var consumer: ConsumerCore?
    /// The producer whose callbacks (delivery reports, errors, statistics) this context routes:
    /// unretained, because the delivery callback runs once per message. Set at the end of
    /// `ProducerCore.init`, cleared in its deinit; callbacks run only inside the producer's
    /// own serving calls, which hold a strong reference.
    nonisolated(unsafe) var producer: Unmanaged<ProducerCore>?
    /// The share consumer whose callbacks (errors, acknowledgement commits) this context routes.
    nonisolated(unsafe) weak var shareConsumer: ShareConsumerCore?
    /// The admin client whose error callback this context routes.
    nonisolated(unsafe) weak var admin: AdminCore?

    /// The app's partitioner, if the producer has one.
    let partitioner: KafkaPartitioner?
    /// The latest out-of-range choice of the partitioner and the partition count, for the error.
    let invalidPartition = Locked<(Int32, Int32)?>(nil)

    init(logHandler: @escaping KafkaLogHandler, configuration: KafkaConfiguration, partitioner: KafkaPartitioner? = nil) {
        self.logHandler = logHandler
        self.partitioner = partitioner
        let secrets = Locked(configuration.properties.filter { $0.isSecret && $0.value.count >= 3 }.map(\.value))
        self.secrets = secrets
        self.mechanism = configuration.securityProtocol?.usesSASL == true ? (configuration.saslMechanism ?? .gssapi) : nil
        let handovers = Handovers()
        self.handovers = handovers
        self.tokens = configuration.oauthBearerTokenProvider.map { provider in
            OAuthBearerRefresh(provider: provider, remember: { Self.add($0, to: secrets) }, handovers: handovers)
        }
    }

    /// Adds a secret to scrub from now on (a rotated password).
    func remember(secret: String) { Self.add(secret, to: secrets) }

    private static func add(_ secret: String, to secrets: Locked<[String]>) {
        guard secret.count >= 3 else { return }
        secrets.withLock { if !$0.contains(secret) { $0.append(secret) } }
    }

    /// The credentials handed to librdkafka since creation.
    let handovers: Handovers

    /// The reason behind the latest refused broker certificate (set by the verification
    /// callback on a broker thread, read when the resulting SSL error is reported).
    let certificateProblem = Locked<CertificateProblem?>(nil)

    /// Completes an error from librdkafka's error callback: the fix, and for "certificate
    /// verify failed" the reason OpenSSL gave.
    func annotate(_ error: inout KafkaError) {
        if error.message.contains("certificate verify failed") || error.message.contains("Certificate verification failed"),
           let problem = certificateProblem.withLock({ $0 }) {
            error.message += " (\(problem.message))"
            error.fix = problem.fix
            // librdkafka reports a failed verification as _SSL, or as _TRANSPORT when the
            // connection was torn down first: either way it is a certificate problem.
            error.code = .ssl
        }
        if error.code == .authentication, mechanism == .oauthBearer, let tokens,
           !error.message.contains("Failed to acquire"), let diagnosis = tokens.diagnosis() {
            error.message += " (\(diagnosis))"
        }
        ClientErrorAdvice.annotate(&error, mechanism: mechanism)
        error.message = scrub(error.message)
    }

    func scrub(_ text: String) -> String {
        var text = text
        for secret in secrets.withLock({ $0 }) where text.contains(secret) {
            text = text.replacing(secret, with: KafkaConfiguration.redacted)
        }
        return text
    }

    func log(_ level: KafkaLogMessage.Level, _ facility: String, _ message: String) {
        var level = level
        // One file for producer and consumer is the norm for config-file clients: the other
        // side's properties being ignored is expected, not a warning.
        if facility == "CONFWARN", message.contains("property and will be ignored by this") { level = .info }
        logHandler(KafkaLogMessage(level: level, facility: facility, message: scrub(message), clientName: clientName))
    }
}
