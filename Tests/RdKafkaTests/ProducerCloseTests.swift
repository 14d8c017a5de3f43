@testable import RdKafka
import Dispatch
import Foundation
import Synchronization
import Testing

/// `ProducerCore.close()` waits for calls under way inside an enqueue (`inside`), so that
/// shutdown's flush sees every message it accepted.
@Suite("Producer close waits for enqueues under way; user durations saturate")
struct ProducerCloseTests {
    func core() throws -> ProducerCore {
        try ProducerCore(
            configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logHandler: KafkaLog.none, reportCapacity: nil,
            deliveryHandler: nil, errorHandler: nil, statisticsHandler: nil, failFastOnSecurityErrors: true, measuresLatency: false)
    }

    @Test("close waits for a call inside the producer, also when it entered another producer inside it (nested enqueue)")
    func closeWaitsForNestedCall() throws {
        let outer = try core()
        let inner = try core()
        let entered = DispatchSemaphore(value: 0)
        let finished = Atomic<Bool>(false)
        let threadDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            outer.inside { _ in
                // A handler of the outer producer that produces to another one.
                inner.inside { _ in
                    entered.signal()
                    usleep(200_000)
                }
                usleep(100_000)
                finished.store(true, ordering: .relaxed)
            }
            threadDone.signal()
        }
        entered.wait()
        outer.close()
        let wasFinished = finished.load(ordering: .relaxed)
        #expect(wasFinished, "close returned while a call was still inside the outer producer")
        threadDone.wait()
        inner.close()
        outer.stopDeliveryThread()
        inner.stopDeliveryThread()
    }

    @Test("a call entering after close sees it closed")
    func lateCallSeesClosed() throws {
        let producer = try core()
        producer.close()
        #expect(producer.inside { $0 })
        producer.stopDeliveryThread()
    }

    @Test("durations convert to librdkafka milliseconds without overflow; negative means no wait")
    func durationConversion() {
        #expect(Duration.seconds(Int64.max).clampedMilliseconds == Int32.max)
        #expect(Duration.seconds(Int64.min).clampedMilliseconds == 0)
        #expect(Duration.milliseconds(-1).clampedMilliseconds == 0)
        #expect(Duration.milliseconds(1500).clampedMilliseconds == 1500)
        #expect(Duration.seconds(Int64.max).clampedWait == Duration.longestWait)
        #expect(Duration.seconds(-1).clampedWait == .zero)
        _ = ContinuousClock.Instant.after(.seconds(Int64.max))
        #expect(Int32.max.addingClamped(5_000) == Int32.max)
    }
}
