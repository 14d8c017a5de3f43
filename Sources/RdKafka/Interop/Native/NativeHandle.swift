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
        try configuration.preflight(features: Interop.builtinFeatures)
        let native = try NativeConfiguration(configuration)
        guard let conf = native.pointer else {
            throw KafkaError(code: .criticalSystemResource, message: "no librdkafka configuration")
        }
        let context = ClientContext(logHandler: logHandler, configuration: configuration, partitioner: partitioner)
        let reference = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, reference.toOpaque())
        if partitioner != nil { CustomPartitioner.install(on: conf, context: reference.toOpaque()) }
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, buffer in
            guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            // Lines logged while rd_kafka_new runs come before the context knows the name.
            if context.clientName.isEmpty, let name = rd_kafka_name(rk) { context.clientName = String(cString: name) }
            context.log(
                KafkaLogMessage.Level(rawValue: Int(level)) ?? .debug,
                facility.map { String(cString: $0) } ?? "",
                buffer.map { String(cString: $0) } ?? "")
        }
        if configuration.securityProtocol == .ssl || configuration.securityProtocol == .saslSSL,
           configuration.sslCertificateVerification != false {
            rd_kafka_conf_set_ssl_cert_verify_cb(conf) { _, broker, _, x509Error, depth, _, _, errstr, errstrSize, opaque in
                // Keeps OpenSSL's verdict; only remembers its reason for the error report.
                guard let x509Error else { return 0 }
                let code = x509Error.pointee
                if code == 0 { return 1 }
                let name = broker.map { String(cString: $0) } ?? "?"
                if let opaque, let problem = CertificateProblem(x509Error: code, depth: depth, broker: name) {
                    let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                    context.certificateProblem.withLock { $0 = problem }
                    if let errstr { Syscalls.copy(problem.message, into: errstr, size: errstrSize) }
                }
                return 0
            }
        }
        if context.tokens != nil { OAuthBearerRefresh.install(on: conf) }
        prepare(conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            reference.release()
            throw KafkaError(
                code: .invalidArgument, message: context.scrub("librdkafka could not create the client: \(Interop.string(errstr))"),
                fix: "check the configuration properties named in the message")
        }
        _ = native.release()  // rd_kafka_new owns the configuration now
        self.pointer = rk
        self.context = context
        self.contextReference = reference
        context.clientName = String(cString: rd_kafka_name(rk))
        if let tokens = context.tokens {
            do throws(KafkaError) { try tokens.attach(rk) } catch {
                rd_kafka_destroy(rk)
                reference.release()
                throw error
            }
        }
        for warning in configuration.warnings { context.log(.warning, "SDK", warning) }
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
        guard let error = rd_kafka_sasl_set_credentials(pointer, username, password) else { return }
        defer { rd_kafka_error_destroy(error) }
        throw KafkaError(code: .invalidArgument, message: context.scrub("librdkafka refused the credentials: \(String(cString: rd_kafka_error_string(error)))"),
            fix: "give a non-empty username and password")
    }

    deinit {
        context.tokens?.detach()
        rd_kafka_destroy(pointer)
        contextReference.release()
    }
}
