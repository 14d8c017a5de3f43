import Foundation

/// The examples' command line: `-x value` options taken out by name, the rest positional.
/// Small on purpose: the examples are about Kafka, not argument parsing.
public struct CommandLineArguments {
    public private(set) var remaining: [String]
    private let program: String
    private let usage: String

    public init(program: String, usage: String, _ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        self.program = program
        self.usage = usage
        self.remaining = arguments
    }

    /// Removes `name value` and returns the value, or nil when `name` is absent.
    public mutating func option(_ name: String) -> String? {
        guard let index = remaining.firstIndex(of: name) else { return nil }
        guard index + 1 < remaining.count else { fail("\(name) needs a value") }
        defer { remaining.removeSubrange(index...(index + 1)) }
        return remaining[index + 1]
    }

    /// Like ``option(_:)``, for a whole number.
    public mutating func number(_ name: String) -> Int? {
        option(name).map { text in
            guard let value = Int(text) else { fail("\(name) takes a number, got '\(text)'") }
            return value
        }
    }

    /// Ends the program when arguments are left that nothing asked for.
    public func expectNoMore(positional count: Int = 0) {
        if remaining.count > count { fail("unexpected arguments \(remaining.dropFirst(count))") }
    }

    /// Prints `error` (not the usage: the command line was fine) to standard error and exits
    /// with status 1.
    public func exit(_ error: Any) -> Never {
        FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
        Foundation.exit(1)
    }

    /// Prints `message` and the usage to standard error and exits with status 1.
    public func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(program): \(message)\nusage: \(usage)\n".utf8))
        Foundation.exit(1)
    }
}
