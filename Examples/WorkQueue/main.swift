import Foundation
import ExampleSupport
import RdKafka

// A work queue on a Kafka share group (KIP-932): several workers read the same topic, each job
// goes to one worker at a time. A worker that fails a job releases it, and the group hands it
// out again (perhaps to another worker) with a higher delivery count; a job that keeps failing
// is rejected after --max-tries deliveries and never handed out again.
//
//   work-queue -b localhost:9092 [-F client.properties] [--topic jobs] [-G workers]
//       [--workers 3] [--max-tries 3] [--work-ms 0] [--idle SECONDS]
//
// Each worker takes one job at a time (max.poll.records=1 unless the file says otherwise), so
// that jobs spread over the workers instead of waiting in one worker's batch. Jobs are text;
// each takes --work-ms milliseconds. For the demonstration, a job containing "flaky" fails on its first delivery,
// and one containing "poison" fails every time. A share group starts at the latest offset:
// set the group's share.auto.offset.reset=earliest to work off jobs queued before it existed.
// Needs librdkafka 2.15 or later and a broker with share groups (Kafka 4.2).

var arguments = CommandLineArguments(program: "work-queue", usage: """
    work-queue -b BROKERS [-F FILE] [--topic TOPIC] [-G GROUP] [--workers N] [--max-tries N] [--work-ms N] [--idle SECONDS]
    """)
let topic = arguments.option("--topic") ?? "jobs"
let group = arguments.option("-G") ?? "workers"
let workerCount = arguments.number("--workers") ?? 3
let maxTries = arguments.number("--max-tries") ?? 3
let workMilliseconds = arguments.number("--work-ms") ?? 0
let idleSeconds = arguments.number("--idle")
let file = arguments.option("-F")
let brokers = arguments.option("-b")
arguments.expectNoMore()

struct JobFailed: Error {}

/// The work itself: fails as the demonstration says.
func perform(_ job: String, delivery: Int) throws {
    if job.contains("poison") || (job.contains("flaky") && delivery == 1) { throw JobFailed() }
}

/// Progress, shared by the workers, for the idle stop and the summary. Share groups deliver at
/// least once: a job whose acknowledgement did not reach the broker (the worker left, or the
/// group's assignment changed meanwhile) comes again, so jobs must be safe to do twice, and the
/// summary counts each job once.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date()
    private var done: Set<String> = []
    private var again = 0
    private var rejected = 0
    func record(done job: String? = nil, rejected: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        last = Date()
        if let job, !done.insert(job).inserted { again += 1 }
        if rejected { self.rejected += 1 }
    }
    var idle: TimeInterval { lock.lock(); defer { lock.unlock() }; return Date().timeIntervalSince(last) }
    var summary: String {
        lock.lock()
        defer { lock.unlock() }
        let repeats = again == 0 ? "" : " (\(again) done again after a redelivery)"
        return "\(done.count) jobs done, \(rejected) rejected\(repeats)"
    }
}

/// Prints one line at a time, whole, from any worker.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

do {
    var config = try KafkaConfiguration.load(file: file)
    if let brokers { config["bootstrap.servers"] = brokers }
    config.groupID = group
    config.shareAcknowledgementMode = .explicit
    if config.maxPollRecords == nil { config.maxPollRecords = 1 }
    let progress = Progress()
    let workers = try (0..<workerCount).map { _ in try KafkaShareConsumer(configuration: config) }
    for worker in workers { try await worker.subscribe(topics: [topic]) }
    say("\(workerCount) workers in share group \(group) on \(topic)")

    let loops = workers.enumerated().map { number, worker in
        Task {
            for try await job in worker.messages {
                let name = job.valueString ?? ""
                let delivery = job.deliveryCount ?? 1
                do {
                    try await Task.sleep(for: .milliseconds(workMilliseconds))
                    try perform(name, delivery: delivery)
                    try worker.acknowledge(job, .accept)
                    say("worker \(number) did \(name) (delivery \(delivery))")
                    progress.record(done: name)
                } catch is JobFailed where delivery >= maxTries {
                    try worker.acknowledge(job, .reject)
                    say("worker \(number) rejected \(name) after \(delivery) deliveries")
                    progress.record(rejected: true)
                } catch is JobFailed {
                    try worker.acknowledge(job, .release)
                    say("worker \(number) released \(name) (delivery \(delivery))")
                    progress.record()
                }
            }
        }
    }
    // SIGINT/SIGTERM, or --idle seconds without a job, end the loops; the close then sends
    // the acknowledgements and releases what a worker had not finished.
    let stop = { for loop in loops { loop.cancel() } }
    let signals = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: stop)
        source.resume()
        return source
    }
    if let idleSeconds {
        Task {
            while progress.idle < TimeInterval(idleSeconds) { try await Task.sleep(for: .milliseconds(200)) }
            stop()
        }
    }
    var failure: Error?
    for loop in loops {
        if case .failure(let error) = await loop.result { failure = failure ?? error }
    }
    signals.forEach { $0.cancel() }
    for worker in workers { try await worker.close() }
    if let failure { throw failure }
    say(progress.summary)
} catch {
    arguments.exit(error)
}
