// latency: produce-to-consume at a fixed rate (as the C bench), and send-latency: one awaited
// send at a time on an idle broker.
#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import RdKafka
import Synchronization

let warmupSeq = UInt64.max

/// Latencies by sequence number, written by the consuming task only.
final class LatencyTable: @unchecked Sendable {
    let latencies: UnsafeMutableBufferPointer<Int64>
    let received = Atomic<Int>(0)
    let warm = Atomic<Bool>(false)
    let stop = Atomic<Bool>(false)
    var dups = 0

    init(_ n: Int) {
        latencies = .allocate(capacity: n)
        latencies.initialize(repeating: -1)
    }
    deinit { latencies.deallocate() }
}

func percentile(_ sorted: [Int64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return -1 }
    return Double(sorted[Int(Double(sorted.count - 1) * p)]) / 1e3
}

func runLatency(_ o: BenchOptions) async -> Int32 {
    guard o.size >= 16 else { log("latency: -s must be >= 16"); return 2 }
    guard o.rate > 0 else { log("latency: -r RATE required"); return 2 }
    guard o.partitions > 0 else { log("latency: -P PARTITIONS required"); return 2 }
    let intervalNs = 1e9 / o.rate
    let counters = Counters(expected: o.n + 1)
    let producer: KafkaProducer
    let consumer: KafkaConsumer
    do {
        producer = try KafkaProducer(configuration: o.configuration(producer: true))
        consumer = try KafkaConsumer(configuration: o.configuration(producer: false))
        // Start at the current end: explicit high watermarks, so nothing produced later is skipped.
        var assignment: [TopicPartition: KafkaOffset] = [:]
        for p in 0..<o.partitions {
            let tp = TopicPartition(o.topic, Int32(p))
            assignment[tp] = .offset(try await consumer.watermarkOffsets(for: tp).high)
        }
        try await consumer.assign(assignment)
    } catch {
        log("latency setup: \(error)")
        return 1
    }
    let table = LatencyTable(o.n)
    let n = o.n
    let consumeTask = Task.detached {
        var errors = 0
        do {
            for try await message in consumer.messages {
                let t = nowNs()
                message.withUnsafeValue { value in
                    guard let value, value.count >= 16 else { return }
                    let ts = Int64(bitPattern: value.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
                    let seq = value.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    if seq == warmupSeq {
                        table.warm.store(true, ordering: .releasing)
                    } else if seq < UInt64(n) {
                        let i = Int(seq)
                        if table.latencies[i] >= 0 {
                            table.dups += 1
                        } else {
                            table.latencies[i] = t - ts
                            table.received.add(1, ordering: .releasing)
                        }
                    }
                }
                if table.received.load(ordering: .acquiring) >= n || table.stop.load(ordering: .relaxed) { break }
            }
        } catch {
            errors += 1
            log("latency consume: \(error)")
        }
        return errors
    }

    var buffer = [UInt8](repeating: 0, count: o.size)
    func message(seq: UInt64) -> KafkaProducerMessage {
        let t = UInt64(bitPattern: nowNs())
        buffer.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: t, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: seq, toByteOffset: 8, as: UInt64.self)
        }
        return KafkaProducerMessage(topic: o.topic, value: KafkaPayload(buffer))
    }
    let onDelivery: @Sendable (DeliveryReport) -> Void = { report in
        counters.count(report.error == nil, error: report.error?.description ?? "")
    }

    // Warm-up: one message end to end before the clock starts.
    do { try await producer.send(message(seq: warmupSeq), onDelivery: onDelivery) } catch { log("warm-up: \(error)") }
    let tw = nowNs()
    while !table.warm.load(ordering: .acquiring) && nowNs() - tw < 30_000_000_000 { usleep(1000) }
    if !table.warm.load(ordering: .acquiring) { log("latency: warm-up message not seen") }

    let t0 = nowNs()
    var i = 0
    while i < n {
        let target = t0 + Int64(Double(i) * intervalNs)
        if nowNs() < target {
            var ts = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
        }
        do {
            try await producer.send(message(seq: UInt64(i)), onDelivery: onDelivery)
        } catch {
            log("produce: \(error)")
        }
        i += 1
    }
    let tEnd = nowNs()
    do { try await producer.flush(timeout: .seconds(60)) } catch { log("flush: \(error)") }
    let tc = nowNs()
    while table.received.load(ordering: .acquiring) < n && nowNs() - tc < 10_000_000_000 { usleep(10_000) }
    table.stop.store(true, ordering: .relaxed)
    consumeTask.cancel()
    let consumeErrors = await consumeTask.value

    var sorted = (0..<n).map { table.latencies[$0] }.filter { $0 >= 0 }
    sorted.sort()
    let lost = n - sorted.count
    let secs = Double(tEnd - t0) / 1e9
    let failed = counters.failed.load(ordering: .relaxed)
    log("latency: \(sorted.count) received, \(lost) lost, \(table.dups) dups, \(consumeErrors) consume errors, \(failed) delivery failures")
    do { try await consumer.close(timeout: .seconds(10)) } catch { log("close: \(error)") }
    _ = await producer.shutdown(timeout: .seconds(10))

    let (cpu, rss) = usageStats()
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", "latency")
    j.add("n", o.n)
    j.add("size", o.size)
    j.add("rate", o.rate, digits: 1)
    j.add("seconds", secs, digits: 6)
    j.add("msgs_per_sec", Double(o.n) / secs, digits: 1)
    j.add("mb_per_sec", Double(o.n) * Double(o.size) / 1e6 / secs, digits: 3)
    j.add("p50_us", percentile(sorted, 0.50), digits: 1)
    j.add("p99_us", percentile(sorted, 0.99), digits: 1)
    j.add("p999_us", percentile(sorted, 0.999), digits: 1)
    j.add("max_us", percentile(sorted, 1.0), digits: 1)
    j.add("cpu_seconds", cpu, digits: 3)
    j.add("peak_rss_mb", rss, digits: 1)
    j.add("errors", lost + failed + consumeErrors)
    j.emit()
    return lost == 0 ? 0 : 1
}

/// Awaited `send`, one at a time: wall time per send, next to librdkafka's own enqueue-to-ack
/// latency for the same message (`DeliveryReport.latencyMicroseconds`); the gap is the SDK's
/// hand-off cost (delivery thread, continuation resume, task wake-up).
func runSendLatency(_ o: BenchOptions) async -> Int32 {
    guard let (producer, payload) = await connectedProducer(o) else { return 1 }
    var wall: [Int64] = []
    var librdkafka: [Int64] = []
    wall.reserveCapacity(o.n)
    librdkafka.reserveCapacity(o.n)
    var errors = 0
    let partition: Int32? = o.partition == BenchOptions.roundRobin ? 0 : o.partition
    let t0 = nowNs()
    for _ in 0..<o.n {
        let t = nowNs()
        do {
            let report = try await producer.send(KafkaProducerMessage(topic: o.topic, partition: partition, value: payload))
            wall.append(nowNs() - t)
            librdkafka.append((report.latencyMicroseconds ?? 0) * 1000)
        } catch {
            errors += 1
        }
    }
    let secs = Double(nowNs() - t0) / 1e9
    _ = await producer.shutdown(timeout: .seconds(10))
    wall.sort()
    librdkafka.sort()
    let (cpu, rss) = usageStats()
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", "send_latency")
    j.add("n", o.n)
    j.add("size", o.size)
    j.add("seconds", secs, digits: 6)
    j.add("msgs_per_sec", Double(wall.count) / secs, digits: 1)
    j.add("p50_us", percentile(wall, 0.50), digits: 1)
    j.add("p99_us", percentile(wall, 0.99), digits: 1)
    j.add("p999_us", percentile(wall, 0.999), digits: 1)
    j.add("max_us", percentile(wall, 1.0), digits: 1)
    j.add("rdkafka_p50_us", percentile(librdkafka, 0.50), digits: 1)
    j.add("rdkafka_p99_us", percentile(librdkafka, 0.99), digits: 1)
    j.add("cpu_seconds", cpu, digits: 3)
    j.add("peak_rss_mb", rss, digits: 1)
    j.add("errors", errors)
    j.emit()
    return errors == 0 ? 0 : 1
}
