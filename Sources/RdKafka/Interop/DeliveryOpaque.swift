/// What a produced message's librdkafka opaque (`rd_kafka_message_t._private`) stands for, told
/// apart by its low bits:
/// - `…1`: the id of a ``KafkaProducer/produce(_:)`` message (shifted left by one);
/// - `…10`: the continuation of an awaited ``KafkaProducer/send(_:)`` (a task pointer, 16-byte
///   aligned), so an awaited send allocates nothing of its own;
/// - `…00`: a retained ``PendingDelivery`` (callback sends, or a continuation whose pointer
///   does not have free low bits).
enum DeliveryOpaque {
    typealias Continuation = UnsafeContinuation<PendingDelivery.Outcome, any Error>

    case id(UInt64)
    case continuation(Continuation)
    case pending(Unmanaged<PendingDelivery>)
    case none

    static func encode(id: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (id << 1) | 1))
    }

    /// The tagged continuation, or `nil` when its low bits are not free.
    static func encode(_ continuation: Continuation) -> UnsafeMutableRawPointer? {
        // UnsafeContinuation is a frozen struct holding one pointer to the task.
        let bits = UInt(bitPattern: unsafeBitCast(continuation, to: UnsafeRawPointer.self))
        guard bits & 3 == 0 else { return nil }
        return UnsafeMutableRawPointer(bitPattern: bits | 2)
    }

    /// The ``KafkaProducer/produce(_:)`` id, 0 for the other kinds.
    var messageID: UInt64 {
        if case .id(let id) = self { return id }
        return 0
    }

    @inline(__always)
    static func decode(_ opaque: UnsafeMutableRawPointer?) -> DeliveryOpaque {
        let bits = UInt(bitPattern: opaque)
        if bits & 1 == 1 { return .id(UInt64(bits >> 1)) }
        if bits & 2 == 2, let task = UnsafeRawPointer(bitPattern: bits & ~3) {
            return .continuation(unsafeBitCast(task, to: Continuation.self))
        }
        guard let opaque else { return .none }
        return .pending(Unmanaged<PendingDelivery>.fromOpaque(opaque))
    }
}
