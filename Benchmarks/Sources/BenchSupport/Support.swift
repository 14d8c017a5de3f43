// Options, clocks, resource usage, allocation counting and JSON output shared by the benches.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RdKafka
import Synchronization

package struct BenchOptions {
    package var mode = ""
    package var brokers = ""
    package var topic = ""
    package var group: String?
    package var n = 0
    package var size = 100
    package var rate = 0.0
    /// nil: unassigned (partitioner); -2: round robin over `partitions`; >= 0: that partition.
    package var partition: Int32? = nil
    package var partitions = 0
    package var single = false
    package var mainActor = false
    package var variant = "stream"
    package var inflight = 1000
    /// `KafkaConsumer.Options.maxBatchSize` (nil: the SDK's default).
    package var batch: Int? = nil
    package var extra: [(String, String)] = []
    /// The Schema Registry for the avro workload.
    package var registry: String?

    package static let roundRobin: Int32 = -2

    package static func usage() -> Never {
        let text = """
            usage:
              rdkafka-swift-bench produce -b BROKERS -t TOPIC -n N -s SIZE [-p ua|rr|PART] [-P PARTITIONS]
                                  [--mode-variant handler|callback|stream|flush] [-X k=v ...]
              rdkafka-swift-bench send    -b BROKERS -t TOPIC -n N -s SIZE [-p ua|rr|PART] [-P PARTITIONS]
                                  [--inflight K] [-X k=v ...]
              rdkafka-swift-bench consume -b BROKERS -t TOPIC -n N -P PARTITIONS [-g GROUP] [--single|--mainactor] [--batch K]
                                  [-X k=v ...]
              rdkafka-swift-bench latency -b BROKERS -t TOPIC -n N -s SIZE -r RATE -P PARTITIONS [-X k=v ...]
              rdkafka-swift-bench send-latency -b BROKERS -t TOPIC -n N -s SIZE [-p PART] [-X k=v ...]
              rdkafka-swift-bench continuation-floor -n N [--inflight K] [--mode-variant plain|cancellable]
                                  (K tasks awaiting continuations a plain thread resumes: no broker)
              rdkafka-avro-bench avro -b BROKERS -t TOPIC -n N --registry URL [-X k=v ...]
              rdkafka-avro-bench avro-codec -n N   (Avro encode, then decode, alone: no broker)
            -P: the topic's partition count (the SDK has no metadata API; needed for rr, consume, latency).

            """
        FileDescriptorWriter.standardError.write(text)
        exit(2)
    }

    package static func parse(_ argv: [String]) -> BenchOptions {
        var o = BenchOptions()
        guard argv.count >= 2 else { usage() }
        o.mode = argv[1]
        var i = 2
        func value() -> String {
            guard i + 1 < argv.count else { usage() }
            i += 1
            return argv[i]
        }
        while i < argv.count {
            switch argv[i] {
            case "--single": o.single = true
            case "--mainactor": o.mainActor = true
            case "--by-name": break  // the SDK always produces by topic name
            case "-b": o.brokers = value()
            case "-t": o.topic = value()
            case "-g": o.group = value()
            case "--registry": o.registry = value()
            case "-n": o.n = Int(value()) ?? 0
            case "-s": o.size = Int(value()) ?? -1
            case "-r": o.rate = Double(value()) ?? 0
            case "-P", "--partitions": o.partitions = Int(value()) ?? 0
            case "--mode-variant": o.variant = value()
            case "--inflight": o.inflight = max(1, Int(value()) ?? 1)
            case "--batch": o.batch = max(1, Int(value()) ?? 1)
            case "-p":
                let v = value()
                switch v {
                case "ua": o.partition = nil
                case "rr": o.partition = roundRobin
                default: o.partition = Int32(v) ?? 0
                }
            case "-X":
                let v = value()
                guard let eq = v.firstIndex(of: "=") else {
                    FileDescriptorWriter.standardError.write("bad -X \(v)\n")
                    exit(2)
                }
                o.extra.append((String(v[..<eq]), String(v[v.index(after: eq)...])))
            default: usage()
            }
            i += 1
        }
        let needsBroker = o.mode != "avro-codec" && o.mode != "continuation-floor"
        if (needsBroker && (o.brokers.isEmpty || o.topic.isEmpty)) || o.n <= 0 || o.size < 0 { usage() }
        if o.partition == roundRobin && o.partitions < 1 {
            FileDescriptorWriter.standardError.write("-p rr needs -P PARTITIONS\n")
            exit(2)
        }
        return o
    }

    /// `bootstrap.servers` plus every `-X` (applied last, overriding anything).
    package func configuration(producer: Bool) -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: brokers.split(separator: ",").map(String.init))
        if producer { config["acks"] = "-1" }
        for (k, v) in extra { config[k] = v }
        return config
    }
}

/// Writes text to a file descriptor without Foundation.
package struct FileDescriptorWriter {
    package let fd: Int32
    package static let standardError = FileDescriptorWriter(fd: 2)
    package static let standardOutput = FileDescriptorWriter(fd: 1)

    package func write(_ text: String) {
        var text = text
        text.withUTF8 { buf in
            var done = 0
            while done < buf.count {
                let r = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                if r <= 0 { return }
                done += r
            }
        }
    }
}

package func log(_ text: String) { FileDescriptorWriter.standardError.write(text + "\n") }

/// CPU time of the calling thread: the producing loop's own cost, which scheduling on a small
/// machine moves much less than wall time (the C bench reports the same).
package func threadCPUNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

@inline(__always) package func nowNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// CPU seconds (user + system) and peak RSS in MiB of this process.
package func usageStats() -> (cpu: Double, rssMB: Double) {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    let cpu = Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6
        + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
    return (cpu, Double(ru.ru_maxrss) / 1024.0)
}

/// `malloc_count_get()` of `libmalloc_count.so` when the process runs with it preloaded.
package enum MallocCounter {
    package typealias Fn = @convention(c) () -> UInt64
    package static let function: Fn? = {
        // nil handle == RTLD_DEFAULT on glibc.
        guard let symbol = dlsym(nil, "malloc_count_get") else { return nil }
        return unsafeBitCast(symbol, to: Fn.self)
    }()

    package static func read() -> UInt64 { function?() ?? 0 }
    package static var available: Bool { function != nil }
}

/// One JSON object, fields in insertion order (numbers formatted like the C bench).
package struct JSONLine {
    private var parts: [String] = []

    package init() {}

    package mutating func add(_ key: String, _ value: String) {
        parts.append("\"\(key)\":\"\(value)\"")
    }
    package mutating func add(_ key: String, _ value: Int) { parts.append("\"\(key)\":\(value)") }
    package mutating func add(_ key: String, _ value: Double, digits: Int) {
        parts.append("\"\(key)\":\(format(value, digits))")
    }

    package func emit() {
        FileDescriptorWriter.standardOutput.write("{" + parts.joined(separator: ",") + "}\n")
    }
}

/// `value` in fixed point with `digits` decimals. Not through `vsnprintf`: its `CVarArg`
/// argument list makes the runtime search protocol conformances, start-up work C's printf
/// does not do, counted in every Swift row.
package func format(_ value: Double, _ digits: Int) -> String {
    let digits = max(0, min(digits, 9))
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * Double(scale)).rounded()
    guard value.isFinite, scaled < 9e18 else { return value.isFinite ? "\(value)" : "0" }
    let units = Int64(scaled)
    var text = value < 0 && units != 0 ? "-" : ""
    text += String(units / scale)
    if digits > 0 {
        let fraction = String(units % scale)
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}

/// Counters shared with callbacks on the SDK's threads.
package final class Counters: Sendable {
    package let ok = Atomic<Int>(0)
    package let failed = Atomic<Int>(0)
    package let lastNs = Atomic<Int64>(0)
    package let firstErrorLogged = Atomic<Bool>(false)
    package let expected: Int

    package init(expected: Int) { self.expected = expected }

    /// Counts one report; the one completing `expected` records the time.
    @inline(__always) package func count(_ delivered: Bool, error: @autoclosure () -> String) {
        let done: Int
        if delivered {
            done = ok.add(1, ordering: .relaxed).newValue + failed.load(ordering: .relaxed)
        } else {
            if !firstErrorLogged.exchange(true, ordering: .relaxed) { log("delivery failed: \(error())") }
            done = failed.add(1, ordering: .relaxed).newValue + ok.load(ordering: .relaxed)
        }
        if done == expected { lastNs.store(nowNs(), ordering: .releasing) }
    }

    /// ``count(_:error:)`` for reports counted by one thread at a time (`Options.deliveryHandler`
    /// and delivery callbacks, which the SDK runs on one serving thread at a time, or a single
    /// task reading the report stream): a load and a store, like the C bench's `st->ok++`, instead
    /// of an atomic add.
    @inline(__always) package func countSerially(_ delivered: Bool, error: @autoclosure () -> String) {
        guard delivered else { return count(false, error: error()) }
        let done = ok.load(ordering: .relaxed) + 1
        ok.store(done, ordering: .relaxed)
        if done + failed.load(ordering: .relaxed) == expected { lastNs.store(nowNs(), ordering: .releasing) }
    }

    /// ``countSerially(_:error:)`` for a report, borrowed: an autoclosure naming the report
    /// would copy it for every report, delivered or not.
    @inline(__always) package func countSerially(_ report: borrowing DeliveryReport) {
        guard report.isDelivered else { return count(false, error: report.error?.description ?? "") }
        countSerially(true, error: "")
    }

    package var total: Int { ok.load(ordering: .relaxed) + failed.load(ordering: .relaxed) }
}

package func makePayload(_ size: Int) -> [UInt8] {
    (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
}
