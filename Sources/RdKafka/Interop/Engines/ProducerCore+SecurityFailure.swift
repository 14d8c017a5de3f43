import CRdKafka
import Dispatch

/// Fail-fast on security errors (``KafkaProducer/Options/failFastOnSecurityErrors``): while an
/// authentication or SSL failure is current, queued messages are given back with its error
/// instead of waiting for message.timeout.ms.
///
/// librdkafka reports an identical broker failure at most once in 30 s, so messages sent
/// between two reports are purged by the delivery thread too. The failure is over when a
/// message is delivered, new credentials are handed over, or it goes unreported for 30 s plus
/// `reconnect.backoff.max.ms`.
struct SecurityFailure: Sendable {
    /// ``ClientContext/handovers`` at the last report; `nil` before the first.
    var credentials: UInt64?
    /// When it was last reported (uptime nanoseconds); 0 when no failure is current.
    var reportedAt: UInt64 = 0
    /// Whether it purges. A failure first reported after new credentials were handed over for
    /// an earlier one may come from an attempt that began with the old ones: its second
    /// report confirms it.
    var confirmed = false
    var purgedAt: UInt64 = 0

    struct Times: Sendable {
        /// How long a failure stays current unreported.
        let window: UInt64
        /// How often it purges: messages sent meanwhile leave the queue after linger.ms, so
        /// once the brokers take them again, one is delivered and ends the failure.
        let purgeInterval: UInt64

        init(_ configuration: KafkaConfiguration) {
            func milliseconds(_ names: String...) -> UInt64? {
                names.lazy.compactMap { configuration.entry($0).flatMap { UInt64($0.value) } }.first
            }
            let backoff = milliseconds("reconnect.backoff.max.ms") ?? 10_000
            let linger = milliseconds("linger.ms", "queue.buffering.max.ms") ?? 5
            window = (30_000 + backoff) * 1_000_000
            purgeInterval = max(100, 2 * linger) * 1_000_000
        }
    }
}

extension ProducerCore {
    /// A fail-fast error came (inside ``serving(_:)``): purges queued messages unless it may be
    /// a late report about credentials already replaced.
    func securityFailureReported(fatal: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        let purge = handle.context.handovers.withCount { count in
            securityFailure.withLock { failure in
                failure.confirmed = fatal || failure.credentials.map { $0 == count } ?? true
                failure.credentials = count
                failure.reportedAt = now
                if failure.confirmed { failure.purgedAt = now }
                failing.store(true, ordering: .relaxed)
                return failure.confirmed
            }
        }
        // Messages would otherwise wait for message.timeout.ms: give them back now.
        if purge { _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE)) }
    }

    /// On the delivery thread while a failure is current: purges what was queued since the
    /// last purge, every `purgeInterval`, or ends the failure.
    func purgeWhileFailing() {
        let now = DispatchTime.now().uptimeNanoseconds
        handle.context.handovers.withCount { count in
            let purge = securityFailure.withLock { failure in
                guard failure.reportedAt != 0 else { return false }
                if count != failure.credentials || now &- failure.reportedAt >= failureTimes.window {
                    failure.reportedAt = 0
                    failing.store(false, ordering: .relaxed)
                    return false
                }
                guard failure.confirmed, now &- failure.purgedAt >= failureTimes.purgeInterval else { return false }
                failure.purgedAt = now
                return true
            }
            // Under `handovers`: credentials handed over after the check above wait for this,
            // so it cannot take a message sent with them.
            if purge {
                _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_NON_BLOCKING))
            }
        }
    }

    /// A message was delivered: the brokers take messages again.
    @inline(never)
    func securityFailureOver() {
        securityFailure.withLock { failure in
            failure.reportedAt = 0
            failing.store(false, ordering: .relaxed)
        }
    }
}
