import Logging
import RdKafka

/// Routes librdkafka's log lines (and the SDK's own) into a swift-log `Logger`.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: config,
///     options: .init(logHandler: KafkaLogBridge.handler(logger)))
/// ```
///
/// The facility (`FAIL`, `BROKER`, `SDK`...) and the client name go in metadata
/// (`kafka.facility`, `kafka.client`). Lines arrive with secrets already replaced by the SDK,
/// and the logger's level filters them as usual.
public enum KafkaLogBridge {
    /// A `KafkaLogHandler` that writes to `logger`.
    public static func handler(_ logger: Logger) -> KafkaLogHandler {
        { line in
            var metadata: Logger.Metadata = ["kafka.facility": "\(line.facility)"]
            // Lines logged while librdkafka creates the client have no client name yet.
            if !line.clientName.isEmpty { metadata["kafka.client"] = "\(line.clientName)" }
            logger.log(level: level(line.level), "\(line.message)", metadata: metadata, source: "librdkafka")
        }
    }

    /// librdkafka's syslog severity as a swift-log level (swift-log has no alert or emergency).
    public static func level(_ level: KafkaLogMessage.Level) -> Logger.Level {
        switch level {
        case .emergency, .alert, .critical: return .critical
        case .error: return .error
        case .warning: return .warning
        case .notice: return .notice
        case .info: return .info
        case .debug: return .debug
        }
    }
}
