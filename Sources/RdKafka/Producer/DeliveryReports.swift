/// Delivery reports of fire-and-forget messages (`KafkaProducer.produce(_:)`), in the order
/// librdkafka delivers them. Buffered up to ``KafkaProducer/Options/deliveryReportBufferSize``;
/// when the buffer is full, the producer waits rather than dropping reports, so iterate it.
///
/// Ends when the producer shuts down; an iteration also ends (`nil`) as soon as its task is
/// cancelled. Several iterators may run at once: each report goes to exactly one of them.
public struct DeliveryReports: AsyncSequence, Sendable {
    public typealias Element = DeliveryReport
    public typealias Failure = Never
    let buffer: DeliveryReportBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let buffer: DeliveryReportBuffer
        /// Reports taken from the buffer in one go, handed out without a lock.
        @usableFromInline var local: [DeliveryReport] = []
        @usableFromInline var index = 0

        init(buffer: DeliveryReportBuffer) { self.buffer = buffer }

        @inlinable public mutating func next() async -> DeliveryReport? {
            await next(isolation: nil)
        }

        // Inlinable so that taking a buffered report costs the caller no executor hop.
        @inlinable public mutating func next(isolation actor: isolated (any Actor)?) async -> DeliveryReport? {
            if index < local.count {
                defer { index += 1 }
                return local[index]
            }
            local.removeAll(keepingCapacity: true)
            return await buffer.next(into: &local, index: &index)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
