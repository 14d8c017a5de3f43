#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bytes for a message key or value, kept in the form the app gave them, so producing copies
/// them only once, into librdkafka's own buffer.
///
/// Two payloads are equal when their bytes are, whatever form they were made from:
/// `KafkaPayload("a") == KafkaPayload([0x61])`.
public struct KafkaPayload: Sendable, Hashable {
    enum Form: UInt8, Sendable, Hashable {
        case bytes, data, string
        /// No payload: what a message stores for a `nil` key or value (never seen outside).
        case absent
    }

    // One stored property per form, the unused ones empty (which allocates nothing), rather
    // than an enum with payloads: matching such an enum copies the payload out, a retain and
    // a release per produced message (measured), while a stored property is read in place.
    var form: Form
    var array: [UInt8] = []
    var data = Data()
    var string = ""

    public init(_ bytes: [UInt8]) { form = .bytes; array = bytes }
    public init(_ string: String) { form = .string; self.string = string }
    public init(_ data: Data) { form = .data; self.data = data }
    private init(absent: Void) { form = .absent }

    /// `value` encoded as JSON with `encoder` (a default `JSONEncoder` when omitted).
    public init<T: Encodable>(json value: T, encoder: JSONEncoder = JSONEncoder()) throws {
        self.init(try encoder.encode(value))
    }

    /// The stored stand-in for "no payload".
    static let absent = KafkaPayload(absent: ())
    var isAbsent: Bool { form == .absent }

    /// Number of bytes.
    public var count: Int {
        switch form {
        case .bytes: return array.count
        case .string: return string.utf8.count
        case .data: return data.count
        case .absent: return 0
        }
    }

    /// The bytes as an array (a copy unless the payload was made from one).
    public var bytes: [UInt8] {
        switch form {
        case .bytes: return array
        case .string: return Array(string.utf8)
        case .data: return [UInt8](data)
        case .absent: return []
        }
    }

    /// Calls `body` with the bytes in place, without copying where the storage allows.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch form {
        case .bytes: return try array.withUnsafeBytes(body)
        case .data: return try data.withUnsafeBytes(body)
        case .string:
            if let result = try string.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
                return result
            }
            return try Array(string.utf8).withUnsafeBytes(body)
        case .absent: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}

extension KafkaPayload {
    /// The bytes' start and count, in place, for the produce path: `nil` only for an absent
    /// payload (a present but empty one is not "none" to librdkafka). No copy of the storage.
    ///
    /// Absent and `[UInt8]` payloads are handled inline; the other forms go through
    /// ``withUnsafeBytes(_:)``, which the compiler keeps out of line (through it, every
    /// message paid two calls and a closure context per payload: ~8 ns, `perf annotate`).
    /// Where an empty but present payload points: librdkafka tells "empty" from "none" by the
    /// pointer, and an empty Swift buffer may have none.
    nonisolated(unsafe) static let emptyBytes = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
        switch form {
        case .absent: return body(nil, 0)
        case .bytes: return array.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress) ?? KafkaPayload.emptyBytes, $0.count) }
        case .data, .string: return withUnsafeBytes { body($0.baseAddress ?? KafkaPayload.emptyBytes, $0.count) }
        }
    }
}

extension KafkaPayload {
    public static func == (a: KafkaPayload, b: KafkaPayload) -> Bool {
        // A message's "no key" is not its empty key.
        if a.isAbsent || b.isAbsent { return a.isAbsent == b.isAbsent }
        if a.form == b.form {
            switch a.form {
            case .bytes: return a.array == b.array
            case .data: return a.data == b.data
            case .string: return a.string.utf8.elementsEqual(b.string.utf8)
            case .absent: return true
            }
        }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension KafkaPayload: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self.init(value) }
}
