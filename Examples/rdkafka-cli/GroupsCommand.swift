import RdKafka

/// `rdkafka-cli groups`: list, describe consumer groups and show their lag (``usage``).
enum GroupsCommand {
    static let usage = CommandUsage(name: "groups", text: """
        groups  list | describe GROUP | lag GROUP
        """)

    static func run(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        try options.rejectUnknown()
        guard !options.rest.isEmpty else { throw CLIError("groups needs list, describe or lag") }
        let action = options.rest.removeFirst()
        guard ["list", "describe", "lag"].contains(action) else {
            throw CLIError("unknown groups action '\(action)': use list, describe or lag")
        }
        let admin = try KafkaAdmin(configuration: try options.configuration())
        switch action {
        case "list":
            for group in try await admin.listConsumerGroups() {
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
