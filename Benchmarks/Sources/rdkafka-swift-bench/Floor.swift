// continuation-floor: what an awaited operation costs Swift by itself, without Kafka. K tasks
// each await a continuation that a plain thread resumes, as the SDK's delivery thread resumes
// awaited sends; the variant adds the cancellation handler every awaited send installs.
#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Synchronization

/// Continuations handed to the resuming thread, which takes them in batches.
final class ResumeQueue: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [UnsafeContinuation<Void, Never>] = []
    private var done = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
    }

    func push(_ continuation: UnsafeContinuation<Void, Never>) {
        pthread_mutex_lock(mutex)
        items.append(continuation)
        if items.count == 1 { pthread_cond_signal(ready) }
        pthread_mutex_unlock(mutex)
    }

    func finish() {
        pthread_mutex_lock(mutex)
        done = true
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    /// The resuming thread's loop, until ``finish()``.
    func serve() {
        var batch: [UnsafeContinuation<Void, Never>] = []
        while true {
            pthread_mutex_lock(mutex)
            while items.isEmpty && !done { pthread_cond_wait(ready, mutex) }
            if items.isEmpty {
                pthread_mutex_unlock(mutex)
                return
            }
            swap(&batch, &items)
            pthread_mutex_unlock(mutex)
            for continuation in batch { continuation.resume() }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

func runContinuationFloor(_ o: BenchOptions) async -> Int32 {
    let queue = ResumeQueue()
    var thread = pthread_t()
    let box = Unmanaged.passRetained(queue)
    pthread_create(&thread, nil, { raw in
        Unmanaged<ResumeQueue>.fromOpaque(raw!).takeRetainedValue().serve()
        return nil
    }, box.toOpaque())
    let cancellable = o.variant == "cancellable"
    let ticket = Ticket()
    let n = o.n
    let workers = min(o.inflight, n)
    let m0 = MallocCounter.read()
    let t0 = nowNs()
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<workers {
            group.addTask {
                while ticket.next.add(1, ordering: .relaxed).oldValue < n {
                    if cancellable {
                        await withTaskCancellationHandler {
                            await withUnsafeContinuation { queue.push($0) }
                        } onCancel: {}
                    } else {
                        await withUnsafeContinuation { queue.push($0) }
                    }
                }
            }
        }
    }
    let secs = Double(nowNs() - t0) / 1e9
    let m1 = MallocCounter.read()
    queue.finish()
    pthread_join(thread, nil)
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", "continuation-floor")
    j.add("variant", cancellable ? "cancellable" : "plain")
    j.add("inflight", workers)
    j.add("n", n)
    j.add("seconds", secs, digits: 6)
    j.add("per_sec", Double(n) / secs, digits: 1)
    if MallocCounter.available { j.add("mallocs_per_msg", Double(m1 &- m0) / Double(n), digits: 3) }
    j.emit()
    return 0
}
