import RdKafka
import ServiceLifecycle
import Synchronization

/// A `KafkaProducer` as a ServiceLifecycle `Service`: it runs until graceful shutdown, then
/// shuts the producer down, delivering what is queued within ``shutdownTimeout`` and handing
/// back what it could not deliver.
///
/// ```swift
/// let producer = try KafkaProducerService(configuration: config)
/// let group = ServiceGroup(services: [producer, consumer], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // elsewhere: try await producer.producer.send(message)
/// ```
///
/// A fatal producer error (reported by librdkafka, such as an idempotence fault) ends ``run()``
/// with that error, after the same shutdown, so the `ServiceGroup` stops the other services.
/// Cancelling ``run()`` shuts the producer down too. Thread-safe.
public final class KafkaProducerService: Service, Sendable {
    /// The producer: send through it while the service runs.
    public let producer: KafkaProducer
    /// How long the shutdown may spend delivering queued messages.
    public let shutdownTimeout: Duration
    private let fatalErrors: AsyncStream<KafkaError>
    private let undeliveredMessages = Mutex<[KafkaProducerMessage]>([])

    /// Creates the producer. `options.errorHandler` still gets every client error.
    /// - Throws: `KafkaError` when the configuration is wrong (naming the property).
    public init(
        configuration: KafkaConfiguration, options: KafkaProducer.Options = .init(), shutdownTimeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        let (stream, continuation) = AsyncStream.makeStream(of: KafkaError.self, bufferingPolicy: .bufferingNewest(1))
        var options = options
        let appHandler = options.errorHandler
        options.errorHandler = { error in
            appHandler?(error)
            if error.isFatal { continuation.yield(error) }
        }
        fatalErrors = stream
        self.shutdownTimeout = shutdownTimeout
        producer = try KafkaProducer(configuration: configuration, options: options)
    }

    /// What the last shutdown could not deliver (empty when everything was delivered).
    public var undelivered: [KafkaProducerMessage] { undeliveredMessages.withLock { $0 } }

    public func run() async throws {
        let fatal: KafkaError? = await withTaskGroup(of: KafkaError?.self) { group in
            group.addTask { try? await gracefulShutdown(); return nil }
            group.addTask { [fatalErrors] in
                for await error in fatalErrors { return error }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let left = await producer.shutdown(timeout: shutdownTimeout)
        undeliveredMessages.withLock { $0 = left }
        if let fatal { throw fatal }
    }
}
