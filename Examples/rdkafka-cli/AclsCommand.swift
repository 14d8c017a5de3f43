import RdKafka

/// `rdkafka-cli acls`: list, create and delete ACLs, as kafka-acls does (``usage``).
enum AclsCommand {
    static let usage = CommandUsage(name: "acls", text: """
        acls  list [filter] | create binding | delete filter
                --topic NAME | --group NAME | --cluster | --transactional-id NAME
                [--prefixed] [--principal User:NAME] [--host HOST]
                [--operation read|write|create|delete|alter|describe|all|...] [--deny]
                create needs a resource, --principal and --operation; list and delete
                match any field left out
        """)

    static func run(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        var resource: (AclBinding.ResourceType, String)?
        for (flag, type) in [("--topic", AclBinding.ResourceType.topic), ("--group", .group), ("--transactional-id", .transactionalID)] {
            if let name = try options.flag(flag) { resource = (type, name) }
        }
        if options.switchFlag("--cluster") { resource = (.cluster, "kafka-cluster") }
        let prefixed = options.switchFlag("--prefixed")
        let principal = try options.flag("--principal")
        let host = try options.flag("--host")
        let operation = try options.flag("--operation").map { text in
            guard let found = AclBinding.Operation.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased().replacing("-", with: "") }) else {
                throw CLIError("unknown operation '\(text)': use one of \(AclBinding.Operation.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
            }
            return found
        }
        let deny = options.switchFlag("--deny")
        try options.rejectUnknown()
        guard let action = try? options.positional("action"), ["list", "create", "delete"].contains(action) else {
            throw CLIError("acls needs list, create or delete")
        }
        let permission: AclBinding.Permission? = deny ? .deny : (action == "create" ? .allow : nil)
        let admin = try KafkaAdmin(configuration: try options.configuration())
        switch action {
        case "create":
            guard let resource, let principal, let operation else {
                throw CLIError("acls create needs a resource (--topic, --group, --cluster or --transactional-id), --principal and --operation")
            }
            let binding = AclBinding(resource.0, resource.1, patternType: prefixed ? .prefixed : .literal, principal: principal,
                                     host: host ?? "*", operation: operation, permission: permission ?? .allow)
            let results = try await admin.createAcls([binding])
            if case .some(.some(let error)) = results[binding] { throw error }
            print("created: \(binding)")
        default:
            let filter = AclFilter(resource?.0, resource?.1, pattern: resource == nil ? .any : (prefixed ? .prefixed : .literal),
                                   principal: principal, host: host, operation: operation, permission: permission)
            if action == "list" {
                for binding in try await admin.describeAcls(filter) { print(binding) }
            } else {
                for result in try await admin.deleteAcls([filter]) {
                    for binding in try result.get() { print("deleted: \(binding)") }
                }
            }
        }
    }
}
