import CRdKafka

/// Owns an `rd_kafka_conf_t` until it is handed to `rd_kafka_new`, which takes it over.
final class NativeConfiguration {
    private(set) var pointer: OpaquePointer?

    /// Applies every property of `configuration`, failing on the first one librdkafka rejects.
    init(_ configuration: KafkaConfiguration) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .criticalSystemResource, message: "librdkafka could not allocate a configuration")
        }
        pointer = conf
        for entry in configuration.properties {
            var errstr = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, entry.name, entry.value, &errstr, errstr.count)
            guard result != RD_KAFKA_CONF_OK else { continue }
            var reason = Interop.string(errstr)
            if entry.isSecret, !entry.value.isEmpty {
                reason = reason.replacing(entry.value, with: KafkaConfiguration.redacted)
            }
            let shown = entry.isSecret ? KafkaConfiguration.redacted : "\"\(entry.value)\""
            if result == RD_KAFKA_CONF_UNKNOWN, let (since, what) = Librdkafka.newerProperties[entry.name],
               Librdkafka.loadedVersion < since {
                throw KafkaError.configuration(
                    entry.name, "'\(entry.name)' (\(what)) needs librdkafka \(since) or later; this process loaded librdkafka \(Librdkafka.version)",
                    origin: entry.origin,
                    fix: "install a newer librdkafka (Homebrew, or your distribution's newer release; the SDK uses it without a rebuild), or remove '\(entry.name)'")
            }
            if result == RD_KAFKA_CONF_UNKNOWN {
                throw KafkaError.configuration(
                    entry.name, "librdkafka has no property '\(entry.name)' (\(reason))", origin: entry.origin,
                    fix: JavaTranslation.hint(forUnknown: entry.name)
                        ?? "check the name against librdkafka's CONFIGURATION.md, or remove it")
            }
            throw KafkaError.configuration(
                entry.name, "librdkafka rejected the value \(shown): \(reason)", origin: entry.origin,
                fix: "give '\(entry.name)' a value librdkafka accepts (see CONFIGURATION.md)")
        }
    }

    /// Gives up ownership (to `rd_kafka_new`, which destroys the configuration on success).
    func release() -> OpaquePointer? {
        defer { pointer = nil }
        return pointer
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }
}
