import Foundation
import RdKafka
import RdKafkaTesting

// rdkafka-cli: the SDK's sample command-line client.
// `rdkafka-cli demo` produces and consumes a few messages end to end.

@main
struct RdKafkaCLI {
    /// Synchronous, waiting for a detached task: an `async` main ends the main thread inside
    /// dispatch_main, and valgrind 3.19 then dies at the next thread start, so the CLI could not
    /// be profiled with callgrind.
    static func main() {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await run()
            done.signal()
        }
        done.wait()
    }

    static func run() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let command = arguments.isEmpty ? "help" : arguments.removeFirst()
        do {
            switch command {
            case "demo": try await Demo.run(arguments)
            case "produce", "P": exit(try await ProduceCommand.run(arguments))
            case "consume", "C": exit(try await ConsumeCommand.run(arguments))
            case "config": try ConfigCommand.run(arguments)
            case "check": exit(try await CheckCommand.run(arguments))
            case "topics": try await TopicsCommand.run(arguments)
            case "groups": try await GroupsCommand.run(arguments)
            case "cluster": try await ClusterCommand.cluster(arguments)
            case "offsets": try await ClusterCommand.offsets(arguments)
            case "acls": try await AclsCommand.run(arguments)
            case "configs": try await ConfigsCommand.run(arguments)
            case "help", "--help", "-h":
                // `help COMMAND`: that command's usage.
                if let name = arguments.first, let one = commands.first(where: { $0.name == name }) {
                    print(one.help)
                } else {
                    print(usage)
                }
            default:
                FileHandle.standardError.write(Data("rdkafka-cli: unknown command '\(command)'\n\n\(usage)\n".utf8))
                exit(2)
            }
        } catch let help as HelpRequested {
            print(help.usage.help)
            exit(0)
        } catch let error as CLIError where error.usage != nil {
            FileHandle.standardError.write(Data("rdkafka-cli: \(error)\n\n\(error.usage?.help ?? "")\n".utf8))
            exit(2)
        } catch let error as KafkaError {
            FileHandle.standardError.write(Data("rdkafka-cli: \(error)\n".utf8))
            exit(1)
        } catch {
            FileHandle.standardError.write(Data("rdkafka-cli: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Every command's usage, in the order `help` lists them.
    static let commands = [
        Demo.usage, ProduceCommand.usage, ConsumeCommand.usage, ConfigCommand.usage, CheckCommand.usage,
        TopicsCommand.usage, GroupsCommand.usage, ClusterCommand.usage, ClusterCommand.offsetsUsage,
        AclsCommand.usage, ConfigsCommand.usage,
    ]

    static let usage = """
        Usage: rdkafka-cli <command> [options]
               rdkafka-cli <command> --help     one command's usage

        Commands:
        \(commands.map { CommandUsage.indent($0.text) }.joined(separator: "\n"))

        \(CommandUsage.commonOptions)
        """
}
