/// One log line from librdkafka or the SDK.
public struct KafkaLogMessage: Sendable, CustomStringConvertible {
    /// Syslog severity, as librdkafka uses it.
    public enum Level: Int, Sendable, Comparable {
        case emergency = 0, alert, critical, error, warning, notice, info, debug

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue > rhs.rawValue }
    }

    public var level: Level
    /// librdkafka's facility, such as `FAIL`, `SASL`, `CONFWARN`, or `SDK` for the SDK's own.
    public var facility: String
    /// The text, with any configured secret replaced by `[redacted]`.
    public var message: String
    /// The client's name (`rd_kafka_name`, such as `rdkafka#producer-1`).
    public var clientName: String

    public var description: String { "\(level) \(clientName) [\(facility)] \(message)" }
}

/// Receives log lines. Called from librdkafka's internal threads, so it must be thread-safe
/// and quick; it must not call back into the client.
public typealias KafkaLogHandler = @Sendable (KafkaLogMessage) -> Void

/// Log handlers that come with the SDK.
public enum KafkaLog {
    /// Writes warnings and more severe lines to standard error: the default. Debug lines,
    /// which librdkafka emits only when the `debug` property names contexts, are written too:
    /// whoever sets `debug` wants to see them.
    public static let standardError: KafkaLogHandler = { message in
        guard message.level >= .warning || message.level == .debug else { return }
        Syscalls.writeStandardError("rdkafka: \(message)\n")
    }

    /// Writes lines at `minimumLevel` or more severe to standard error.
    public static func standardError(minimumLevel: KafkaLogMessage.Level) -> KafkaLogHandler {
        { message in
            guard message.level >= minimumLevel else { return }
            Syscalls.writeStandardError("rdkafka: \(message)\n")
        }
    }

    /// Drops every line.
    public static let none: KafkaLogHandler = { _ in }
}
