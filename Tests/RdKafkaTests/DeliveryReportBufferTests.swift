import Foundation
@testable import RdKafka
import Testing

/// The report stream's buffer on its own: batches in, reports out, each once and in order.
@Suite("Delivery report buffer", .timeLimit(.minutes(1)))
struct DeliveryReportBufferTests {
    private static func batch(_ ids: ClosedRange<UInt64>) -> [DeliveryReport] {
        ids.map { DeliveryReport(topic: "t", partition: 0, offset: Int64($0), timestamp: nil, latencyMicroseconds: nil, messageID: $0, error: nil) }
    }

    /// Waits until `count` readers wait in `buffer` for a report.
    private static func waitForParkedReaders(_ count: Int, in buffer: DeliveryReportBuffer) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while buffer.state.waiting < count {
            try #require(ContinuousClock.now < deadline, "\(count) readers never waited")
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("a batch that wakes waiting readers goes in whole; what they did not take comes next, in order")
    func wokenBatchKeepsTheRest() async throws {
        let buffer = DeliveryReportBuffer(capacity: 100)
        let reports = DeliveryReports(buffer: buffer)
        let first = Task { () -> UInt64? in
            var iterator = reports.makeAsyncIterator()
            return await iterator.next()?.messageID
        }
        try await Self.waitForParkedReaders(1, in: buffer)
        var incoming = Self.batch(1...5)
        buffer.append(&incoming)
        #expect(incoming.isEmpty)
        #expect(await first.value == 1)
        var iterator = reports.makeAsyncIterator()
        var rest: [UInt64] = []
        for _ in 0..<4 { rest.append(await iterator.next()?.messageID ?? 0) }
        #expect(rest == [2, 3, 4, 5])
        incoming = Self.batch(6...8)
        buffer.append(&incoming)
        for _ in 0..<3 { rest.append(await iterator.next()?.messageID ?? 0) }
        #expect(rest == [2, 3, 4, 5, 6, 7, 8])
        buffer.finish()
    }

    @Test("a batch taken whole by waiting readers leaves nothing behind for the next reader")
    func batchTakenWholeByWaiters() async throws {
        let buffer = DeliveryReportBuffer(capacity: 100)
        let reports = DeliveryReports(buffer: buffer)
        let readers = (0..<2).map { _ in
            Task { () -> UInt64? in
                var iterator = reports.makeAsyncIterator()
                return await iterator.next()?.messageID
            }
        }
        try await Self.waitForParkedReaders(2, in: buffer)
        var incoming = Self.batch(1...2)
        buffer.append(&incoming)
        var woken: [UInt64] = []
        for reader in readers { woken.append(await reader.value ?? 0) }
        #expect(woken.sorted() == [1, 2])
        incoming = Self.batch(3...5)
        buffer.append(&incoming)
        var iterator = reports.makeAsyncIterator()
        var next: [UInt64] = []
        for _ in 0..<3 { next.append(await iterator.next()?.messageID ?? 0) }
        #expect(next == [3, 4, 5])
        buffer.finish()
    }

    @Test("batches larger than the capacity go in as they fit, the delivery thread waiting for the reader")
    func smallCapacityBlocksTheWriter() async throws {
        let buffer = DeliveryReportBuffer(capacity: 3)
        let reports = DeliveryReports(buffer: buffer)
        let writer = Thread {
            for start in stride(from: UInt64(1), through: 91, by: 10) {
                var incoming = Self.batch(start...(start + 9))
                buffer.append(&incoming)
            }
        }
        writer.start()
        var iterator = reports.makeAsyncIterator()
        var ids: [UInt64] = []
        var mostBuffered = 0
        for _ in 0..<100 {
            ids.append(await iterator.next()?.messageID ?? 0)
            mostBuffered = max(mostBuffered, buffer.state.buffered)
            if ids.count % 17 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(ids == Array(1...100))
        #expect(mostBuffered <= 3, "the buffer held more than its capacity")
        buffer.finish()
        #expect(await iterator.next() == nil)
    }

    @Test("many one-report batches queued before the reader comes are read in order, each once")
    func manySmallBatches() async throws {
        let buffer = DeliveryReportBuffer(capacity: 10_000)
        for id in UInt64(1)...5_000 {
            var incoming = Self.batch(id...id)
            buffer.append(&incoming)
        }
        #expect(buffer.state.buffered == 5_000)
        var iterator = DeliveryReports(buffer: buffer).makeAsyncIterator()
        var ids: [UInt64] = []
        for _ in 0..<5_000 { ids.append(await iterator.next()?.messageID ?? 0) }
        #expect(ids == Array(1...5_000))
        #expect(buffer.state.buffered == 0)
        buffer.finish()
    }
}
