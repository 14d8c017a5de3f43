import CRdKafka

/// The SDK's C-interop layer: small helpers over librdkafka calls that the typed Swift layer
/// uses. Handles (`rd_kafka_t`, `rd_kafka_conf_t`, queues) are owned by `NativeHandle`
/// and `NativeConfiguration`.
enum Interop {
    static func errorName(_ code: Int32) -> String {
        guard let name = rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)) else { return "UNKNOWN(\(code))" }
        return String(cString: name)
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: code)) else { return "unknown error \(code)" }
        return String(cString: text)
    }

    /// A `KafkaError` for a bare librdkafka error code.
    static func error(_ code: rd_kafka_resp_err_t, _ message: String? = nil) -> KafkaError {
        let raw = Int32(code.rawValue)
        return KafkaError(
            code: .init(rawValue: raw), message: message ?? errorText(raw),
            isRetriable: isRetriableCode(raw), isFatal: raw == KafkaError.Code.fatal.rawValue
        )
    }

    /// Takes ownership of an `rd_kafka_error_t` and turns it into a `KafkaError`.
    static func consume(_ error: OpaquePointer) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return Interop.error(borrowing: error)
    }

    /// Reads an `rd_kafka_error_t` that librdkafka still owns (one inside a result).
    static func error(borrowing error: OpaquePointer) -> KafkaError {
        let message = rd_kafka_error_string(error).map { String(cString: $0) } ?? ""
        return KafkaError(
            code: .init(rawValue: Int32(rd_kafka_error_code(error).rawValue)), message: message,
            isRetriable: rd_kafka_error_is_retriable(error) != 0, isFatal: rd_kafka_error_is_fatal(error) != 0,
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
    }

    /// Codes that a later attempt can overcome (timeouts, leader moves, transient broker state).
    /// A switch: no set to build (and hash) at start-up.
    static func isRetriableCode(_ code: Int32) -> Bool {
        switch code {
        case -195, -192, -187, -185, -184, -180, -166, -153, 5, 6, 7, 8, 13, 14, 15, 16, 19, 20, 27, 74, 75: return true
        default: return false
        }
    }

    static var versionString: String { String(cString: rd_kafka_version_str()) }
    static var versionNumber: Int { Int(rd_kafka_version()) }

    /// librdkafka's `builtin.features`, read from a fresh configuration object.
    static let builtinFeatures: Set<String> = {
        guard let conf = rd_kafka_conf_new() else { return [] }
        defer { rd_kafka_conf_destroy(conf) }
        return Set(confGet(conf, "builtin.features")?.split(separator: ",").map(String.init) ?? [])
    }()

    static func confGet(_ conf: OpaquePointer, _ name: String) -> String? {
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return string(buffer)
    }

    /// Whether librdkafka knows a property of this name (checked on a scratch configuration).
    static func isKnownProperty(_ name: String) -> Bool {
        guard let conf = rd_kafka_conf_new() else { return false }
        defer { rd_kafka_conf_destroy(conf) }
        var errstr = [CChar](repeating: 0, count: 512)
        // A value librdkafka may reject is fine: only "unknown" matters here.
        let result = rd_kafka_conf_set(conf, name, "", &errstr, errstr.count)
        return result != RD_KAFKA_CONF_UNKNOWN
    }

    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Interop {
    /// A real offset, or `nil` for librdkafka's logical ones (`RD_KAFKA_OFFSET_INVALID`, ...).
    @inline(__always)
    static func offset(_ value: Int64) -> Int64? { value >= 0 ? value : nil }

    /// A message's timestamp and its kind (`rd_kafka_message_timestamp`), nil when it has none.
    static func timestamp(of message: UnsafePointer<rd_kafka_message_t>) -> KafkaTimestamp? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ms = rd_kafka_message_timestamp(message, &type)
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return KafkaTimestamp(millisecondsSinceEpoch: ms, kind: .createTime)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return KafkaTimestamp(millisecondsSinceEpoch: ms, kind: .logAppendTime)
        default: return nil
        }
    }

    /// A copy of a message's headers, in order (`rd_kafka_message_headers`). librdkafka parses
    /// a consumed message's headers on the first call and caches them in the message: callers
    /// sharing a message serialise this call.
    static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer? = nil
        guard rd_kafka_message_headers(UnsafeMutablePointer(mutating: message), &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>? = nil
        var value: UnsafeRawPointer? = nil
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "",
                value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
        return result
    }
}
