import CRdKafka
import Synchronization

/// A share consumer's engine: one thread of its own makes every call into the share handle
/// (librdkafka refuses concurrent callers), taking jobs (fetch, subscribe, commit, close) in
/// order. The app's acknowledgements are recorded here and sent to librdkafka by that thread
/// before the next fetch, a commit or the close.
final class ShareConsumerCore: @unchecked Sendable {
    typealias FetchResult = ConsumerCore.FetchResult
    typealias Acknowledgement = KafkaShareConsumer.Acknowledgement

    let handle: ShareHandle
    let mode: ShareAcknowledgementMode
    /// Released at close: it may capture the consumer.
    private let events: Locked<(@Sendable (KafkaShareConsumer.Event) -> Void)?>

    private let condition = Condition()
    /// Under `condition`.
    private var jobs: [(ShareConsumerCore) -> Void] = []
    /// Under `condition`: no more jobs are taken.
    private var threadEnded = false

    /// Set when the close starts: the loop takes no more records and a waiting fetch ends.
    private let stopping = Atomic<Bool>(false)
    var isClosed: Bool { stopping.load(ordering: .relaxed) }
    private let closing = Locked<(result: KafkaError??, waiters: [@Sendable (KafkaError?) -> Void])>((nil, []))
    /// A fatal or security error from librdkafka's error callback, for the loop to throw.
    private let pendingError = Locked<KafkaError?>(nil)

    /// The batch in the app's hands: the app's choice per record, and which have gone to librdkafka.
    private struct InHand {
        let batch: MessageBatch
        var choices: [Acknowledgement?]
        var sent: [Bool]
    }
    private let inHand = Locked<InHand?>(nil)

    /// How long one `rd_kafka_share_poll` waits: the bound on how late a fetch sees its task
    /// cancelled or the consumer closing (librdkafka has no wakeup for share consumers).
    static let pollSliceMs: Int32 = 100

    init(configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler,
         eventHandler: (@Sendable (KafkaShareConsumer.Event) -> Void)?) throws(KafkaError) {
        try Librdkafka.require(.shareConsumer)
        let mode = try configuration.shareConsumerMode()
        // The SDK sends every acknowledgement itself, so that implicit mode accepts only what the
        // loop took and a close releases the rest.
        var native = configuration
        native["share.acknowledgement.mode"] = ShareAcknowledgementMode.explicit.rawValue
        handle = try ShareHandle(configuration: native, logHandler: logHandler) { conf in
            rd_kafka_conf_set_error_cb(conf) { rk, code, reason, opaque in
                guard let opaque else { return }
                let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                var fatal: KafkaError?
                let code = rd_kafka_resp_err_t(rawValue: code)
                if code == RD_KAFKA_RESP_ERR__FATAL, let rk {
                    var errstr = [CChar](repeating: 0, count: 512)
                    let original = rd_kafka_fatal_error(rk, &errstr, errstr.count)
                    fatal = Interop.error(original, Interop.string(errstr))
                    fatal?.isFatal = true
                }
                context.shareConsumer?.clientError(fatal ?? Interop.error(code, reason.map { String(cString: $0) } ?? ""))
            }
        }
        self.mode = mode
        self.events = Locked(eventHandler)
        handle.context.shareConsumer = self
        if let pointer = handle.pointer, let setCallback = NewerAPI.shareSetCommitCallback,
           let error = setCallback(pointer, Self.commitCallback, handle.contextOpaque) {
            throw Interop.consume(error)
        }
        try NativeThread.start("share consumer") { [self] in self.run() }
    }

    // MARK: The thread

    /// Set by the close on the thread. The handle itself is destroyed once the last record is
    /// gone (batches hold it): `rd_kafka_share_destroy` waits for every message it handed out.
    private var closedHandle = false
    /// The share handle while it is open; only the thread reads it.
    private var pointer: OpaquePointer? { closedHandle ? nil : handle.pointer }

    private func run() {
        swift_rdkafka_name_thread("rdk:sdk-share")
        while pointer != nil {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job(self)
        }
        condition.lock()
        threadEnded = true
        let left = jobs
        jobs = []
        condition.unlock()
        for job in left { job(self) }  // each finds the handle gone
    }

    /// Runs `body` on the thread with the share handle. `whenClosed` is the answer once the
    /// consumer is closed; `whenCancelled`, if given, answers a cancelled task at once (the
    /// job still runs, and its answer is dropped).
    private func perform<T: Sendable>(
        whenClosed: T, whenCancelled: T? = nil, _ body: @escaping (OpaquePointer) -> T
    ) async -> T {
        let first = FirstOf<T>()
        let job: (ShareConsumerCore) -> Void = { core in
            guard let pointer = core.pointer else { return first.resolve(whenClosed) }
            first.resolve(body(pointer))
        }
        condition.lock()
        if threadEnded {
            condition.unlock()
            return whenClosed
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { first.install($0) }
        } onCancel: {
            if let whenCancelled { first.resolve(whenCancelled) }
        }
    }

    private func report(_ event: KafkaShareConsumer.Event) {
        events.withLock { $0 }?(event)
    }

    // MARK: Subscription

    func subscribe(_ topics: [String]) async throws(KafkaError) {
        let error: KafkaError? = await perform(whenClosed: KafkaError.closed("The share consumer"), whenCancelled: Self.cancelled("subscribe")) { rkshare in
            let list = NativePartitionList(topics.map { (TopicPartition($0, -1), Int64(-1001)) })
            let code = NewerAPI.shareSubscribe?(rkshare, list.pointer) ?? RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(code, "could not subscribe to \(topics): \(Interop.errorText(Int32(code.rawValue)))")
        }
        if let error { throw error }
    }

    func unsubscribe() async throws(KafkaError) {
        let error: KafkaError? = await perform(whenClosed: KafkaError.closed("The share consumer"), whenCancelled: Self.cancelled("unsubscribe")) { rkshare in
            let code = NewerAPI.shareUnsubscribe?(rkshare) ?? RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(code, "could not unsubscribe: \(Interop.errorText(Int32(code.rawValue)))")
        }
        if let error { throw error }
    }

    private static func cancelled(_ what: String) -> KafkaError {
        KafkaError(code: .timedOut, message: "the task was cancelled before \(what) finished; it goes on on the consumer's thread")
    }

    // MARK: Fetching

    /// The next batch. Waits in slices, so a cancelled task or a close ends the wait soon; a
    /// batch is never dropped on the way (its records are in hand and must be acknowledged).
    func fetch() async -> FetchResult {
        let cancelled = Atomic<Bool>(false)
        return await withTaskCancellationHandler {
            await perform(whenClosed: FetchResult.closed) { [self] rkshare in serveFetch(rkshare, cancelled) }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    private func serveFetch(_ rkshare: OpaquePointer, _ cancelled: borrowing Atomic<Bool>) -> FetchResult {
        if let error = settle(rkshare, .next) { return .failed(error) }
        guard let poll = NewerAPI.sharePoll else { return .closed }
        while true {
            if let error = pendingError.withLock({ e -> KafkaError? in defer { e = nil }; return e }) { return .failed(error) }
            if stopping.load(ordering: .relaxed) { return .closed }
            if cancelled.load(ordering: .relaxed) || hasWaitingJobs { return .empty }  // the loop asks again after them
            var messages: OpaquePointer? = nil
            if let failure = poll(rkshare, Self.pollSliceMs, &messages) {
                var error = Interop.consume(failure)
                error.message = handle.context.scrub(error.message)
                handle.context.annotate(&error)
                if error.isFatal || ClientErrorAdvice.isSecurityFailure(error) || Self.endsTheLoop.contains(error.code) {
                    if error.code == .state { error.fix = "subscribe(topics:) before iterating messages" }
                    return .failed(error)
                }
                report(.error(error))
                condition.lock()
                condition.wait(milliseconds: Int(Self.pollSliceMs))  // no tight loop on a repeating error
                condition.unlock()
                continue
            }
            guard let messages else { continue }
            if let batch = MessageBatch.take(owner: handle, share: messages, onError: recordError) {
                inHand.withLock {
                    $0 = InHand(batch: batch, choices: Array(repeating: nil, count: batch.count), sent: Array(repeating: false, count: batch.count))
                }
                return .batch(batch)
            }
        }
    }

    /// Whether a job (a commit, a subscription change) waits behind the fetch in hand.
    private var hasWaitingJobs: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !jobs.isEmpty
    }

    /// Errors of `rd_kafka_share_poll` that the loop cannot get past by polling again.
    private static let endsTheLoop: Set<KafkaError.Code> = [.state, .topicAuthorizationFailed, .groupAuthorizationFailed]

    /// A record librdkafka could not hand over (and has already acknowledged): an event.
    private func recordError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? Interop.errorText(Int32(m.err.rawValue))
        report(.error(Interop.error(m.err, "\(topic)[\(m.partition)]@\(m.offset): \(text)")))
    }

    func clientError(_ error: KafkaError) {
        var error = error
        error.message = handle.context.scrub(error.message)
        handle.context.annotate(&error)
        report(.error(error))
        if error.isFatal || ClientErrorAdvice.isSecurityFailure(error) { pendingError.withLock { $0 = error } }
    }

    // MARK: Acknowledgements

    func acknowledge(_ message: KafkaMessage, _ acknowledgement: Acknowledgement) throws(KafkaError) {
        guard mode == .explicit else {
            throw KafkaError.invalidArgument("this share consumer acknowledges implicitly: it accepts each record the loop has taken",
                fix: "set share.acknowledgement.mode=explicit (configuration.shareAcknowledgementMode = .explicit) to acknowledge records yourself")
        }
        if isClosed { throw KafkaError.closed("The share consumer") }
        let problem: String? = inHand.withLock { state in
            guard var current = state, current.batch === message.batch else {
                return "\(message) is not a record of this consumer's batch in hand (a batch ends when the loop fetches the next one)"
            }
            if let earlier = current.choices[message.index] { return "\(message) was already acknowledged (\(earlier))" }
            current.choices[message.index] = acknowledgement
            state = current
            return nil
        }
        if let problem { throw KafkaError(code: .state, message: problem, fix: "acknowledge each record of the current batch once") }
    }

    private enum Moment { case next, commit, close }

    /// Sends the app's choices for the batch in hand to librdkafka: before the next fetch (the
    /// batch must be settled), at a commit (what is decided so far), at the close (the rest is
    /// released). In implicit mode the choice is the loop's: accept what it took.
    private func settle(_ rkshare: OpaquePointer, _ moment: Moment) -> KafkaError? {
        var unsettled: [String] = []
        let work: (MessageBatch, [(Int, Acknowledgement)])? = inHand.withLock { state in
            guard var current = state else { return nil }
            let batch = current.batch
            let taken = batch.taken.load(ordering: .acquiring)
            if mode == .explicit, moment == .next {
                let missing = (0..<batch.count).filter { current.choices[$0] == nil }
                if !missing.isEmpty {
                    unsettled = missing.map { "\(KafkaMessage(batch: batch, index: $0))" }
                    return nil
                }
            }
            var decided: [(Int, Acknowledgement)] = []
            for i in 0..<batch.count where !current.sent[i] {
                let choice: Acknowledgement?
                switch (mode, moment) {
                case (.implicit, .commit): choice = i < taken ? .accept : nil
                case (.implicit, _): choice = i < taken ? .accept : .release
                case (.explicit, .close): choice = current.choices[i] ?? .release
                case (.explicit, _): choice = current.choices[i]
                }
                guard let choice else { continue }
                decided.append((i, choice))
                current.sent[i] = true
            }
            state = current.sent.allSatisfy { $0 } ? nil : current
            return (batch, decided)
        }
        if !unsettled.isEmpty {
            let shown = unsettled.prefix(5).joined(separator: ", ") + (unsettled.count > 5 ? " and \(unsettled.count - 5) more" : "")
            return KafkaError(code: .state,
                message: "\(unsettled.count) record(s) of the previous batch were not acknowledged: \(shown)",
                fix: "call acknowledge(message, .accept | .release | .reject) for every record before the loop asks for the next")
        }
        guard let (batch, decided) = work, let acknowledge = NewerAPI.shareAcknowledge else { return nil }
        for (index, choice) in decided {
            let code = acknowledge(rkshare, batch.message(index), choice.rawValue)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                report(.error(Interop.error(code, "\(KafkaMessage(batch: batch, index: index)) could not be acknowledged (\(choice)): \(Interop.errorText(Int32(code.rawValue)))")))
            }
        }
        return nil
    }

    func commit(timeout: Duration) async throws(KafkaError) {
        let error: KafkaError? = await perform(whenClosed: KafkaError.closed("The share consumer"), whenCancelled: Self.cancelled("the commit")) { [self] rkshare in
            _ = settle(rkshare, .commit)
            guard let commit = NewerAPI.shareCommitSync else { return nil }
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
            if let error = commit(rkshare, timeout.clampedMilliseconds, &list) { return Interop.consume(error) }
            guard let list else { return nil }
            let failed = NativePartitionList(taking: list).elements.compactMap { element in element.error.map { (element.0, $0) } }
            guard let first = failed.first else { return nil }
            return KafkaError(code: first.1.code,
                message: "acknowledgements failed for " + failed.map { "\($0.0): \($0.1.message)" }.joined(separator: "; "),
                isRetriable: first.1.isRetriable,
                fix: "their records come back once the broker's acquisition lock runs out; make processing idempotent")
        }
        if let error { throw error }
    }

    func commitAsync() async throws(KafkaError) {
        let error: KafkaError? = await perform(whenClosed: KafkaError.closed("The share consumer"), whenCancelled: Self.cancelled("commitAsync")) { [self] rkshare in
            _ = settle(rkshare, .commit)
            return NewerAPI.shareCommitAsync?(rkshare).map(Interop.consume)
        }
        if let error { throw error }
    }

    /// librdkafka's acknowledgement-commit callback: one call per partition answered.
    private static let commitCallback: NewerAPI.ShareCommitCallback = { _, list, err, opaque in
        guard let opaque, let list else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        context.shareConsumer?.committed(list, err)
    }

    private func committed(_ list: OpaquePointer, _ err: rd_kafka_resp_err_t) {
        guard let count = NewerAPI.shareOffsetsCount?(list), let get = NewerAPI.shareOffsetsGet else { return }
        for i in 0..<count {
            guard let entry = get(list, i), let partition = NewerAPI.shareOffsetsPartition?(entry)?.pointee else { continue }
            let offsetCount = NewerAPI.shareOffsetsOffsetCount?(entry) ?? 0
            let offsets = NewerAPI.shareOffsetsOffsets?(entry).map { Array(UnsafeBufferPointer(start: $0, count: offsetCount)) } ?? []
            let code = partition.err != RD_KAFKA_RESP_ERR_NO_ERROR ? partition.err : err
            let topic = partition.topic.map { String(cString: $0) } ?? ""
            report(.acknowledgementCommitted(KafkaShareConsumer.AcknowledgementCommit(
                topicPartition: TopicPartition(topic, partition.partition), offsets: offsets,
                error: code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Interop.error(code))))
        }
    }

    // MARK: Close

    /// Closes on the consumer's thread (once, however often it is asked) and hands the outcome
    /// to `done`: sends what is acknowledged, releases the rest of the batch in hand, leaves the
    /// group (`rd_kafka_share_consumer_close`) and destroys the handle.
    func closeInBackground(_ done: @escaping @Sendable (KafkaError?) -> Void) {
        let (start, finished): (Bool, KafkaError??) = closing.withLock { state in
            if let result = state.result { return (false, .some(result)) }
            state.waiters.append(done)
            return (state.waiters.count == 1, nil)
        }
        if let finished { return done(finished) }
        guard start else { return }
        stopping.store(true, ordering: .relaxed)
        let job: (ShareConsumerCore) -> Void = { core in
            var result: KafkaError?
            if let rkshare = core.pointer {
                _ = core.settle(rkshare, .close)
                result = NewerAPI.shareClose?(rkshare).map(Interop.consume)
                core.closedHandle = true
            }
            core.events.withLock { $0 = nil }
            let waiters = core.closing.withLock { state in
                state.result = .some(result)
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter(result) }
        }
        condition.lock()
        let ended = threadEnded
        if !ended {
            jobs.append(job)
            condition.signal()
        }
        condition.unlock()
        if ended { job(self) }
    }
}
