import RdKafka

/// `rdkafka-cli topics`: list, describe, create and delete topics (``usage``).
enum TopicsCommand {
    static let usage = CommandUsage(name: "topics", text: """
        topics  list | describe NAME | create NAME --partitions N [--replication-factor R]
                [--config k=v]... | delete NAME | alter-config NAME [--set k=v]... [--delete k]...
        """)

    static func run(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        // The action comes first; an option there is left for rejectUnknown to name.
        var given: String? = nil
        if let first = options.rest.first, !ClientOptions.isOption(first) { given = options.rest.removeFirst() }
        // Only create takes these: given to another action, they are unknown options.
        var partitions: Int32 = 1
        var replication: Int32? = nil  // the broker's default.replication.factor
        var configs: [String: String] = [:]
        var deletes: [String] = []
        func count(_ flag: String) throws -> Int32? {
            guard let text = try options.flag(flag) else { return nil }
            guard let value = Int32(text), value > 0 else { throw CLIError("\(flag) takes a whole number above 0, got '\(text)'") }
            return value
        }
        func pairs(_ flag: String) throws {
            while let pair = try options.flag(flag) {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw CLIError("\(flag) takes name=value, got '\(pair)'") }
                configs[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
        }
        if given == "create" {
            partitions = try count("--partitions") ?? 1
            replication = try count("--replication-factor")
            try pairs("--config")
        }
        if given == "alter-config" {
            try pairs("--set")
            while let name = try options.flag("--delete") { deletes.append(name) }
            if configs.isEmpty && deletes.isEmpty { throw CLIError("topics alter-config needs --set k=v or --delete k") }
        }
        try options.rejectUnknown()
        let actions = ["list", "describe", "create", "delete", "alter-config"]
        guard let action = given else { throw CLIError("topics needs \(actions.joined(separator: ", "))") }
        guard actions.contains(action) else {
            throw CLIError("unknown topics action '\(action)': use \(actions.joined(separator: ", "))")
        }
        let admin = try KafkaAdmin(configuration: try options.configuration())
        switch action {
        case "list":
            let metadata = try await admin.metadata()
            for topic in metadata.topics where !topic.name.hasPrefix("__") {
                print("\(topic.name)\tpartitions=\(topic.partitions.count)\treplicas=\(topic.partitions.first?.replicas.count ?? 0)")
            }
        case "describe":
            let name = try options.positional("topic name")
            let metadata = try await admin.metadata(topic: name)
            guard let topic = metadata.topics.first, topic.error == nil else {
                throw metadata.topics.first?.error ?? CLIError("topic \(name) not found")
            }
            print("topic \(topic.name): \(topic.partitions.count) partitions")
            for p in topic.partitions {
                print("  partition \(p.id)\tleader \(p.leader.map(String.init) ?? "none")\treplicas \(p.replicas.map(String.init).joined(separator: ","))\tisr \(p.inSyncReplicas.map(String.init).joined(separator: ","))")
            }
            for entry in try await admin.describeTopicConfig(name) where !entry.isDefault {
                print("  config \(entry.name)=\(entry.isSensitive ? KafkaConfiguration.redacted : entry.value ?? "")")
            }
        case "create":
            let name = try options.positional("topic name")
            try report(try await admin.createTopics([NewTopic(name: name, partitions: partitions, replicationFactor: replication, configs: configs)]), "created")
        case "alter-config":
            let name = try options.positional("topic name")
            try await admin.alterTopicConfig(name, set: configs, delete: deletes)
            print("altered \(name): " + (configs.keys.sorted().map { "\($0)=\(configs[$0]!)" } + deletes.sorted().map { "-\($0)" }).joined(separator: " "))
        default:
            let name = try options.positional("topic name")
            try report(try await admin.deleteTopics([name]), "deleted")
        }
    }

    static func report(_ results: [AdminResult], _ verb: String) throws {
        for result in results {
            if let error = result.error { throw error }
            print("\(verb) \(result.name)")
        }
    }
}
