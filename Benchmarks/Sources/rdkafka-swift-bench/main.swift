// rdkafka-swift-bench: the Swift side of the benchmark suite. Same command line and JSON fields
// as Benchmarks/c/rdkafka_bench.c ("impl":"swift"); one JSON line on stdout, the rest on stderr.
#if canImport(Glibc)
import Glibc
#endif

let options = BenchOptions.parse(CommandLine.arguments)
let status: Int32
switch options.mode {
case "produce": status = await runProduce(options)
case "send": status = await runSend(options)
case "consume": status = await runConsume(options)
case "latency": status = await runLatency(options)
case "send-latency": status = await runSendLatency(options)
default: BenchOptions.usage()
}
exit(status)
