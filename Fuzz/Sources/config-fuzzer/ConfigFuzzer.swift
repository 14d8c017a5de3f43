import RdKafka

/// One libFuzzer input: the bytes as a `.properties` file and as JSON (whole, and the `Kafka`
/// section), then, for what parses, the checks a client runs and the redacted description.
/// Any crash, hang or sanitizer report is a bug; thrown `KafkaError`s are the expected outcome
/// for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for (format, section) in [(KafkaConfiguration.FileFormat.properties, nil), (.json, nil), (.json, "Kafka")] as [(KafkaConfiguration.FileFormat, String?)] {
        guard var config = try? KafkaConfiguration(parsing: text, format: format, section: section, name: "fuzz") else { continue }
        _ = try? config.applyEnvironment(["KAFKA_SASL_PASSWORD": "fuzz-secret"])
        let description = config.description
        if description.contains("fuzz-secret") { fatalError("a secret leaked into the description") }
        try? config.validate()
        _ = config.bootstrapServers
        _ = config.securityProtocol
        _ = config.saslMechanism
    }
    return 0
}
