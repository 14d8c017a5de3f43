/// Access control lists. Brokers without an authorizer answer `SECURITY_DISABLED`, which the
/// error explains.
extension KafkaAdmin {
    /// Creates ACLs (`rd_kafka_CreateAcls`). Returns each binding's error, or `nil` where it was
    /// created.
    ///
    /// - Throws: `KafkaError` when librdkafka refuses a binding before sending (an empty
    ///   principal, say), or the request fails as a whole.
    public func createAcls(_ bindings: [AclBinding], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AclBinding: KafkaError?] {
        guard !bindings.isEmpty else { return [:] }
        try Self.checkPrincipals(bindings.map(\.principal))
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.createAcls(bindings, timeoutMs: ms) }
    }

    /// The ACLs matching `filter` (`rd_kafka_DescribeAcls`).
    ///
    /// librdkafka drops a DescribeAcls answer's error, so when the answer is empty the SDK asks
    /// once more with a DeleteAcls whose filter matches nothing (a made-up principal), which
    /// changes nothing and tells a cluster without an authorizer (`SECURITY_DISABLED`, thrown)
    /// from one without matching ACLs.
    public func describeAcls(_ filter: AclFilter = .all, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [AclBinding] {
        try Self.checkPrincipals([filter.principal].compactMap { $0 })
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.describeAcls(filter, timeoutMs: ms) }
    }

    /// Deletes the ACLs matching each filter (`rd_kafka_DeleteAcls`). Returns, per filter in
    /// order, the ACLs it deleted or its error.
    public func deleteAcls(_ filters: [AclFilter], timeout: Duration = .seconds(30)) async throws(KafkaError) -> [Result<[AclBinding], KafkaError>] {
        guard !filters.isEmpty else { return [] }
        try Self.checkPrincipals(filters.compactMap(\.principal))
        let ms = timeout.clampedMilliseconds
        return try await run { core throws(KafkaError) in try core.deleteAcls(filters, timeoutMs: ms) }
    }

    /// Kafka principals are `Type:name`; a bare name is the common slip, which brokers refuse
    /// with a less helpful message.
    static func checkPrincipals(_ principals: [String]) throws(KafkaError) {
        for principal in principals where !principal.contains(":") || principal.hasPrefix(":") || principal.hasSuffix(":") {
            throw KafkaError.invalidArgument("the principal '\(principal)' is not Type:name", fix: "write it as User:\(principal.isEmpty ? "alice" : principal)")
        }
    }
}
