// produce (fire-and-forget) and send (awaited, K in flight).
#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import RdKafka
import Synchronization

/// Round-robin or fixed partition choice, as in the C bench.
struct PartitionChooser {
    let fixed: Int32?
    let count: Int32
    var next: Int32 = 0

    init(_ o: BenchOptions) {
        fixed = o.partition
        count = Int32(max(1, o.partitions))
    }

    @inline(__always) mutating func choose() -> Int32? {
        guard fixed == BenchOptions.roundRobin else { return fixed }
        let p = next
        next += 1
        if next == count { next = 0 }
        return p
    }
}

/// Not timed: one awaited message so the connection and metadata are up before the clock starts
/// (the C bench asks for metadata; the SDK has no metadata API).
func warmUp(_ producer: KafkaProducer, _ o: BenchOptions, payload: KafkaPayload) async -> Bool {
    let deadline = nowNs() + 30_000_000_000
    while nowNs() < deadline {
        do {
            let report = try await producer.send(KafkaProducerMessage(topic: o.topic, partition: 0, value: payload))
            log("produce: warm-up delivered to \(report)")
            return true
        } catch {
            log("warm-up: \(error), retrying")
            usleep(200_000)
        }
    }
    return false
}

/// A producer with its connection up (see ``warmUp``) and the payload every message carries;
/// nil, after saying why, when either fails.
func connectedProducer(_ o: BenchOptions, options: KafkaProducer.Options = .init()) async -> (KafkaProducer, KafkaPayload)? {
    let producer: KafkaProducer
    do {
        producer = try KafkaProducer(configuration: o.configuration(producer: true), options: options)
    } catch {
        log("producer: \(error)")
        return nil
    }
    let payload = KafkaPayload(makePayload(o.size))
    guard await warmUp(producer, o, payload: payload) else {
        log("no connection to \(o.brokers)")
        return nil
    }
    return (producer, payload)
}

func runProduce(_ o: BenchOptions) async -> Int32 {
    let counters = Counters(expected: o.n)
    let variant = o.variant
    guard ["handler", "callback", "stream", "flush"].contains(variant) else {
        log("unknown --mode-variant \(variant)")
        return 2
    }
    var options = KafkaProducer.Options(deliveryReportBufferSize: variant == "stream" ? 100_000 : nil)
    if variant == "handler" {
        options.deliveryHandler = { (report: DeliveryReport) in
            counters.countSerially(report)
        }
    }
    guard let (producer, payload) = await connectedProducer(o, options: options) else { return 1 }

    // Stream variant: a task counts the reports as they come.
    var streamTask: Task<Void, Never>? = nil
    if variant == "stream", let reports = producer.deliveryReports {
        streamTask = Task.detached {
            for await report in reports {
                counters.countSerially(report)
                if counters.total >= counters.expected { break }
            }
        }
    }
    // Like the handler, delivery callbacks run on one serving thread at a time.
    let onDelivery: @Sendable (DeliveryReport) -> Void = { report in
        counters.countSerially(report)
    }

    let m0 = MallocCounter.read()
    let t0 = nowNs()
    let (produceErrors, loopCPU) = produceLoop(
        producer, o, payload: payload, onDelivery: variant == "callback" ? onDelivery : nil)
    let expected = o.n - produceErrors
    var tEnd: Int64
    if variant == "flush" {
        // No per-message reports: flush waits for them all; failures are counted by the SDK.
        do { try await producer.flush(timeout: .seconds(300)) } catch { log("flush: \(error)") }
        tEnd = nowNs()
        let failed = producer.failedDeliveryCount
        counters.failed.store(failed, ordering: .relaxed)
        counters.ok.store(expected - failed - producer.outstandingMessageCount, ordering: .relaxed)
    } else {
        let limit = t0 + 300_000_000_000
        while counters.total < expected && nowNs() < limit {
            if expected < o.n && counters.total == expected { break }
            do { try await producer.flush(timeout: .seconds(1)) } catch {}
            if counters.total < expected { usleep(1000) }
        }
        tEnd = counters.lastNs.load(ordering: .acquiring)
        if tEnd == 0 { tEnd = nowNs() }
    }
    let m1 = MallocCounter.read()
    if counters.total < expected { log("timed out: \(expected - counters.total) delivery reports missing") }
    let secs = Double(tEnd - t0) / 1e9
    let ok = counters.ok.load(ordering: .relaxed)
    log("produce[\(variant)]: \(ok) ok, \(counters.failed.load(ordering: .relaxed)) failed, \(produceErrors) produce errors, \(format(secs, 3))s")
    _ = await producer.shutdown(timeout: .seconds(10))
    streamTask?.cancel()

    return emitThroughput(mode: "produce", detail: ("variant", variant), o, ok: ok, seconds: secs, mallocs: m1 &- m0, loopCPUNs: loopCPU)
}

/// The timed loop, synchronous like the C bench's. Returns the produce errors and the thread's
/// CPU time over the loop. The loop never suspends, so it stays on one thread.
///
/// As in the C bench, every message shares one payload buffer: the loop measures the client,
/// not building messages. One `var` message whose partition changes: passing it copies its
/// words to the stack (no retain), while messages borrowed from an array or buffer were
/// copied with a retain of each reference, per call (disassembly).
@inline(never)
func produceLoop(
    _ producer: KafkaProducer, _ o: BenchOptions, payload: KafkaPayload, onDelivery: (@Sendable (DeliveryReport) -> Void)?
) -> (errors: Int, cpuNs: Int64) {
    var chooser = PartitionChooser(o)
    var errors = 0
    var message = KafkaProducerMessage(topic: o.topic, value: payload)
    let cpu0 = threadCPUNs()
    // Two loops: unwrapping the optional closure per message retained and released it.
    if let onDelivery {
        for _ in 0..<o.n {
            message.partition = chooser.choose()
            do {
                try producer.send(message, onDelivery: onDelivery)
            } catch {
                if errors == 0 { log("produce failed: \(error)") }
                errors += 1
            }
        }
    } else {
        for _ in 0..<o.n {
            message.partition = chooser.choose()
            do {
                try producer.produce(message)
            } catch {
                if errors == 0 { log("produce failed: \(error)") }
                errors += 1
            }
        }
    }
    return (errors, threadCPUNs() - cpu0)
}

/// Hands out message indexes to the sending tasks.
final class Ticket: Sendable {
    let next = Atomic<Int>(0)
}

func runSend(_ o: BenchOptions) async -> Int32 {
    guard let (producer, payload) = await connectedProducer(o) else { return 1 }
    let counters = Counters(expected: o.n)
    let ticket = Ticket()
    let n = o.n
    let topic = o.topic
    let fixed = o.partition
    let partitions = Int32(max(1, o.partitions))
    let workers = min(o.inflight, n)
    let m0 = MallocCounter.read()
    let t0 = nowNs()
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<workers {
            group.addTask {
                // One message a task, as the produce loop and C's reuse theirs: the row
                // measures sending, not building messages.
                var message = KafkaProducerMessage(topic: topic, value: payload)
                while true {
                    let i = ticket.next.add(1, ordering: .relaxed).oldValue
                    if i >= n { return }
                    message.partition = fixed == BenchOptions.roundRobin ? Int32(i % Int(partitions)) : fixed
                    do {
                        _ = try await producer.send(message)
                        counters.count(true, error: "")
                    } catch {
                        counters.count(false, error: "\(error)")
                    }
                }
            }
        }
    }
    let tEnd = nowNs()
    let m1 = MallocCounter.read()
    let secs = Double(tEnd - t0) / 1e9
    let ok = counters.ok.load(ordering: .relaxed)
    log("send[inflight \(workers)]: \(ok) ok, \(counters.failed.load(ordering: .relaxed)) failed, \(format(secs, 3))s")
    _ = await producer.shutdown(timeout: .seconds(10))

    return emitThroughput(mode: "send", detail: ("inflight", "\(workers)"), o, ok: ok, seconds: secs, mallocs: m1 &- m0)
}

/// Prints the JSON line shared by the produce and send workloads; exit status 1 unless all `n`
/// messages were delivered.
func emitThroughput(mode: String, detail: (String, String), _ o: BenchOptions, ok: Int, seconds secs: Double, mallocs: UInt64, loopCPUNs: Int64? = nil) -> Int32 {
    let (cpu, rss) = usageStats()
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", mode)
    if let number = Int(detail.1) { j.add(detail.0, number) } else { j.add(detail.0, detail.1) }
    j.add("n", o.n)
    j.add("size", o.size)
    j.add("seconds", secs, digits: 6)
    j.add("msgs_per_sec", Double(ok) / secs, digits: 1)
    j.add("mb_per_sec", Double(ok) * Double(o.size) / 1e6 / secs, digits: 3)
    j.add("cpu_seconds", cpu, digits: 3)
    j.add("peak_rss_mb", rss, digits: 1)
    j.add("errors", o.n - ok)
    if let loopCPUNs { j.add("loop_cpu_ns_per_msg", Double(loopCPUNs) / Double(o.n), digits: 1) }
    if MallocCounter.available { j.add("mallocs_per_msg", Double(mallocs) / Double(o.n), digits: 3) }
    j.emit()
    return ok == o.n ? 0 : 1
}
