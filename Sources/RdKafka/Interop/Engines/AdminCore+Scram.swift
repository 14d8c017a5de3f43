import CRdKafka

/// Users' SCRAM credentials (librdkafka 2.2.0), through ``NewerAPI``.
extension AdminCore {
    func describeUserScramCredentials(_ users: [String], timeoutMs: Int32) throws(KafkaError) -> [UserScramCredentials] {
        try Librdkafka.require(.scramCredentials)
        let api = NewerAPI.self
        guard let start = api.describeScram, let result = api.describeScramResult, let descriptionsOf = api.describeScramDescriptions else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks DescribeUserScramCredentials")
        }
        return try Syscalls.withCStrings(users) { (names: inout [UnsafePointer<CChar>?]) throws(KafkaError) in
            try request(api.describeScramOp, timeoutMs: timeoutMs, { options, queue in
                names.withUnsafeMutableBufferPointer { start(rk, $0.baseAddress, $0.count, options, queue) }
            }, read: { event in
                var count = 0
                let list = descriptionsOf(result(event), &count)
                return (0..<count).compactMap { i in list?[i].map(Self.userCredentials) }.sorted { $0.user < $1.user }
            })
        }
    }

    private static func userCredentials(_ description: OpaquePointer) -> UserScramCredentials {
        let api = NewerAPI.self
        let count = api.scramDescriptionCount?(description) ?? 0
        let credentials = (0..<count).compactMap { i -> UserScramCredentials.Credential? in
            guard let info = api.scramDescriptionInfo?(description, i),
                  let mechanism = ScramMechanism(code: api.scramInfoMechanism?(info) ?? 0) else { return nil }
            return UserScramCredentials.Credential(mechanism: mechanism, iterations: Int(api.scramInfoIterations?(info) ?? 0))
        }
        return UserScramCredentials(
            user: api.scramDescriptionUser?(description).map { String(cString: $0) } ?? "",
            credentials: credentials, error: borrowedError(api.scramDescriptionError?(description)))
    }

    /// An `rd_kafka_error_t` the result owns, or `nil` when it says "no error".
    static func borrowedError(_ error: OpaquePointer?) -> KafkaError? {
        guard let error else { return nil }
        let described = Interop.error(borrowing: error)
        return described.code == .noError ? nil : described
    }

    func alterUserScramCredentials(_ changes: [ScramCredentialChange], timeoutMs: Int32) throws(KafkaError) -> [AdminResult] {
        try Librdkafka.require(.scramCredentials)
        let api = NewerAPI.self
        guard let upsert = api.scramUpsertion, let deletion = api.scramDeletion, let destroy = api.scramAlterationDestroy,
              let start = api.alterScram, let result = api.alterScramResult, let responsesOf = api.alterScramResponses else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks AlterUserScramCredentials")
        }
        var alterations: [OpaquePointer?] = []
        defer { for alteration in alterations { destroy(alteration) } }
        for change in changes {
            let made: OpaquePointer?
            switch change {
            case .upsert(let user, let mechanism, let iterations, let password):
                guard let rounds = Int32(exactly: iterations), rounds > 0 else {
                    throw KafkaError.invalidArgument("SCRAM iterations for \(user) must be a positive 32-bit number, not \(iterations)",
                        fix: "use at least 4096 (Kafka's minimum for SCRAM-SHA-256 and -512)")
                }
                let bytes = Array(password.utf8)
                // No salt: librdkafka makes a random one.
                made = bytes.withUnsafeBufferPointer { upsert(user, mechanism.code, rounds, $0.baseAddress, $0.count, nil, 0) }
            case .delete(let user, let mechanism):
                made = deletion(user, mechanism.code)
            }
            guard let made else { throw KafkaError.invalidArgument("librdkafka refused the SCRAM change \(change)") }
            alterations.append(made)
        }
        return try request(api.alterScramOp, timeoutMs: timeoutMs, { options, queue in
            alterations.withUnsafeMutableBufferPointer { start(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let list = responsesOf(result(event), &count)
            return (0..<count).compactMap { i -> AdminResult? in
                guard let response = list?[i] else { return nil }
                return AdminResult(
                    name: api.alterScramResponseUser?(response).map { String(cString: $0) } ?? "",
                    error: Self.borrowedError(api.alterScramResponseError?(response)))
            }
        })
    }
}
