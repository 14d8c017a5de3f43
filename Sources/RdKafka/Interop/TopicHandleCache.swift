import CRdKafka
import Synchronization

/// The producer's `rd_kafka_topic_t` handles, one per topic name, kept until the producer is
/// destroyed. Producing by handle (`RD_KAFKA_VTYPE_RKT`) spares librdkafka a lookup by name
/// under its client-wide lock for every message.
///
/// Thread-safe: one short uncontended lock per lookup; the last topic used is checked first,
/// which is a pointer comparison when the app passes the same `String` each time.
final class TopicHandleCache: @unchecked Sendable {
    private struct State {
        var lastName = ""
        var lastHandle: OpaquePointer? = nil
        var handles: [String: OpaquePointer] = [:]
    }

    private let client: OpaquePointer
    private let state = Mutex(State())
    /// More topics than this are produced by name: a producer writing to ever new topics would
    /// otherwise hold a handle for each.
    static let limit = 1024

    init(client: OpaquePointer) { self.client = client }

    /// The handle for `name`, or `nil` when librdkafka refuses to make one (the produce call
    /// by name then reports why) or the cache is full.
    func handle(for name: String) -> OpaquePointer? {
        state.withLock { state in
            if let last = state.lastHandle, state.lastName == name { return last }
            let handle: OpaquePointer
            if let known = state.handles[name] {
                handle = known
            } else {
                guard state.handles.count < Self.limit, let made = rd_kafka_topic_new(client, name, nil) else { return nil }
                state.handles[name] = made
                handle = made
            }
            state.lastName = name
            state.lastHandle = handle
            return handle
        }
    }

    /// Releases every handle; call before the client is destroyed.
    func destroyAll() {
        state.withLock { state in
            for handle in state.handles.values { rd_kafka_topic_destroy(handle) }
            state = State()
        }
    }
}
