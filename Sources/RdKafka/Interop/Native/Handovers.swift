/// Counts the credentials a client has handed to librdkafka since creation (rotated SASL
/// passwords, OAUTHBEARER tokens). Handing over holds the lock, so a check made under it
/// (``withCount(_:)``) sees every handover that has returned and none that has not begun.
struct Handovers: Sendable {
    private let count = Locked<UInt64>(0)

    /// Runs `body`, which hands new credentials to librdkafka, under the lock, counting it.
    func handingOver<T>(_ body: () -> T) -> T {
        count.withLock { count in
            count &+= 1
            return body()
        }
    }

    /// Runs `body` with the count, holding the lock: no handover starts until it returns.
    func withCount<T>(_ body: (UInt64) -> T) -> T {
        count.withLock { body($0) }
    }
}
