import CRdKafka

/// A checked `rd_kafka_conf_t` with the SDK's callbacks (log, certificate verification,
/// partitioner, OAUTHBEARER refresh) and the ``ClientContext`` they reach, before a client
/// (``NativeHandle``) or share consumer (``ShareHandle``) is made from it.
///
/// The context is retained for the client: ``failed(_:)`` gives it back when creation fails.
struct NativeClientSetup {
    private let native: NativeConfiguration
    let conf: OpaquePointer
    let context: ClientContext
    let reference: Unmanaged<ClientContext>
    private let configuration: KafkaConfiguration

    init(configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, partitioner: KafkaPartitioner? = nil) throws(KafkaError) {
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
            // Lines logged while the client is created come before the context knows the name.
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
        self.native = native
        self.conf = conf
        self.context = context
        self.reference = reference
        self.configuration = configuration
    }

    /// The client was created and owns the configuration now.
    func created() -> ClientContext {
        _ = native.release()
        return context
    }

    /// The client was not created: releases the context and words librdkafka's reason.
    func failed(_ errstr: [CChar]) -> KafkaError {
        reference.release()
        return KafkaError(
            code: .invalidArgument, message: context.scrub("librdkafka could not create the client: \(Interop.string(errstr))"),
            fix: "check the configuration properties named in the message")
    }

    /// The configuration's warnings (deprecated names, ignored lines), to the client's log.
    func logWarnings() {
        for warning in configuration.warnings { context.log(.warning, "SDK", warning) }
    }
}
