import RdKafka

/// The options every command shares, kcat-style: `-b` brokers, `-F` config file, `-X k=v`.
/// Layers, low to high: file, environment (`KAFKA_*`), command line.
///
/// A command takes its own flags out of ``rest``, then calls ``rejectUnknown()``, so that an
/// option it does not know is an error instead of being ignored or read as a file name.
struct ClientOptions {
    var brokers: String?
    var file: String?
    var section: String?
    var overrides: [(String, String)] = []
    var rest: [String] = []
    /// The command's usage: `--help` prints it, and so does a usage error.
    let usage: CommandUsage

    /// - Throws: ``HelpRequested`` for `-h` or `--help`, before the command checks anything
    ///   else (a missing `-t`) or reads its input.
    init(_ arguments: [String], usage: CommandUsage) throws {
        self.usage = usage
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw CLIError("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "-b": brokers = try value()
            case "-F": file = try value()
            case "--section": section = try value()
            case "-X":
                let pair = try value()
                guard let eq = pair.firstIndex(of: "=") else { throw CLIError("-X takes name=value, got '\(pair)'") }
                overrides.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
            default: rest.append(arguments[i])
            }
            i += 1
        }
        if rest.contains("--help") || rest.contains("-h") { throw HelpRequested(usage: usage) }
    }

    /// Removes and returns the next positional argument (`-` alone, standard input, is one).
    mutating func positional(_ what: String) throws -> String {
        guard let index = rest.firstIndex(where: { !Self.isOption($0) }) else { throw CLIError("missing \(what)") }
        return rest.remove(at: index)
    }

    /// Removes `name value` from the remaining arguments and returns the value.
    mutating func flag(_ name: String) throws -> String? {
        guard let index = rest.firstIndex(of: name) else { return nil }
        guard index + 1 < rest.count else { throw CLIError("\(name) needs a value") }
        let value = rest[index + 1]
        rest.removeSubrange(index...(index + 1))
        return value
    }

    /// Removes every `name` (an option without a value) and tells whether there was one.
    mutating func switchFlag(_ name: String) -> Bool {
        let before = rest.count
        rest.removeAll { $0 == name }
        return rest.count != before
    }

    /// Fails on the first option the command has not taken out of ``rest``: a usage error
    /// (status 2) that names it. Positional arguments stay for the command.
    func rejectUnknown() throws {
        if let unknown = rest.first(where: Self.isOption) {
            throw CLIError("\(usage.name): unknown option '\(unknown)'", usage: usage)
        }
    }

    /// `-x` or `--xyz`; `-` alone is not an option (it names standard input).
    static func isOption(_ argument: String) -> Bool { argument.hasPrefix("-") && argument != "-" }

    func configuration() throws -> KafkaConfiguration {
        var config = try KafkaConfiguration.load(file: file, section: section)
        if let brokers { config["bootstrap.servers"] = brokers }
        for (name, value) in overrides { config[name] = value }
        return config
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    /// Set when the command line itself is wrong: the usage is printed too, and the exit
    /// status is 2, as for an unknown command.
    var usage: CommandUsage?
    init(_ description: String, usage: CommandUsage? = nil) {
        self.description = description
        self.usage = usage
    }
}

/// `-h` or `--help`: not a failure; the top level prints the usage and exits 0.
struct HelpRequested: Error {
    let usage: CommandUsage
}

/// One command's usage, written once in its command's file: `rdkafka-cli CMD --help` prints
/// it, a usage error prints it, and `rdkafka-cli help` lists every command's.
struct CommandUsage: Sendable {
    let name: String
    /// The synopsis and what the command does, as listed under "Commands:".
    let text: String

    var help: String {
        "Usage: rdkafka-cli \(name) [options]\n\n\(Self.indent(text))\n\n\(Self.commonOptions)"
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + String($0) }.joined(separator: "\n")
    }

    static let commonOptions = """
        Common options (kcat's letters):
          -b brokers        bootstrap servers (host:port,...)
          -F file           configuration file (.properties, or .json with --section NAME)
          -X name=value     any librdkafka property; repeatable
          -h, --help        print the command's usage
          Environment: KAFKA_<PROPERTY> (KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_PASSWORD, ...)
          Precedence, low to high: file, environment, -b/-X.
        """
}
