/// What a produced message's librdkafka opaque (`rd_kafka_message_t._private`) stands for:
/// the id of a `KafkaProducer.produce(_:)` message, shifted left by one with the low bit set
/// (no allocation per fire-and-forget message), or a retained ``PendingDelivery`` (an awaited or
/// callback send; objects are aligned, so their low bit is clear).
enum DeliveryOpaque {
    case id(UInt64)
    case pending(Unmanaged<PendingDelivery>)
    case none

    static func encode(id: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (id << 1) | 1))
    }

    /// The `KafkaProducer.produce(_:)` id, 0 for the other kinds.
    var messageID: UInt64 {
        if case .id(let id) = self { return id }
        return 0
    }

    @inline(__always)
    static func decode(_ opaque: UnsafeMutableRawPointer?) -> DeliveryOpaque {
        let bits = UInt(bitPattern: opaque)
        if bits & 1 == 1 { return .id(UInt64(bits >> 1)) }
        guard let opaque else { return .none }
        return .pending(Unmanaged<PendingDelivery>.fromOpaque(opaque))
    }
}
