/// Delivery reports of fire-and-forget messages (``KafkaProducer/produce(_:)``), in the order
/// librdkafka delivers them. Buffered up to ``KafkaProducer/Options/deliveryReportBufferSize``;
/// when the buffer is full, the producer waits rather than dropping reports, so iterate it.
///
/// Ends when the producer shuts down. Iterate it from one task.
public struct DeliveryReports: AsyncSequence, Sendable {
    public typealias Element = DeliveryReport
    let buffer: DeliveryReportBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: DeliveryReportBuffer
        public mutating func next() async -> DeliveryReport? { await buffer.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
