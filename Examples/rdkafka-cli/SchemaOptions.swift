import Foundation
import RdKafka
import RdKafkaSchemaRegistry

/// kcat's Schema Registry flags: `-s value=avro|json` (or `key=...`, or `avro` for the value)
/// and `-r URL` (`http(s)://user:secret@host:port`), or the registry settings of the `-F` file;
/// `--value-schema FILE` for produce.
struct SchemaOptions {
    enum Format: String { case avro, json }
    var key: Format?
    var value: Format?
    var registry: SchemaRegistryClient?

    init(_ options: inout ClientOptions, usage: CommandUsage) throws {
        var specs: [String] = []
        while let spec = try options.flag("-s") { specs.append(spec) }
        let url = try options.flag("-r")
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let (field, format) = parts.count == 2 ? (parts[0], parts[1]) : ("value", parts[0])
            guard let parsed = Format(rawValue: format) else {
                throw CLIError("-s \(spec): the serdes format is avro or json (JSON Schema), not '\(format)'", usage: usage)
            }
            switch field {
            case "key": key = parsed
            case "value": value = parsed
            default: throw CLIError("-s \(spec): say key=\(format) or value=\(format)", usage: usage)
            }
        }
        guard key != nil || value != nil else {
            if url != nil { throw CLIError("-r needs -s value=avro|json (or key=...)", usage: usage) }
            return
        }
        let configuration: SchemaRegistryConfiguration
        if let url {
            configuration = SchemaRegistryConfiguration(url: url)
        } else {
            do {
                configuration = try SchemaRegistryConfiguration(kafka: try options.configuration())
            } catch let error as SchemaRegistryError {
                throw CLIError("\(error.message): give -r URL, or schema.registry.url in the -F file", usage: usage)
            }
        }
        registry = SchemaRegistryClient(configuration: configuration)
    }

    var isActive: Bool { registry != nil }
}
