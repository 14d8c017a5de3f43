import Logging
import Synchronization

/// A swift-log handler that keeps every record, for tests to inspect.
struct CapturingLogHandler: LogHandler {
    /// One kept record.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
        var source: String
    }

    /// Where records go; shared by copies of the handler.
    final class Store: Sendable {
        private let records = Mutex<[Record]>([])
        func append(_ record: Record) { records.withLock { $0.append(record) } }
        var all: [Record] { records.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    /// A logger that records into a new store.
    static func logger(level: Logger.Level = .trace) -> (Logger, Store) {
        let store = Store()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(store: store) }
        logger.logLevel = level
        return (logger, store)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(Record(
            level: event.level, message: "\(event.message)",
            metadata: metadata.merging(event.metadata ?? [:]) { $1 }, source: event.source))
    }
}
