#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with a condition variable: the lock the SDK's poll and delivery threads
/// wait on.
///
/// Plain pthreads rather than Foundation's `NSCondition`/`NSLock`, so that the SDK needs only
/// FoundationEssentials (the full Foundation adds about 7 MB of resident memory to every
/// process), and so that ThreadSanitizer sees every lock. Not reentrant; `wait` must be
/// called with the lock held.
final class Condition: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        cond = .allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deinitialize(count: 1)
        cond.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Takes the lock only if it is free.
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }
    /// Releases the lock until signalled (or woken spuriously), then takes it again.
    func wait() { pthread_cond_wait(cond, mutex) }
    /// As ``wait()``, but for at most `milliseconds`.
    func wait(milliseconds: Int) {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)  // the clock pthread_cond_timedwait uses by default
        let nanoseconds = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_cond_timedwait(cond, mutex, &deadline)
    }
    func signal() { pthread_cond_signal(cond) }
    func broadcast() { pthread_cond_broadcast(cond) }
}
