import Foundation
import RdKafka
import RdKafkaTesting

// rdkafka-cli: the SDK's sample command-line client.
// `rdkafka-cli demo` produces and consumes a few messages end to end.

@main
struct RdKafkaCLI {
    static func main() async {
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
            case "help", "--help", "-h": print(usage)
            default:
                FileHandle.standardError.write(Data("rdkafka-cli: unknown command '\(command)'\n\n\(usage)\n".utf8))
                exit(2)
            }
        } catch let error as KafkaError {
            FileHandle.standardError.write(Data("rdkafka-cli: \(error)\n".utf8))
            exit(1)
        } catch {
            FileHandle.standardError.write(Data("rdkafka-cli: \(error)\n".utf8))
            exit(1)
        }
    }

    static let usage = """
        Usage: rdkafka-cli <command> [options]

        Commands:
          demo    [-b brokers]            produce and consume a few messages end to end
                                          (starts an embedded mock cluster unless -b or
                                          KAFKA_BOOTSTRAP_SERVERS names brokers)
          produce -t topic [-p partition] [-K keydelim] [-D delim] [-H name=value]... [-J] [--report]
                  [--undelivered FILE] [file]
                                          one message per line of file or standard input;
                                          -J: each line a JSON object as consume -J prints it
                                          ({"key":..,"value":..,"headers":[..],"partition":..});
                                          exits 1 with a count when any message failed;
                                          on SIGINT/SIGTERM stops reading, delivers what is
                                          queued and hands back (FILE or stderr) the rest
          consume -t topic [-p partition] [-o beginning|end|stored|OFFSET|s@MS] [-G group]
                  [-c count] [-e] [-J]        by assignment, or in group -G; -e stops at the end,
                                          -J prints JSON lines (topic, partition, offset, ...)
          config  [-F file] [-X k=v]...   print the effective configuration, secrets redacted,
                                          with where each value came from
          check   [-b brokers] [-F file] [-X k=v]...
                                          diagnose connectivity and security step by step:
                                          config, resolve, TCP connect, TLS, SASL, metadata;
                                          prints pass/FAIL and the fix, exits 1 on a failure
          topics  list | describe NAME | create NAME --partitions N [--replication-factor R]
                  [--config k=v]... | delete NAME
          groups  list | describe GROUP | lag GROUP

        Common options (kcat's letters):
          -b brokers        bootstrap servers (host:port,...)
          -F file           configuration file (.properties, or .json with --section NAME)
          -X name=value     any librdkafka property; repeatable
          Environment: KAFKA_<PROPERTY> (KAFKA_BOOTSTRAP_SERVERS, KAFKA_SASL_PASSWORD, ...)
          Precedence, low to high: file, environment, -b/-X.
        """
}
