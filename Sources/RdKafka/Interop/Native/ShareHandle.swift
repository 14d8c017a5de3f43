import CRdKafka

/// The single owner of an `rd_kafka_share_t` (librdkafka's share consumer, found at run time
/// in librdkafka 2.15 and later): creates it from a checked configuration and destroys it.
///
/// librdkafka refuses concurrent calls on one share handle: only the share consumer's own
/// thread calls into it (``ShareConsumerCore``). Destroyed with the last reference, which
/// batches of records hold: librdkafka waits for every message it handed out.
final class ShareHandle: @unchecked Sendable {
    private(set) var pointer: OpaquePointer?
    let context: ClientContext
    private let contextReference: Unmanaged<ClientContext>
    /// The context as librdkafka's callbacks receive it.
    var contextOpaque: UnsafeMutableRawPointer { contextReference.toOpaque() }

    /// Creates the share consumer (`rd_kafka_share_consumer_new`) after `prepare` has installed
    /// callbacks on the `rd_kafka_conf_t`, or throws the error naming the librdkafka release it
    /// needs.
    init(configuration: KafkaConfiguration, logHandler: @escaping KafkaLogHandler, prepare: (OpaquePointer) -> Void) throws(KafkaError) {
        try Librdkafka.require(.shareConsumer)
        guard let create = NewerAPI.shareConsumerNew else { throw KafkaError(code: .unsupportedFeature, message: "no share consumer") }
        let setup = try NativeClientSetup(configuration: configuration, logHandler: logHandler)
        prepare(setup.conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rkshare = create(setup.conf, &errstr, errstr.count) else {
            let generic = setup.failed(errstr)
            throw Self.inapplicable(Interop.string(errstr), configuration) ?? generic
        }
        let context = setup.created()
        self.pointer = rkshare
        self.context = context
        self.contextReference = setup.reference
        if let tokens = context.tokens {
            do throws(KafkaError) { try tokens.attach(.shareConsumer(rkshare)) } catch {
                if Self.destroy(rkshare, context) { pointer = nil }
                throw error
            }
        }
        setup.logWarnings()
    }

    /// librdkafka's refusal of a consumer property that share consumers do not take
    /// ("`name` is not applicable for share consumer"), as an error naming the property, where
    /// it was set, and the fix.
    static func inapplicable(_ reason: String, _ configuration: KafkaConfiguration) -> KafkaError? {
        let parts = reason.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3, reason.contains("share consumer"), let entry = configuration.entry(String(parts[1])) else { return nil }
        let fix = entry.name == "auto.offset.reset"
            ? "remove it: where a share group starts is the group's share.auto.offset.reset, set on the broker (kafka-configs --entity-type groups)"
            : "remove \(entry.name): share groups are driven by the broker, and their settings are the group's (group.share.*)"
        return KafkaError.configuration(entry.name, reason, origin: entry.origin, fix: fix)
    }

    /// Destroys the share consumer (`rd_kafka_share_destroy`); false when librdkafka refused.
    private static func destroy(_ pointer: OpaquePointer, _ context: ClientContext) -> Bool {
        context.tokens?.detach()
        if let error = NewerAPI.shareDestroy?(pointer) {
            // Another thread inside the handle: the SDK never lets that happen. Leak rather than crash.
            context.log(.error, "SHARE", "rd_kafka_share_destroy refused: \(Interop.consume(error))")
            return false
        }
        return true
    }

    deinit {
        // As NativeHandle's: the destroy joins librdkafka's threads, never on a task's thread.
        let owned = Owned(pointer: pointer, context: context, contextReference: contextReference)
        NativeThread.outsideTasks("share consumer destroy") {
            // A handle librdkafka would not destroy may still call back into the context.
            if owned.pointer.map({ Self.destroy($0, owned.context) }) ?? true { owned.contextReference.release() }
        }
    }

    /// What `deinit` hands to the thread that destroys the share consumer.
    private struct Owned: @unchecked Sendable {
        let pointer: OpaquePointer?
        let context: ClientContext
        let contextReference: Unmanaged<ClientContext>
    }
}
