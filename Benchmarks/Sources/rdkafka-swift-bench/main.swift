// rdkafka-swift-bench: the Swift side of the benchmark suite. Same command line and JSON fields
// as Benchmarks/c/rdkafka_bench.c ("impl":"swift"); one JSON line on stdout, the rest on stderr.
#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Dispatch
import Synchronization

let options = BenchOptions.parse(CommandLine.arguments)

func run(_ options: BenchOptions) async -> Int32 {
    switch options.mode {
    case "produce": return await runProduce(options)
    case "send": return await runSend(options)
    case "consume": return await runConsume(options)
    case "latency": return await runLatency(options)
    case "send-latency": return await runSendLatency(options)
    case "continuation-floor": return await runContinuationFloor(options)
    default: BenchOptions.usage()
    }
}

// A synchronous main that waits for a detached task, not an `async` main: an async main ends the
// main thread inside dispatch_main, and valgrind 3.19 then dies at the next pthread_create, so
// `make bench-insn` could not count anything. The main-actor loop needs the main queue served.
if options.mainActor {
    Task.detached { exit(await run(options)) }
    dispatchMain()
} else {
    let done = DispatchSemaphore(value: 0)
    let status = Atomic<Int32>(2)
    Task.detached {
        status.store(await run(options), ordering: .relaxed)
        done.signal()
    }
    done.wait()
    exit(status.load(ordering: .relaxed))
}
