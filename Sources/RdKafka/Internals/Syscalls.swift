// Every libc and pthread call of the SDK lives in this file (the swift-system way), with a
// branch per platform: a new platform fails to compile here, with a message, not somewhere
// deep in the SDK. `scripts/check-structure.sh` (run by `make test`) fails when another file
// of Sources/ imports a libc module.
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("swift-rdkafka: unsupported platform; give Sources/RdKafka/Internals/Syscalls.swift a branch for its C library")
#endif
import Dispatch

/// Small libc calls, named for what the SDK uses them for.
enum Syscalls {
    /// Sleeps the calling thread (`usleep`): for SDK threads only, never a task's.
    static func sleep(microseconds: UInt32) { _ = usleep(microseconds) }

    /// `byteCount` bytes of uninitialised memory (`malloc`), aligned for any type that is not
    /// over-aligned (`max_align_t`); free them with ``deallocate(_:)``. Stops the process when
    /// memory is exhausted, as Swift's allocations do.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        guard let block = malloc(byteCount) else { fatalError("swift-rdkafka: out of memory (malloc of \(byteCount) bytes)") }
        return block
    }

    /// Frees a block from ``allocate(byteCount:)`` (`free`).
    static func deallocate(_ block: UnsafeMutableRawPointer) { free(block) }

    /// Lets another thread run (`sched_yield`).
    static func yieldThread() { _ = sched_yield() }

    /// Writes all of `text` to standard error (`write(2)`), unbuffered and safe from any
    /// thread; gives up silently on an error (there is nowhere else to say it).
    static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// The process's real user id (`getuid`), for "check its permissions" advice.
    static var userID: UInt32 { UInt32(getuid()) }

    /// Copies `text` into a C buffer of `size` bytes, NUL-terminated and truncated to fit
    /// (`strncpy`), as librdkafka's callbacks expect of an error string.
    static func copy(_ text: String, into buffer: UnsafeMutablePointer<CChar>, size: Int) {
        guard size > 0 else { return }
        _ = text.withCString { strncpy(buffer, $0, size - 1) }
        buffer[size - 1] = 0
    }

    /// Runs `body` with C copies of `strings` (`strdup`, freed afterwards), for librdkafka
    /// calls that take an array of C strings.
    static func withCStrings<R, E: Error>(_ strings: [String], _ body: (inout [UnsafePointer<CChar>?]) throws(E) -> R) throws(E) -> R {
        let copies = strings.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        var pointers = copies.map { $0.map { UnsafePointer($0) } }
        return try body(&pointers)
    }

    /// Why `pattern` is not a POSIX extended regular expression (`regcomp` with `REG_EXTENDED |
    /// REG_NOSUB`, as librdkafka compiles subscription patterns), or nil when it is one.
    static func extendedRegexProblem(_ pattern: String) -> String? {
        var regex = regex_t()
        let code = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard code != 0 else {
            regfree(&regex)
            return nil
        }
        var text = [CChar](repeating: 0, count: 256)
        regerror(code, &regex, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

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

/// Starts the SDK's own long-running threads (a consumer's poll thread, a producer's delivery
/// thread) with `pthread_create`, detached: each loop signals its owner when it ends.
///
/// Not Foundation's `Thread`, so that the SDK needs only FoundationEssentials.
package enum NativeThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// A thread's identity (`pthread_self`, compared with `pthread_equal`): for "is this the
    /// thread that ...?" checks, such as a client released on its own SDK thread.
    struct Identity: @unchecked Sendable, Equatable {
        private let thread: pthread_t
        static var current: Identity { Identity(thread: pthread_self()) }
        static func == (a: Identity, b: Identity) -> Bool { pthread_equal(a.thread, b.thread) != 0 }
    }

    /// Runs `body` on a new thread, or, when the system refuses one, on a Dispatch worker:
    /// for work that must not wait on the caller's thread and cannot fail (closing or
    /// destroying a dropped client). The process waits for it at `exit` (up to 10 s): a
    /// program that returns from `main` right after dropping a client must not run the C
    /// library's exit handlers (OpenSSL's cleanup) under librdkafka's close or destroy.
    static func detach(_ what: String, _ body: @escaping @Sendable () -> Void) {
        ExitWait.shared.started()
        let counted: @Sendable () -> Void = {
            body()
            ExitWait.shared.finished()
        }
        do {
            try start(what, counted)
        } catch {
            DispatchQueue.global().async(execute: counted)
        }
    }

    /// Runs `body` here, unless here is a Swift task's thread: then as ``detach(_:_:)`` does.
    /// For work that waits on librdkafka's threads, such as destroying a client from a
    /// `deinit`, which runs wherever the last reference goes.
    static func outsideTasks(_ what: String, _ body: @escaping @Sendable () -> Void) {
        guard withUnsafeCurrentTask(body: { $0 != nil }) else { return body() }
        detach(what, body)
    }

    /// ``detach(_:_:)`` work under way, which `exit` waits for (package access: for tests).
    package static var detachedUnderWay: Int { ExitWait.shared.count }

    /// Counts ``detach(_:_:)`` work under way; an `atexit` handler waits for it.
    private final class ExitWait: @unchecked Sendable {
        static let shared: ExitWait = {
            atexit { ExitWait.shared.waitAtExit() }
            return ExitWait()
        }()
        private let condition = Condition()
        private var running = 0  // under condition's lock

        var count: Int {
            condition.lock()
            defer { condition.unlock() }
            return running
        }

        func started() {
            condition.lock()
            running += 1
            condition.unlock()
        }

        func finished() {
            condition.lock()
            running -= 1
            condition.broadcast()
            condition.unlock()
        }

        func waitAtExit() {
            let deadline = DispatchTime.now() + .seconds(10)
            condition.lock()
            while running > 0, DispatchTime.now() < deadline { condition.wait(milliseconds: 100) }
            condition.unlock()
        }
    }

    /// Runs `body` on a new thread. Throws `criticalSystemResource` when the system refuses
    /// one (`pthread_create` failed: out of threads or memory).
    static func start(_ what: String, _ body: @escaping @Sendable () -> Void) throws(KafkaError) {
        let box = Unmanaged.passRetained(Body(body))
        // pthread_t is an integer in glibc, a pointer in musl, and Darwin's pthread_create
        // takes an optional one and passes its argument non-optional.
        #if canImport(Darwin)
        var thread: pthread_t? = nil
        let entry: @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = { argument in
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }
        #else
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t = nil
        #endif
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }
        #endif
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let result = pthread_create(&thread, &attributes, entry, box.toOpaque())
        pthread_attr_destroy(&attributes)
        guard result == 0 else {
            box.release()
            var error = KafkaError(code: .criticalSystemResource, message: "could not start the \(what) thread (pthread_create: error \(result))")
            error.fix = "the process is out of threads or memory; close unused clients or raise the limit (ulimit -u)"
            throw error
        }
    }
}
