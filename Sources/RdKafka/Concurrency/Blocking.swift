import Dispatch

/// Runs blocking calls (librdkafka's, which wait on the network) off Swift's cooperative
/// thread pool, on a concurrent dispatch queue of the SDK's own.
enum Blocking {
    private static let queue = DispatchQueue(label: "swift-rdkafka.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let job = Job(body)
        return await withCheckedContinuation { continuation in
            queue.async {
                // The body (and the client it captures) is released here, before the caller
                // resumes: a client whose last reference it held is destroyed now, not on this
                // thread while the caller goes on (and perhaps exits under librdkafka's threads).
                let result = job.run()
                continuation.resume(returning: result)
            }
        }
    }

    /// Holds a body until it has run once.
    private final class Job<T>: @unchecked Sendable {
        private var body: (() -> T)?
        init(_ body: @escaping () -> T) { self.body = body }

        func run() -> T {
            let body = self.body
            self.body = nil
            guard let body else { preconditionFailure("a blocking job runs once") }
            return body()
        }
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await run {
            do throws(KafkaError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
