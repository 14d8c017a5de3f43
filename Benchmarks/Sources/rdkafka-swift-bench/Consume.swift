// consume: iterate `consumer.messages` (or poll one at a time) counting messages and bytes.
#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Dispatch
import RdKafka
import Synchronization

/// The hot loop's state, shared with the idle watchdog.
final class ConsumeProgress: Sendable {
    let activityNs = Atomic<Int64>(0)
    let done = Atomic<Bool>(false)
}

struct ConsumeTally {
    var count = 0
    var bytes = 0
    var tFirst: Int64 = 0
}

let idleTimeoutNs: Int64 = 15_000_000_000

/// Iterates `messages` until `n` messages on the caller's actor (none, or the main actor for
/// `--mainactor`); marks progress per batch-sized stride.
func consumeLoop(
    _ consumer: KafkaConsumer, n: Int, progress: ConsumeProgress, isolation: isolated (any Actor)? = #isolation
) async -> ConsumeTally {
    var tally = ConsumeTally()
    do {
        for try await message in consumer.messages {
            tally.count += 1
            tally.bytes += message.valueCount
            if tally.count == 1 { tally.tFirst = nowNs() }
            if tally.count & 1023 == 0 { progress.activityNs.store(nowNs(), ordering: .relaxed) }
            if tally.count >= n { break }
        }
    } catch {
        log("consume error: \(error)")
    }
    return tally
}

/// One message per `poll(maxMessages: 1)`, like the C bench's `--single` (rd_kafka_consumer_poll).
func consumePollLoop(_ consumer: KafkaConsumer, n: Int, progress: ConsumeProgress) async -> ConsumeTally {
    var tally = ConsumeTally()
    while tally.count < n && !Task.isCancelled {
        do {
            let batch = try await consumer.poll(maxMessages: 1, timeout: .milliseconds(100))
            for message in batch {
                tally.count += 1
                tally.bytes += message.valueCount
                if tally.count == 1 { tally.tFirst = nowNs() }
            }
            if !batch.isEmpty { progress.activityNs.store(nowNs(), ordering: .relaxed) }
        } catch {
            log("consume error: \(error)")
            break
        }
    }
    return tally
}

func runConsume(_ o: BenchOptions) async -> Int32 {
    guard o.partitions > 0 || o.group != nil else {
        log("consume needs -P PARTITIONS (or -g GROUP)")
        return 2
    }
    var config = o.configuration(producer: false)
    if let group = o.group {
        config["group.id"] = group
        config["auto.offset.reset"] = "earliest"
    }
    // Without -g the SDK makes up a group.id itself (assign-only use), as the C bench does.
    for (k, v) in o.extra { config[k] = v }
    let tStart = nowNs()
    let consumer: KafkaConsumer
    do {
        consumer = try KafkaConsumer(configuration: config, options: o.batch.map { KafkaConsumer.Options(maxBatchSize: $0) } ?? KafkaConsumer.Options())
        if o.group != nil {
            try consumer.subscribe(topics: [o.topic])
        } else {
            // No warm-up query before assign(). A watermark query (ListOffsets) for one partition
            // made that partition's leader fetch it first; at its end the mock parks the next
            // Fetch for fetch.wait.max.ms, and the start-offset lookups for the other partitions
            // on that connection wait behind it: a 0.5 s stall in the timed window in about one
            // run of eight (measured with statistics: 40 of 48 partitions in offset-query).
            var assignment: [TopicPartition: KafkaOffset] = [:]
            for p in 0..<o.partitions { assignment[TopicPartition(o.topic, Int32(p))] = .beginning }
            try await consumer.assign(assignment)
            log("consume: topic \(o.topic): \(o.partitions) partitions")
        }
    } catch {
        log("consumer: \(error)")
        return 1
    }
    let api = o.single ? "poll" : (o.mainActor ? "messages-mainactor" : "messages")
    let progress = ConsumeProgress()
    progress.activityNs.store(nowNs(), ordering: .relaxed)
    let n = o.n
    let m0 = MallocCounter.read()
    let loop: Task<ConsumeTally, Never>
    if o.single {
        loop = Task { await consumePollLoop(consumer, n: n, progress: progress) }
    } else if o.mainActor {
        loop = Task { @MainActor in await consumeLoop(consumer, n: n, progress: progress) }
    } else {
        loop = Task.detached { await consumeLoop(consumer, n: n, progress: progress) }
    }
    // Watchdog: give up when no message came for 15 s (the loop ends when cancelled). A plain
    // thread that sleeps, as C checks inline: Task.sleep's first call looked up protocol
    // conformances, instructions C's side does not spend.
    DispatchQueue.global().async {
        while !progress.done.load(ordering: .relaxed) {
            usleep(200_000)
            if nowNs() - progress.activityNs.load(ordering: .relaxed) > idleTimeoutNs {
                log("consume: idle timeout")
                loop.cancel()
                return
            }
        }
    }
    let tally = await loop.value
    let tLast = nowNs()
    let m1 = MallocCounter.read()
    progress.done.store(true, ordering: .relaxed)

    if o.group == nil {
        var available: Int64 = 0
        for p in 0..<o.partitions {
            if let w = try? await consumer.watermarkOffsets(for: TopicPartition(o.topic, Int32(p))) {
                available += w.high - w.low
            }
        }
        log("consume: \(available) messages available")
        if available < o.n { log("WARNING: only \(available) messages available, \(o.n) requested") }
    }
    var secs = tally.tFirst > 0 ? Double(tLast - tally.tFirst) / 1e9 : 0
    let total = Double(tLast - tStart) / 1e9
    log("consume[\(api)]: \(tally.count) msgs, \(tally.bytes) bytes, \(format(secs, 3))s first->last, \(format(total, 3))s total")
    do { try await consumer.close(timeout: .seconds(10)) } catch { log("close: \(error)") }

    let (cpu, rss) = usageStats()
    if secs <= 0 { secs = 1e-9 }
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", "consume")
    j.add("api", api)
    j.add("n", tally.count)
    j.add("size", tally.count > 0 ? Double(tally.bytes) / Double(tally.count) : 0, digits: 1)
    j.add("seconds", secs, digits: 6)
    j.add("total_seconds", total, digits: 6)
    j.add("msgs_per_sec", Double(tally.count) / secs, digits: 1)
    j.add("mb_per_sec", Double(tally.bytes) / 1e6 / secs, digits: 3)
    j.add("bytes", tally.bytes)
    j.add("cpu_seconds", cpu, digits: 3)
    j.add("peak_rss_mb", rss, digits: 1)
    j.add("errors", o.n - tally.count)
    if MallocCounter.available {
        j.add("mallocs_per_msg", tally.count > 0 ? Double(m1 &- m0) / Double(tally.count) : 0, digits: 3)
    }
    j.emit()
    return tally.count == o.n ? 0 : 1
}
