import Foundation
import RdKafka

/// `rdkafka-cli check`: a connectivity and security diagnosis, one line per step with
/// pass/fail and the fix: configuration, name resolution, TCP connect, then TLS, SASL and
/// metadata through librdkafka itself (the same code path an app uses).
enum CheckCommand {
    static let usage = CommandUsage(name: "check", text: """
        check   [-b brokers] [-F file] [-X k=v]...
                                        diagnose connectivity and security step by step:
                                        config, resolve, TCP connect, TLS, SASL, metadata;
                                        prints pass/FAIL and the fix, exits 1 on a failure
        """)

    static func run(_ arguments: [String]) async throws -> Int32 {
        let options = try ClientOptions(arguments, usage: usage)
        try options.rejectUnknown()
        var report = Report()
        let config: KafkaConfiguration
        do {
            config = try options.configuration()
            try config.validate()
            let security = config.securityProtocol?.rawValue ?? "plaintext"
            let mechanism = config.saslMechanism.map { ", sasl.mechanisms=\($0.rawValue)" } ?? ""
            report.pass("config", "security.protocol=\(security)\(mechanism)")
        } catch {
            report.fail("config", "\(error)")
            return report.finish()
        }
        guard !config.bootstrapServers.isEmpty else {
            report.fail("config", "bootstrap.servers is not set", fix: "pass -b host:port, set it in the -F file, or export KAFKA_BOOTSTRAP_SERVERS")
            return report.finish()
        }
        var reachable = false
        for server in config.bootstrapServers {
            guard let (host, port) = split(server) else {
                report.fail("resolve", "'\(server)' is not host:port", fix: "write bootstrap.servers as host:port[,host:port...]")
                continue
            }
            let addresses: [String]
            switch Sockets.resolve(host, port) {
            case .success(let found):
                addresses = found
                report.pass("resolve", "\(host) -> \(found.joined(separator: ", "))")
            case .failure(let message):
                report.fail("resolve", "\(host): \(message)", fix: "check the host name in bootstrap.servers and DNS")
                continue
            }
            switch Sockets.connect(addresses.first ?? host, port, timeoutMs: 3_000) {
            case nil:
                reachable = true
                report.pass("tcp", "\(server) accepts connections")
            case let message?:
                report.fail("tcp", "\(server): \(message)", fix: "check the port, that the broker runs, and firewalls between here and it")
            }
        }
        guard reachable else { return report.finish() }

        let tls = config.securityProtocol == .ssl || config.securityProtocol == .saslSSL
        let sasl = config.securityProtocol == .saslPlaintext || config.securityProtocol == .saslSSL
        do {
            let admin = try KafkaAdmin(configuration: config, logHandler: { _ in })
            let metadata = try await admin.metadata(timeout: .seconds(10))
            if tls { report.pass("tls", "handshake done, broker certificate trusted") }
            if sasl { report.pass("sasl", "authenticated as \(config["sasl.username"] ?? "?") with \(config.saslMechanism?.rawValue ?? "?")") }
            let cluster = metadata.clusterID.map { "cluster \($0), " } ?? ""
            report.pass("metadata", "\(cluster)\(metadata.brokers.count) broker(s), \(metadata.topics.count) topic(s)")
        } catch {
            let step = error.code == .ssl || (error.code == .transport && error.message.lowercased().contains("ssl")) ? "tls"
                : error.code == .authentication ? "sasl" : "metadata"
            report.fail(step, error.message, fix: error.fix)
        }
        return report.finish()
    }

    struct Report {
        private var failures = 0
        mutating func pass(_ step: String, _ detail: String) {
            print("\(step.padding(toLength: 9, withPad: " ", startingAt: 0)) pass  \(detail)")
        }
        mutating func fail(_ step: String, _ detail: String, fix: String? = nil) {
            failures += 1
            print("\(step.padding(toLength: 9, withPad: " ", startingAt: 0)) FAIL  \(detail)")
            if let fix { print("          fix:  \(fix)") }
        }
        func finish() -> Int32 {
            print(failures == 0 ? "check: all steps passed" : "check: \(failures) step(s) failed")
            return failures == 0 ? 0 : 1
        }
    }

    private static func split(_ server: String) -> (String, String)? {
        var text = server
        if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
        guard let colon = text.lastIndex(of: ":"), !text[..<colon].isEmpty, Int(text[text.index(after: colon)...]) != nil else { return nil }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host, String(text[text.index(after: colon)...]))
    }
}
