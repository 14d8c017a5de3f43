import RdKafka

/// `rdkafka-cli cluster describe` and `rdkafka-cli offsets list`: what kcat -L and
/// kafka-get-offsets show, through the admin calls of librdkafka 2.3 and later.
enum ClusterCommand {
    static let usage = CommandUsage(name: "cluster", text: """
        cluster describe
                cluster id, controller, brokers and racks (librdkafka 2.3+)
        """)
    static let offsetsUsage = CommandUsage(name: "offsets", text: """
        offsets list TOPIC [--time MS | --earliest | --max-timestamp] [--read-committed]
                per partition: the latest offset, or the one asked for (librdkafka 2.3+)
        """)

    static func cluster(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: usage)
        guard options.rest.first == "describe" else { throw CLIError("cluster needs describe") }
        options.rest.removeFirst()
        try options.rejectUnknown()
        let admin = try KafkaAdmin(configuration: try options.configuration())
        let cluster = try await admin.describeCluster()
        print("cluster \(cluster.clusterID ?? "(no id)")\tcontroller \(cluster.controller.map { String($0.id) } ?? "unknown")")
        for broker in cluster.brokers {
            print("  broker \(broker.id)\t\(broker.host):\(broker.port)\track \(broker.rack ?? "-")")
        }
    }

    static func offsets(_ arguments: [String]) async throws {
        var options = try ClientOptions(arguments, usage: offsetsUsage)
        guard options.rest.first == "list" else { throw CLIError("offsets needs list TOPIC") }
        options.rest.removeFirst()
        var query = OffsetQuery.latest
        if let text = try options.flag("--time") {
            guard let ms = Int64(text), ms >= 0 else { throw CLIError("--time takes milliseconds since the epoch, got '\(text)'") }
            query = .time(KafkaTimestamp(millisecondsSinceEpoch: ms))
        }
        if options.switchFlag("--earliest") { query = .earliest }
        if options.switchFlag("--max-timestamp") { query = .maxTimestamp }
        let readCommitted = options.switchFlag("--read-committed")
        try options.rejectUnknown()
        let topic = try options.positional("topic name")
        let admin = try KafkaAdmin(configuration: try options.configuration())
        guard let found = try await admin.metadata(topic: topic).topics.first, found.error == nil else {
            throw CLIError("topic \(topic) not found")
        }
        let partitions = found.partitions.map { TopicPartition(topic, $0.id) }
        let offsets = try await admin.listOffsets(Dictionary(uniqueKeysWithValues: partitions.map { ($0, query) }), readCommitted: readCommitted)
        for tp in partitions {
            switch offsets[tp] {
            case .success(let listed):
                let time = listed.timestamp.map { "\ttimestamp \($0.millisecondsSinceEpoch)" } ?? ""
                print("\(tp.topic)\t\(tp.partition)\t\(listed.offset.map(String.init) ?? "none")\(time)")
            case .failure(let error):
                print("\(tp.topic)\t\(tp.partition)\terror \(error)")
            case nil:
                print("\(tp.topic)\t\(tp.partition)\tno answer")
            }
        }
    }
}
