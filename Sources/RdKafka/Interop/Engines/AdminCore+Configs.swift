import CRdKafka

/// The settings of topics and brokers (`rd_kafka_DescribeConfigs`, `rd_kafka_AlterConfigs`,
/// `rd_kafka_IncrementalAlterConfigs`).
extension AdminCore {
    /// A topic or a broker, as a config resource.
    struct ConfigResource {
        let type: rd_kafka_ResourceType_t
        let name: String
        /// What the resource's own settings are marked with.
        let ownSource: ConfigEntry.Source
        let label: String

        static func topic(_ name: String) -> ConfigResource {
            ConfigResource(type: RD_KAFKA_RESOURCE_TOPIC, name: name, ownSource: .topicOverride, label: "topic \(name)")
        }
        static func broker(_ id: Int32) -> ConfigResource {
            ConfigResource(type: RD_KAFKA_RESOURCE_BROKER, name: String(id), ownSource: .brokerOverride, label: "broker \(id)")
        }

        func make() throws(KafkaError) -> OpaquePointer {
            guard let made = rd_kafka_ConfigResource_new(type, name) else { throw KafkaError.invalidArgument("cannot name \(label)") }
            return made
        }
    }

    func describeConfig(_ resource: ConfigResource, timeoutMs: Int32) throws(KafkaError) -> [ConfigEntry] {
        let native = try resource.make()
        var resources: [OpaquePointer?] = [native]
        defer { rd_kafka_ConfigResource_destroy(native) }
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeoutMs: timeoutMs, { options, queue in
            resources.withUnsafeMutableBufferPointer { rd_kafka_DescribeConfigs(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count),
                  count > 0, let first = results[0] else { return [] }
            try Self.check(first, resource)
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return [] }
            return (0..<entryCount).compactMap { i in
                guard let e = entries[i] else { return nil }
                return ConfigEntry(
                    name: String(cString: rd_kafka_ConfigEntry_name(e)), value: rd_kafka_ConfigEntry_value(e).map { String(cString: $0) },
                    isDefault: rd_kafka_ConfigEntry_is_default(e) != 0, isReadOnly: rd_kafka_ConfigEntry_is_read_only(e) != 0,
                    isSensitive: rd_kafka_ConfigEntry_is_sensitive(e) != 0,
                    source: ConfigEntry.Source(rawValue: Int(rd_kafka_ConfigEntry_source(e).rawValue)) ?? .unknown)
            }.sorted { $0.name < $1.name }
        })
    }

    /// Sets and deletes single settings, leaving the others: incrementally where the loaded
    /// librdkafka can (2.2+), else by reading the resource's own settings and writing them back
    /// changed (`rd_kafka_AlterConfigs` replaces the whole set; not atomic).
    func alterConfig(_ resource: ConfigResource, set: [String: String], delete: [String], timeoutMs: Int32) throws(KafkaError) {
        if Librdkafka.supports(.incrementalAlterConfigs) {
            return try incrementalAlterConfig(resource, set: set, delete: delete, timeoutMs: timeoutMs)
        }
        var values: [String: String] = [:]
        for entry in try describeConfig(resource, timeoutMs: timeoutMs) where entry.source == resource.ownSource {
            guard let value = entry.value else {
                if set[entry.name] != nil || delete.contains(entry.name) { continue }
                throw KafkaError(code: .invalidArgument,
                    message: "\(resource.label)'s \(entry.name) is hidden by the broker, and librdkafka \(Librdkafka.version) can only replace the whole configuration",
                    fix: "use librdkafka \(Librdkafka.Feature.incrementalAlterConfigs.minimumVersion) or later (incremental changes), or set \(entry.name) again in the same call")
            }
            values[entry.name] = value
        }
        for name in delete { values[name] = nil }
        values.merge(set) { $1 }
        try replaceConfig(resource, values, timeoutMs: timeoutMs)
    }

    /// Replaces a resource's dynamic configuration with `values` (`rd_kafka_AlterConfigs`):
    /// settings not named return to their defaults.
    private func replaceConfig(_ resource: ConfigResource, _ values: [String: String], timeoutMs: Int32) throws(KafkaError) {
        let native = try resource.make()
        defer { rd_kafka_ConfigResource_destroy(native) }
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            let code = rd_kafka_ConfigResource_set_config(native, name, value)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw Interop.error(code, "config \(name): \(Interop.errorText(Int32(code.rawValue)))") }
        }
        var resources: [OpaquePointer?] = [native]
        try request(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeoutMs: timeoutMs, { options, queue in
            resources.withUnsafeMutableBufferPointer { rd_kafka_AlterConfigs(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event), &count),
                  count > 0, let first = results[0] else { return }
            try Self.check(first, resource)
        })
    }

    /// Sets and deletes single settings (`rd_kafka_IncrementalAlterConfigs`); the others stay.
    func incrementalAlterConfig(_ resource: ConfigResource, set: [String: String], delete: [String], timeoutMs: Int32) throws(KafkaError) {
        try Librdkafka.require(.incrementalAlterConfigs)
        guard let add = NewerAPI.addIncrementalConfig, let start = NewerAPI.incrementalAlterConfigs,
              let result = NewerAPI.incrementalAlterConfigsResult, let resourcesOf = NewerAPI.incrementalAlterConfigsResources else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks IncrementalAlterConfigs")
        }
        let native = try resource.make()
        defer { rd_kafka_ConfigResource_destroy(native) }
        let changes = set.sorted { $0.key < $1.key }.map { ($0.key, Int32(0), Optional($0.value)) }
            + delete.sorted().map { ($0, Int32(1), String?.none) }
        for (name, op, value) in changes {
            if let error = add(native, name, op, value) {
                var failure = Interop.consume(error)
                failure.message = "config \(name): \(failure.message)"
                throw failure
            }
        }
        var resources: [OpaquePointer?] = [native]
        try request(NewerAPI.incrementalAlterConfigsOp, timeoutMs: timeoutMs, { options, queue in
            resources.withUnsafeMutableBufferPointer { start(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = resourcesOf(result(event), &count), count > 0, let first = results[0] else { return }
            try Self.check(first, resource)
        })
    }

    private static func check(_ result: OpaquePointer, _ resource: ConfigResource) throws(KafkaError) {
        let code = rd_kafka_ConfigResource_error(result)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        var error = Interop.error(code, rd_kafka_ConfigResource_error_string(result).map { String(cString: $0) })
        error.message = "\(resource.label): \(error.message)"
        throw error
    }
}
