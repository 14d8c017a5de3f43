#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Produces messages to Kafka through librdkafka.
///
/// Three ways to learn each message's fate:
/// - ``send(_:)``: `await` the broker's acknowledgement and get a ``DeliveryReport``.
/// - `send(_:onDelivery:)`: a callback, without a task per message.
/// - `produce(_:)`: fire and forget; reports go to ``Options/deliveryHandler`` and to
///   ``deliveryReports`` (when ``Options/deliveryReportBufferSize`` is set); without either,
///   failures are kept for ``takeUndelivered()``.
///
/// Delivery reports are served by the SDK's own delivery thread in batches, as soon as
/// librdkafka has them: there is nothing to poll. When librdkafka's queue
/// (`queue.buffering.max.messages`) is full, sends wait for room, woken by deliveries, for up to
/// ``Options/queueFullTimeout``.
///
/// `KafkaProducer` is `Sendable`: share one between tasks and threads (one per process is
/// usual). Call ``shutdown(timeout:)`` before dropping it; it flushes and hands back what could
/// not be delivered. Dropping it without shutdown flushes for up to
/// ``Options/deinitFlushTimeout``, then logs and discards what is left (the count is logged at
/// error level): on an SDK thread when dropped inside a task (the drop returns at once), on the
/// releasing thread otherwise.
public final class KafkaProducer: Sendable {
    /// SDK behaviour that is not a librdkafka property.
    ///
    /// The handlers may capture the producer: ``shutdown(timeout:)`` releases them, which
    /// breaks that reference cycle.
    public struct Options: Sendable {
        /// Buffer for ``deliveryReports`` (reports of `produce(_:)`); `nil` (the default)
        /// leaves the stream off.
        public var deliveryReportBufferSize: Int?
        /// Receives the report of every `produce(_:)` message, on the SDK's delivery thread,
        /// inside a blocking `produce(_:)` or `send(_:onDelivery:)` call that serves ready
        /// reports, or on the thread of a
        /// ``flush(timeout:)``, ``shutdown(timeout:)``, ``commitTransaction(timeout:)`` or
        /// ``abortTransaction(timeout:)`` (librdkafka serves reports while they wait),
        /// like librdkafka's `dr_msg_cb`: keep it short. No allocation per message. Never called
        /// by two threads at once (whoever serves reports holds the producer's serving lock).
        public var deliveryHandler: (@Sendable (DeliveryReport) -> Void)?
        /// How long a send waits for room in a full queue before failing with `_QUEUE_FULL`.
        public var queueFullTimeout: Duration
        /// How long `deinit` flushes when the producer is dropped without ``shutdown(timeout:)``.
        public var deinitFlushTimeout: Duration
        /// Receives librdkafka's log lines (default: warnings and errors to standard error).
        public var logHandler: KafkaLogHandler
        /// Receives client-level errors (all brokers down, authentication failure, fatal errors),
        /// wherever reports are served (see ``deliveryHandler``).
        public var errorHandler: (@Sendable (KafkaError) -> Void)?
        /// Receives librdkafka's statistics JSON every `statistics.interval.ms`.
        public var statisticsHandler: (@Sendable (String) -> Void)?
        /// On an authentication or SSL error, fail queued messages at once instead of letting
        /// them wait for `message.timeout.ms`, and messages sent while the failure lasts within
        /// 100 ms (twice `linger.ms` when longer), to whichever broker. It lasts until a message
        /// is delivered, new SASL credentials or an OAUTHBEARER token are handed over, or
        /// librdkafka has not reported it again for 30 s plus `reconnect.backoff.max.ms`. (A
        /// fatal error fails queued messages whatever this says.)
        public var failFastOnSecurityErrors: Bool
        /// Whether reports of `produce(_:)` messages carry
        /// ``DeliveryReport/latencyMicroseconds``. Off by default: the clock read costs about a
        /// tenth of a fire-and-forget message's time in the SDK. Sends always carry it.
        public var measuresLatency: Bool
        /// Chooses the partition of messages sent without one; `nil` (the default) leaves it to
        /// librdkafka's `partitioner` property. Messages without a key are asked about too,
        /// unless `sticky.partitioning.linger.ms` is set above 0 (then librdkafka spreads them).
        public var partitioner: KafkaPartitioner?

        public init(
            deliveryReportBufferSize: Int? = nil, queueFullTimeout: Duration = .seconds(30),
            deinitFlushTimeout: Duration = .seconds(10), logHandler: @escaping KafkaLogHandler = KafkaLog.standardError,
            errorHandler: (@Sendable (KafkaError) -> Void)? = nil, statisticsHandler: (@Sendable (String) -> Void)? = nil,
            failFastOnSecurityErrors: Bool = true, deliveryHandler: (@Sendable (DeliveryReport) -> Void)? = nil,
            measuresLatency: Bool = false, partitioner: KafkaPartitioner? = nil
        ) {
            self.partitioner = partitioner
            self.measuresLatency = measuresLatency
            self.deliveryHandler = deliveryHandler
            self.deliveryReportBufferSize = deliveryReportBufferSize
            self.queueFullTimeout = queueFullTimeout
            self.deinitFlushTimeout = deinitFlushTimeout
            self.logHandler = logHandler
            self.errorHandler = errorHandler
            self.statisticsHandler = statisticsHandler
            self.failFastOnSecurityErrors = failFastOnSecurityErrors
        }
    }

    let core: ProducerCore
    // Not the whole Options: its handlers live in the core, which drops them at shutdown.
    private let queueFullTimeout: Duration
    private let deinitFlushTimeout: Duration
    /// Why awaited and callback sends are refused, when `delivery.report.only.error` is on: they
    /// end on a delivered message's report, which librdkafka then never gives.
    private let reportsRefusal: KafkaError?

    /// Creates a producer after checking the configuration.
    ///
    /// - Throws: `KafkaError` naming the property and the fix when the configuration is wrong.
    public init(configuration: KafkaConfiguration, options: Options = Options()) throws(KafkaError) {
        queueFullTimeout = options.queueFullTimeout
        deinitFlushTimeout = options.deinitFlushTimeout
        var configuration = configuration
        reportsRefusal = Self.reportsRefusal(configuration)
        if options.partitioner != nil, configuration["sticky.partitioning.linger.ms"] == nil {
            // Otherwise librdkafka spreads messages without a key itself, never asking the closure.
            configuration.set("sticky.partitioning.linger.ms", "0", origin: .sdk(reason: "the custom partitioner chooses for messages without a key too"))
        }
        core = try ProducerCore(
            configuration: configuration, logHandler: options.logHandler, reportCapacity: options.deliveryReportBufferSize,
            deliveryHandler: options.deliveryHandler, errorHandler: options.errorHandler, statisticsHandler: options.statisticsHandler,
            failFastOnSecurityErrors: options.failFastOnSecurityErrors, measuresLatency: options.measuresLatency,
            partitioner: options.partitioner)
    }

    deinit {
        guard !core.isStopped else { return }
        let core = self.core
        let flushMs = deinitFlushTimeout.clampedMilliseconds
        let finish: @Sendable () -> Void = {
            core.close()
            core.reports?.stopWaitingForReaders()
            if core.outstandingCount() > 0 {
                _ = core.flush(timeoutMs: flushMs)
                let undelivered = core.purge(queued: true, inFlight: true)
                if !undelivered.isEmpty {
                    core.handle.context.log(.error, "SDK",
                        "producer dropped without shutdown(): \(undelivered.count) messages were not delivered and are discarded")
                }
            }
            core.stopDeliveryThread()
        }
        // Inside a task this may be a cooperative thread, which must not wait for the network:
        // an SDK thread finishes the work (and destroys the client). Elsewhere (a plain thread,
        // a synchronous main) waiting here keeps a process that exits next from losing messages.
        if withUnsafeCurrentTask(body: { $0 != nil }) || core.isServingOnCurrentThread {
            NativeThread.detach("producer shutdown", finish)
        } else {
            finish()
        }
    }

    /// librdkafka's name for this client (`rd_kafka_name`).
    public var name: String { core.handle.name }

    /// Messages queued or in flight, plus client events not yet served (`rd_kafka_outq_len`):
    /// zero once everything is delivered and reported.
    public var outstandingMessageCount: Int { core.outstandingCount() }

    /// Messages whose delivery failed since the producer was created.
    public var failedDeliveryCount: Int { core.failedDeliveries.load(ordering: .relaxed) }

    /// Reports of `produce(_:)` messages, or `nil` when
    /// ``Options/deliveryReportBufferSize`` was not set.
    public var deliveryReports: DeliveryReports? { core.reports.map(DeliveryReports.init) }

    // MARK: Sending

    /// Sends `message` and waits for the broker's acknowledgement.
    ///
    /// Waits for room first when librdkafka's queue is full (up to ``Options/queueFullTimeout``).
    ///
    /// Cancelling the task resumes it at once with `CancellationError`. A message still waiting
    /// for room is not sent; one already handed to librdkafka may still be delivered, and its
    /// report then goes where `produce(_:)` reports go (``Options/deliveryHandler``,
    /// ``deliveryReports``, or, when it failed and neither is set, ``takeUndelivered()``).
    /// - Returns: Where the message was written.
    /// - Throws: `KafkaError` when the message was not delivered (timeout, unknown topic, too
    ///   large, authorization...), or `_QUEUE_FULL` when no room came in time, or at once when
    ///   the configuration sets `delivery.report.only.error` (no report would come);
    ///   `CancellationError` when the task was cancelled.
    public func send(_ message: KafkaProducerMessage) async throws -> DeliveryReport {
        if let reportsRefusal { throw reportsRefusal }
        let seen = core.room.current
        if case .report(let report) = try await deliver(message) { return report }
        return try await sendAfterRefusal(message, seen: seen)
    }

    /// One attempt of an awaited send: its report, or `.retry` when the queue was full.
    @inline(__always)
    func deliver(_ message: KafkaProducerMessage) async throws -> PendingDelivery.Outcome {
        let core = self.core
        // No checkCancellation first: a cancelled task's handler runs before the operation,
        // and `install` then refuses.
        let pending = PendingDelivery()
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: PendingDelivery.Continuation) in
                guard pending.install(continuation) else { return }
                let opaque = Unmanaged.passRetained(pending)
                switch core.enqueue(message, opaque: opaque.toOpaque()) {
                case .enqueued:
                    break
                case .queueFull:
                    opaque.release()
                    pending.finish(.success(.retry))
                case .failed(let code):
                    opaque.release()
                    pending.finish(.failure(core.enqueueError(code, for: message)))
                }
            }
        } onCancel: {
            pending.cancel()
        }
    }

    /// Sends `message`; `onDelivery` receives its report (check ``DeliveryReport/error``).
    ///
    /// `onDelivery` runs where reports are served, never two at once: on the SDK's delivery
    /// thread; inside a blocking `produce(_:)` or `send(_:onDelivery:)` call, which serves
    /// ready reports now and then and while the queue is full (as a C loop calling
    /// `rd_kafka_poll` does); or on the thread of a ``flush(timeout:)``, ``shutdown(timeout:)``,
    /// ``commitTransaction(timeout:)`` or ``abortTransaction(timeout:)``. Keep it short, do not
    /// block in it, and do not call this while holding a lock that a callback or handler takes.
    /// Blocks the calling thread while librdkafka's queue is full (up to
    /// ``Options/queueFullTimeout``), so it is not for async code: there, the async overload
    /// waits without blocking and serves nothing.
    /// - Throws: `KafkaError` when the message cannot be enqueued, or when the configuration sets
    ///   `delivery.report.only.error` (then `onDelivery` is not called).
    @available(*, noasync, message: "blocks while the queue is full; use the async send(_:onDelivery:)")
    public func send(_ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (DeliveryReport) -> Void) throws(KafkaError) {
        if let reportsRefusal { throw reportsRefusal }
        let opaque = DeliveryOpaque.encode(callback: onDelivery)
        let seen = core.room.current
        let result = core.enqueue(message, opaque: opaque)
        guard case .enqueued = result else {
            do throws(KafkaError) {
                try enqueueAfterRefusal(message, opaque: opaque, seen: seen, result: result)
            } catch {
                DeliveryOpaque.discardCallback(opaque)
                throw error
            }
            return
        }
        // As produce(_:) does (the same counter): serve ready reports on this thread now and then.
        if core.shouldServeInline(core.makeID()) { core.serveInline(timeoutMs: 0) }
    }

    /// Sends `message`; `onDelivery` receives its report, as the synchronous overload does, but
    /// waits for room in a full queue without blocking a thread.
    ///
    /// - Throws: `KafkaError` when the message cannot be enqueued or the configuration sets
    ///   `delivery.report.only.error`, `CancellationError` when the task is cancelled while
    ///   waiting for room (then `onDelivery` is not called).
    public func send(_ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (DeliveryReport) -> Void) async throws {
        if let reportsRefusal { throw reportsRefusal }
        let opaque = DeliveryOpaque.encode(callback: onDelivery)
        let seen = core.room.current
        let result = core.enqueue(message, opaque: opaque)
        guard case .enqueued = result else {
            do {
                try await enqueueAfterRefusal(message, opaque: opaque, seen: seen, result: result)
            } catch {
                DeliveryOpaque.discardCallback(opaque)
                throw error
            }
            return
        }
    }

    /// Enqueues `message` without waiting for its delivery.
    ///
    /// Blocks the calling thread while librdkafka's queue is full (up to
    /// ``Options/queueFullTimeout``), so it is not for async code: there, the async overload
    /// waits without blocking. Now and then, and while the queue is full, the call serves ready
    /// delivery reports on the calling thread (as `rd_kafka_poll` does in C), so handlers may run
    /// there too.
    /// - Returns: An id that the message's ``DeliveryReport/messageID`` will carry: unique within
    ///   this producer, never 0, rising in the order of the calls.
    @available(*, noasync, message: "blocks while the queue is full; use the async produce(_:)")
    @discardableResult
    public func produce(_ message: KafkaProducerMessage) throws(KafkaError) -> UInt64 {
        let (id, opaque) = identity()
        let seen = core.room.current
        let result = core.enqueue(message, opaque: opaque)
        guard case .enqueued = result else {
            try enqueueAfterRefusal(message, opaque: opaque, seen: seen, result: result)
            return id
        }
        // Like a C producer's rd_kafka_poll: serve ready reports on this thread now and then,
        // which keeps a tight produce loop as cheap as C's.
        if core.shouldServeInline(id) { core.serveInline(timeoutMs: 0) }
        return id
    }

    /// Enqueues `message` without waiting for its delivery, as the synchronous overload does,
    /// but waits for room in a full queue without blocking a thread.
    /// - Throws: `KafkaError` as the synchronous overload; `CancellationError` when the task is
    ///   cancelled while waiting for room (the message is then not sent).
    @discardableResult
    public func produce(_ message: KafkaProducerMessage) async throws -> UInt64 {
        let (id, opaque) = identity()
        let seen = core.room.current
        let result = core.enqueue(message, opaque: opaque)
        if case .enqueued = result { return id }
        try await enqueueAfterRefusal(message, opaque: opaque, seen: seen, result: result)
        return id
    }

    /// The async `produce(_:)`, by its earlier name.
    @available(*, deprecated, renamed: "produce(_:)")
    @discardableResult
    public func produceWaitingForRoom(_ message: KafkaProducerMessage) async throws -> UInt64 {
        try await produce(message)
    }

    /// What an enqueue's `result` means: `true` when enqueued, `false` when the queue is full and
    /// the wait for room may go on (the deadline starts at the first refusal), else the error.
    func settle(
        _ result: ProducerCore.EnqueueResult, _ message: KafkaProducerMessage, deadline: inout ContinuousClock.Instant?
    ) throws(KafkaError) -> Bool {
        switch result {
        case .enqueued:
            return true
        case .failed(let code):
            throw core.enqueueError(code, for: message)
        case .queueFull:
            let limit = deadline ?? ContinuousClock.Instant.after(queueFullTimeout)
            deadline = limit
            if ContinuousClock.now >= limit { throw queueFullError() }
            return false
        }
    }

    @inline(__always)
    private func identity() -> (UInt64, UnsafeMutableRawPointer?) {
        let id = core.makeID()
        guard core.wantsReports else { return (id, nil) }
        return (id, DeliveryOpaque.encode(id: id))
    }

    private func queueFullError() -> KafkaError {
        KafkaError(code: .queueFull, message: "librdkafka's producer queue stayed full for \(queueFullTimeout)",
            isRetriable: true,
            fix: "the brokers are slower than the app or unreachable: raise queue.buffering.max.messages or Options.queueFullTimeout, or slow down")
    }

    // MARK: Flush, purge, shutdown

    /// Waits until every queued message has its delivery report (`rd_kafka_flush`).
    /// - Throws: `_TIMED_OUT` if messages are still outstanding after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        try ensureOpen()
        let core = self.core
        let ms = timeout.clampedMilliseconds
        if let error = await Blocking.run({ core.flush(timeoutMs: ms) }) { throw error }
    }

    /// Makes this (idempotent) producer suffer a fatal error, for tests of error handling
    /// (`rd_kafka_test_fatal_error`). Package access: the SDK's own tests use it.
    package func injectFatalError(_ code: KafkaError.Code = .init(rawValue: 47) /* INVALID_PRODUCER_EPOCH */, reason: String) throws(KafkaError) {
        try core.injectFatalError(code, reason: reason)
    }

    /// Removes messages not yet sent (`queued`) and, optionally, those sent but not yet
    /// acknowledged (`inFlight`: the broker may still write them) (`rd_kafka_purge`).
    ///
    /// Their senders get a `_PURGE_QUEUE` / `_PURGE_INFLIGHT` error.
    /// - Returns: Copies of the removed messages.
    public func purge(queued: Bool = true, inFlight: Bool = false) async -> [KafkaProducerMessage] {
        let core = self.core
        return await Blocking.run { core.purge(queued: queued, inFlight: inFlight) }
    }

    /// Stops accepting messages, delivers what is queued within `timeout`, then purges the rest
    /// and returns it so the app can keep it. The producer cannot be used afterwards.
    ///
    /// Messages returned were in the queue or in flight when the deadline passed: in-flight ones
    /// may also have been written by the broker.
    public func shutdown(timeout: Duration = .seconds(30)) async -> [KafkaProducerMessage] {
        let core = self.core
        let ms = timeout.clampedMilliseconds
        return await Blocking.run {
            guard !core.isStopped else { return [] }
            core.close()
            core.reports?.stopWaitingForReaders()
            var left: [KafkaProducerMessage] = []
            if core.flush(timeoutMs: ms) != nil {
                left = core.purge(queued: true, inFlight: true)
            }
            core.stopDeliveryThread()
            return left + core.takeUndelivered()
        }
    }

    /// Fire-and-forget messages that failed (when ``deliveryReports`` is off), handed over once.
    public func takeUndelivered() -> [KafkaProducerMessage] { core.takeUndelivered() }
}
