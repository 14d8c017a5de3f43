import Foundation
import RdKafka

/// `rdkafka-cli consume --share-group NAME`: a member of a share group (KIP-932), for trying
/// acknowledgements by hand.
enum ShareConsumeCommand {
    static func run(topic: String, group: String, ack: String?, limit: Int?, json: Bool, config: KafkaConfiguration) async throws -> Int32 {
        let acknowledgement: KafkaShareConsumer.Acknowledgement?
        switch ack {
        case nil: acknowledgement = nil
        case "accept": acknowledgement = .accept
        case "release": acknowledgement = .release
        case "reject": acknowledgement = .reject
        case let other?: throw CLIError("--ack takes accept, release or reject; got '\(other)'", usage: ConsumeCommand.usage)
        }
        var config = config
        config.groupID = group
        // Without --ack the consumer accepts what it printed; with it, each record is acknowledged that way.
        config.shareAcknowledgementMode = acknowledgement == nil ? .implicit : .explicit
        let consumer = try KafkaShareConsumer(configuration: config)
        try await consumer.subscribe(topics: [topic])
        // SIGINT/SIGTERM end the loop; the close then releases records not printed yet.
        let loop = Task {
            var consumed = 0
            guard limit != 0 else { return }
            for try await message in consumer.messages {
                FileHandle.standardOutput.write(Data(((json ? ConsumeCommand.jsonLine(message) : (message.valueString ?? "")) + "\n").utf8))
                if let acknowledgement { try consumer.acknowledge(message, acknowledgement) }
                consumed += 1
                if let limit, consumed >= limit { return }
            }
        }
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { loop.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let outcome = await loop.result
        try await consumer.close()
        try outcome.get()
        return 0
    }
}
