#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bytes for a message key or value, kept in the form the app gave them, so producing copies
/// them only once, into librdkafka's own buffer.
public struct KafkaPayload: Sendable, Hashable {
    enum Storage: Sendable, Hashable {
        case bytes([UInt8])
        case string(String)
        case data(Data)
    }

    var storage: Storage

    public init(_ bytes: [UInt8]) { storage = .bytes(bytes) }
    public init(_ string: String) { storage = .string(string) }
    public init(_ data: Data) { storage = .data(data) }

    /// `value` encoded as JSON with `encoder` (a default `JSONEncoder` when omitted).
    public init<T: Encodable>(json value: T, encoder: JSONEncoder = JSONEncoder()) throws {
        storage = .data(try encoder.encode(value))
    }

    /// Number of bytes.
    public var count: Int {
        switch storage {
        case .bytes(let b): return b.count
        case .string(let s): return s.utf8.count
        case .data(let d): return d.count
        }
    }

    /// The bytes as an array (a copy unless the payload was made from one).
    public var bytes: [UInt8] {
        switch storage {
        case .bytes(let b): return b
        case .string(let s): return Array(s.utf8)
        case .data(let d): return [UInt8](d)
        }
    }

    /// Calls `body` with the bytes in place, without copying where the storage allows.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .bytes(let b): return try b.withUnsafeBytes(body)
        case .data(let d): return try d.withUnsafeBytes(body)
        case .string(let s):
            if let result = try s.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
                return result
            }
            return try Array(s.utf8).withUnsafeBytes(body)
        }
    }
}

extension KafkaPayload {
    /// The bytes' start (never NULL: a present but empty payload is not "none" to librdkafka)
    /// and count, in place. For the produce path: no copy of the storage.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawPointer, Int) -> R) -> R {
        switch storage {
        case .bytes(let b):
            return b.withUnsafeBytes { body($0.baseAddress ?? ProducerCore.emptyBytes, $0.count) }
        case .data(let d):
            return d.withUnsafeBytes { body($0.baseAddress ?? ProducerCore.emptyBytes, $0.count) }
        case .string:
            return withUnsafeBytes { body($0.baseAddress ?? ProducerCore.emptyBytes, $0.count) }
        }
    }
}

extension KafkaPayload: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self.init(value) }
}
