import CRdKafka
import Synchronization

/// The producer's `rd_kafka_topic_t` handles, one per topic name, kept until the producer is
/// destroyed. Producing by handle (`RD_KAFKA_VTYPE_RKT`) spares librdkafka a lookup by name
/// under its client-wide lock for every message.
///
/// Thread-safe. The topic used last is found without a lock (one atomic load and a string
/// comparison, a pointer comparison when the app passes the same `String` each time); other
/// topics take one short lock.
final class TopicHandleCache: @unchecked Sendable {
    /// Immutable and never freed before ``destroyAll()``, so the lock-free path may read the
    /// last one without retaining it.
    private final class Entry {
        let name: String
        let handle: OpaquePointer
        init(name: String, handle: OpaquePointer) {
            self.name = name
            self.handle = handle
        }
    }

    private let client: OpaquePointer
    private let entries = Locked<[String: Entry]>([:])
    /// The `Entry` used last, as `Unmanaged` bits (0: none). Entries are owned by `entries`.
    private let last = Atomic<UInt>(0)
    /// More topics than this are produced by name: a producer writing to ever new topics would
    /// otherwise hold a handle for each.
    static let limit = 1024

    init(client: OpaquePointer) { self.client = client }

    /// The handle for `name`, or `nil` when librdkafka refuses to make one (the produce call
    /// by name then reports why) or the cache is full.
    @inline(__always)
    func handle(for name: String) -> OpaquePointer? {
        if let raw = UnsafeRawPointer(bitPattern: last.load(ordering: .acquiring)) {
            let hit = Unmanaged<Entry>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.name == name ? $0.handle : nil }
            if let hit { return hit }
        }
        return lookUp(name)
    }

    @inline(never)
    private func lookUp(_ name: String) -> OpaquePointer? {
        entries.withLock { entries in
            let entry: Entry
            if let known = entries[name] {
                entry = known
            } else {
                guard entries.count < Self.limit, let made = rd_kafka_topic_new(client, name, nil) else { return nil }
                entry = Entry(name: name, handle: made)
                entries[name] = entry
            }
            last.store(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()), ordering: .releasing)
            return entry.handle
        }
    }

    /// Releases every handle; call before the client is destroyed, when no call is under way.
    func destroyAll() {
        entries.withLock { entries in
            last.store(0, ordering: .releasing)
            for entry in entries.values { rd_kafka_topic_destroy(entry.handle) }
            entries = [:]
        }
    }
}
