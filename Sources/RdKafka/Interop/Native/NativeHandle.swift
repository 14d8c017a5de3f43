import CRdKafka
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The single owner of an `rd_kafka_t`: creates it from a checked configuration and destroys
/// it in `deinit`.
final class NativeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: ClientContext
    private let contextReference: Unmanaged<ClientContext>

    /// Runs the SDK's pre-flight checks, applies the configuration, lets `prepare` install
    /// callbacks on the `rd_kafka_conf_t`, and creates the client.
    init(
        type: rd_kafka_type_t, configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler,
        partitioner: KafkaPartitioner? = nil, prepare: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let setup = try NativeClientSetup(configuration: configuration, logHandler: logHandler, partitioner: partitioner)
        prepare(setup.conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, setup.conf, &errstr, errstr.count) else {
            throw setup.failed(errstr)
        }
        let context = setup.created()
        self.pointer = rk
        self.context = context
        self.contextReference = setup.reference
        context.clientName = String(cString: rd_kafka_name(rk))
        if let tokens = context.tokens {
            // On failure deinit destroys the client and releases the context (every property
            // is set, so it runs): doing it here too freed both twice.
            try tokens.attach(.client(rk))
        }
        setup.logWarnings()
    }

    var name: String { context.clientName }

    /// The client's fatal error, if it has had one (`rd_kafka_fatal_error`).
    func fatalError() -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(pointer, &errstr, errstr.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = Interop.error(code, context.scrub(Interop.string(errstr)))
        error.isFatal = true
        return error
    }

    /// Sets the SASL PLAIN/SCRAM credentials for the next authentication
    /// (`rd_kafka_sasl_set_credentials`); connections already made stay as they are.
    func setSASLCredentials(username: String, password: String) throws(KafkaError) {
        guard context.mechanism == .plain || context.mechanism == .scramSHA256 || context.mechanism == .scramSHA512 else {
            throw KafkaError(code: .invalidArgument,
                message: "SASL credentials can be rotated only for PLAIN and SCRAM; this client uses \(context.mechanism?.rawValue ?? "no SASL")",
                fix: "for OAUTHBEARER return new tokens from the token provider; otherwise create the client with the new settings")
        }
        context.remember(secret: password)
        guard let error = context.handovers.handingOver({ rd_kafka_sasl_set_credentials(pointer, username, password) }) else { return }
        defer { rd_kafka_error_destroy(error) }
        throw KafkaError(code: .invalidArgument, message: context.scrub("librdkafka refused the credentials: \(String(cString: rd_kafka_error_string(error)))"),
            fix: "give a non-empty username and password")
    }

    deinit {
        context.tokens?.detach()
        // rd_kafka_destroy joins librdkafka's threads, and librdkafka 2.0-2.5 can hang there
        // (a broker thread that never lets go): never on a task's thread, nor holding up its task.
        let owned = Owned(pointer: pointer, contextReference: contextReference)
        NativeThread.outsideTasks("client destroy") {
            rd_kafka_destroy(owned.pointer)
            owned.contextReference.release()
        }
    }

    /// What `deinit` hands to the thread that destroys the client.
    private struct Owned: @unchecked Sendable {
        let pointer: OpaquePointer
        let contextReference: Unmanaged<ClientContext>
    }
}
