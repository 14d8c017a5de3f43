import RdKafka

/// `rdkafka-cli groups`: list, describe consumer groups and show their lag (``usage``).
enum GroupsCommand {
    static let usage = CommandUsage(name: "groups", text: """
        groups  list [--state S]... | describe GROUP | lag GROUP | delete-offsets GROUP TOPIC [--partition N]...
                --state: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead
        """)

    static func run(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        var states: Set<ConsumerGroupState> = []
        while let text = try options.flag("--state") {
            guard let state = ConsumerGroupState.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw CLIError("unknown group state '\(text)': use \(ConsumerGroupState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            states.insert(state)
        }
        var partitions: [Int32] = []
        while let text = try options.flag("--partition") {
            guard let p = Int32(text), p >= 0 else { throw CLIError("--partition takes a number >= 0, got '\(text)'") }
            partitions.append(p)
        }
        try options.rejectUnknown()
        let actions = ["list", "describe", "lag", "delete-offsets"]
        guard !options.rest.isEmpty else { throw CLIError("groups needs \(actions.joined(separator: ", "))") }
        let action = options.rest.removeFirst()
        guard actions.contains(action) else {
            throw CLIError("unknown groups action '\(action)': use \(actions.joined(separator: ", "))")
        }
        let admin = try KafkaAdmin(configuration: try options.configuration())
        switch action {
        case "list":
            for group in try await admin.listConsumerGroups(states: states) {
                print("\(group.groupID)\t\(group.state)\(group.isSimple ? "\tsimple" : "")")
            }
        case "describe":
            let id = try options.positional("group id")
            for group in try await admin.describeConsumerGroups([id]) {
                if let error = group.error { throw error }
                print("group \(group.groupID): \(group.state), assignor \(group.partitionAssignor.isEmpty ? "-" : group.partitionAssignor), coordinator \(group.coordinator.map(String.init) ?? "unknown")")
                for member in group.members {
                    print("  member \(member.memberID) client \(member.clientID) host \(member.host)")
                    for tp in member.assignment { print("    \(tp)") }
                }
            }
        case "delete-offsets":
            let id = try options.positional("group id")
            let topic = try options.positional("topic")
            if partitions.isEmpty {
                // Every partition the group has an offset for in the topic.
                partitions = try await admin.consumerGroupOffsets(id).keys.filter { $0.topic == topic }.map(\.partition).sorted()
                if partitions.isEmpty { throw CLIError("group \(id) has no committed offsets in \(topic)") }
            }
            let results = try await admin.deleteConsumerGroupOffsets(id, partitions.map { TopicPartition(topic, $0) })
            var failed = false
            for (tp, error) in results.sorted(by: { $0.key.partition < $1.key.partition }) {
                if let error { failed = true; print("\(tp)\terror \(error)") } else { print("\(tp)\tdeleted") }
            }
            if failed { throw CLIError("some offsets were not deleted") }
        default:
            let id = try options.positional("group id")
            let lags = try await admin.consumerGroupLag(id)
            print("TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG")
            for lag in lags {
                print("\(lag.partition.topic)\t\(lag.partition.partition)\t\(lag.committed.map(String.init) ?? "-")\t\(lag.end)\t\(lag.lag)")
            }
            print("TOTAL\t\t\t\t\(lags.reduce(0) { $0 + $1.lag })")
        }
    }
}
