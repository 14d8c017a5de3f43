#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Starts the SDK's own long-running threads (a consumer's poll thread, a producer's delivery
/// thread) with `pthread_create`, detached: each loop signals its owner when it ends.
///
/// Not Foundation's `Thread`, so that the SDK needs only FoundationEssentials.
enum NativeThread {
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
    /// for work that must not wait on the caller's thread and cannot fail (closing a dropped
    /// client).
    static func detach(_ what: String, _ body: @escaping @Sendable () -> Void) {
        do {
            try start(what, body)
        } catch {
            DispatchQueue.global().async(execute: body)
        }
    }

    /// Runs `body` on a new thread. Throws `criticalSystemResource` when the system refuses
    /// one (`pthread_create` failed: out of threads or memory).
    static func start(_ what: String, _ body: @escaping @Sendable () -> Void) throws(KafkaError) {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let result = pthread_create(&thread, &attributes, { argument in
            guard let argument else { return nil }
            let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
            body.run()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attributes)
        guard result == 0 else {
            box.release()
            var error = KafkaError(code: .criticalSystemResource, message: "could not start the \(what) thread (pthread_create: error \(result))")
            error.fix = "the process is out of threads or memory; close unused clients or raise the limit (ulimit -u)"
            throw error
        }
    }
}
