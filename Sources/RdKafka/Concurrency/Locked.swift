/// A value behind a pthread mutex, for state shared by the SDK's threads off the hot paths.
///
/// Used instead of `Synchronization.Mutex`, which on Linux locks with raw futex calls that
/// ThreadSanitizer does not see: every access under such a lock was reported as a race, which
/// hid the real ones. `pthread_mutex_lock` is intercepted, so `make check` with `thread` can
/// tell the two apart. Uncontended it costs about what `Mutex` does.
///
/// `Sendable` only when `Value` is: the lock orders access, it does not make a value that is
/// unsafe to share (a class with its own mutable state) safe to hand to another thread.
package final class Locked<Value> {
    private let lock = Condition()
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock; not reentrant.
    package func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

extension Locked: @unchecked Sendable where Value: Sendable {}
