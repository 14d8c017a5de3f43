/// A callback send's closure, as librdkafka's opaque for its message.
typealias DeliveryCallback = @Sendable (DeliveryReport) -> Void

/// What a produced message's librdkafka opaque (`rd_kafka_message_t._private`) stands for.
///
/// The low bits tell the kinds apart (heap blocks are aligned to 8 bytes or more, so theirs are
/// clear):
/// - `…1`: the id of a `KafkaProducer.produce(_:)` message, shifted left by one (no allocation
///   per fire-and-forget message; tested first, as the most frequent);
/// - `10`: a callback send's closure, alone in a block of its own, as a C app keeps a malloc'd
///   callback record (a class instance around the closure cost more in the runtime's allocation
///   and release paths);
/// - `00`: a retained ``PendingDelivery`` (an awaited send), or `nil` for a fire-and-forget
///   message whose report nobody reads.
enum DeliveryOpaque {
    case id(UInt64)
    case callback(UnsafeMutableRawPointer)
    case pending(Unmanaged<PendingDelivery>)
    case none

    private static let callbackTag: UInt = 0b10

    static func encode(id: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (id << 1) | 1))
    }

    /// Moves `callback` into a block of its own (`malloc`; `UnsafeMutablePointer.allocate` takes
    /// the slower aligned path); ``complete(_:_:)`` or ``discardCallback(_:)`` frees it.
    static func encode(callback: @escaping DeliveryCallback) -> UnsafeMutableRawPointer {
        let block = Syscalls.allocate(byteCount: MemoryLayout<CallbackRecord>.size)
        block.initializeMemory(as: CallbackRecord.self, to: CallbackRecord(call: callback))
        return UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: block) | callbackTag)!
    }

    /// Frees the block of a callback that was never handed to librdkafka.
    static func discardCallback(_ opaque: UnsafeMutableRawPointer) {
        guard case .callback(let block) = decode(opaque) else { preconditionFailure("not a callback opaque") }
        _ = take(block)
    }

    /// Frees the callback's block, then calls it with `report` (lent, not copied).
    @inline(__always)
    static func complete(_ block: UnsafeMutableRawPointer, _ report: inout DeliveryReport) {
        take(block).call(report)
    }

    /// The closure in a struct: a bare closure in generic storage is kept at its most general
    /// form and called through a thunk.
    private struct CallbackRecord {
        let call: DeliveryCallback
    }

    @inline(__always)
    private static func take(_ block: UnsafeMutableRawPointer) -> CallbackRecord {
        let record = block.assumingMemoryBound(to: CallbackRecord.self).move()
        Syscalls.deallocate(block)
        return record
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
        if bits & callbackTag != 0 { return .callback(UnsafeMutableRawPointer(bitPattern: bits & ~callbackTag)!) }
        guard let opaque else { return .none }
        return .pending(Unmanaged<PendingDelivery>.fromOpaque(opaque))
    }
}
