import RdKafka

/// `rdkafka-cli configs broker ID`: a broker's settings, and changes to its dynamic ones.
enum ConfigsCommand {
    static let usage = CommandUsage(name: "configs", text: """
        configs broker ID [--set k=v]... [--delete k]...
                the broker's settings with where each comes from; --set/--delete
                change its run-time settings (others stay as they are)
        """)

    static func run(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        var sets: [String: String] = [:]
        var deletes: [String] = []
        while let pair = try options.flag("--set") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw CLIError("--set takes name=value, got '\(pair)'") }
            sets[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        while let name = try options.flag("--delete") { deletes.append(name) }
        try options.rejectUnknown()
        guard (try? options.positional("broker")) == "broker" else { throw CLIError("configs needs broker ID") }
        let text = try options.positional("broker id")
        guard let id = Int32(text), id >= 0 else { throw CLIError("broker id must be a number >= 0, got '\(text)'") }
        let admin = try KafkaAdmin(configuration: try options.configuration())
        if !sets.isEmpty || !deletes.isEmpty {
            try await admin.alterBrokerConfig(id, set: sets, delete: deletes)
        }
        for entry in try await admin.describeBrokerConfig(id) {
            let value = entry.isSensitive ? "[sensitive]" : (entry.value ?? "-")
            print("\(entry.name)=\(value)\t\(entry.source)\(entry.isReadOnly ? "\tread-only" : "")")
        }
    }
}
