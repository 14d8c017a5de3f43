import Foundation

/// Runs the Python reference scripts next to this file with the packages `make test` installs
/// under `.build-python/interop` (PyPI's confluent-kafka with its serializers, fastavro).
enum PythonReference {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packages = directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build-python/interop").path

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `script` with `arguments`, `lines` on stdin; returns stdout's lines.
    static func run(_ script: String, _ arguments: [String], input lines: [String] = []) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory.appendingPathComponent(script).path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = packages
        environment.removeValue(forKey: "LD_LIBRARY_PATH")  // the wheel brings its own librdkafka
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "\(script) \(arguments.first ?? "") failed (make test installs its packages under .build-python/interop): \(problems)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
