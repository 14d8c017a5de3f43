import RdKafka

/// The options every command shares, kcat-style: `-b` brokers, `-F` config file, `-X k=v`.
/// Layers, low to high: file, environment (`KAFKA_*`), command line.
struct ClientOptions {
    var brokers: String?
    var file: String?
    var section: String?
    var overrides: [(String, String)] = []
    var rest: [String] = []

    init(_ arguments: [String]) throws {
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
    }

    /// Removes and returns the next positional argument.
    mutating func positional(_ what: String) throws -> String {
        guard let index = rest.firstIndex(where: { !$0.hasPrefix("--") }) else { throw CLIError("missing \(what)") }
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

    func configuration() throws -> KafkaConfiguration {
        var config = try KafkaConfiguration.load(file: file, section: section)
        if let brokers { config["bootstrap.servers"] = brokers }
        for (name, value) in overrides { config[name] = value }
        return config
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
