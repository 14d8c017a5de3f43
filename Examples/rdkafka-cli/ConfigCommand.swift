import RdKafka

/// `rdkafka-cli config`: the effective configuration, secrets redacted, with origins.
enum ConfigCommand {
    static let usage = CommandUsage(name: "config", text: """
        config  [-F file] [-X k=v]...   print the effective configuration, secrets redacted,
                                        with where each value came from
        """)

    static func run(_ arguments: [String]) throws {
        let options = try ClientOptions(arguments, usage: usage)
        try options.rejectUnknown()
        let config = try options.configuration()
        for entry in config.properties {
            let shown = entry.isSecret ? KafkaConfiguration.redacted : entry.value
            print("\(entry.name)=\(shown)    # \(entry.origin)")
        }
        for warning in config.warnings { print("# note: \(warning)") }
        do {
            try config.validate()
            print("# valid for librdkafka \(Librdkafka.version)")
        } catch {
            print("# INVALID: \(error)")
            throw error
        }
    }
}
