import Foundation
import RdKafka
import RdKafkaTesting
import Synchronization

/// One of the package's executables (`rdkafka-cli`, the examples), run as a child process.
/// `swift build`, which `make test` runs first, puts them next to the test bundle.
/// Output (stdout and stderr together) is collected as it arrives, so a test can wait for a
/// line, signal the process, and read what it printed.
final class ExampleProcess: Sendable {
    private let process: Process
    /// Shared with the pipe's readability handler, which appends as bytes arrive.
    private final class Buffer: Sendable { let data = Locked(Data()) }
    private let buffer = Buffer()

    init(_ name: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil, directory: String? = nil) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw KafkaTestTimeout(what: "the \(name) binary at \(binary.path) (run swift build first)", got: 0)
        }
        process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // The child sees only the KAFKA_* variables the test names. Under `make check` the
        // children are AddressSanitizer builds too: their memory errors still fail them, but
        // what exit() leaves allocated is not a leak (the suite checks leaks in-process).
        var childEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KAFKA_") }
        childEnvironment["ASAN_OPTIONS"] = "detect_leaks=0"
        process.environment = childEnvironment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        let buffer = self.buffer
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { buffer.data.withLock { $0.append(data) } }
        }
        try process.run()
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
    }

    var text: String { buffer.data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits until the output contains `needle` `count` times.
    func waitFor(_ needle: String, count: Int = 1, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while text.components(separatedBy: needle).count - 1 < count {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw KafkaTestTimeout(what: "'\(needle)' x\(count) in the output of \(process.executableURL?.lastPathComponent ?? "?"):\n\(text)", got: 0)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end; returns its exit status and everything it printed.
    /// A process still running after `timeout` is killed (status 9), so a hung example fails
    /// its test instead of hanging the suite.
    func waitForExit(timeout: Duration = .seconds(120)) -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // Let the readability handler take the last bytes.
        if let pipe = process.standardOutput as? Pipe {
            pipe.fileHandleForReading.readabilityHandler = nil
            let rest = pipe.fileHandleForReading.readDataToEndOfFile()
            buffer.data.withLock { $0.append(rest) }
        }
        return (process.terminationStatus, text)
    }
}
