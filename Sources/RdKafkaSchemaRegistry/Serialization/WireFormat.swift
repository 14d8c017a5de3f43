import RdKafka

/// The Confluent wire format every Schema Registry client speaks: magic byte 0, the schema id
/// as 4 big-endian bytes, then the payload.
public enum WireFormat {
    public static let magicByte: UInt8 = 0

    /// `payload` framed with `schemaID`.
    public static func frame(_ payload: [UInt8], schemaID: Int) -> [UInt8] {
        var bytes = header(schemaID: schemaID)
        bytes += payload
        return bytes
    }

    /// The five bytes before a payload written with `schemaID`.
    public static func header(schemaID: Int) -> [UInt8] {
        let id = UInt32(truncatingIfNeeded: schemaID)
        return [magicByte, UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)]
    }

    /// The schema id and the payload of a framed record.
    ///
    /// - Throws: `KafkaError` (`_VALUE_DESERIALIZATION`, or the key's) when the bytes are not in
    ///   the wire format: fewer than 5 bytes, or a first byte other than 0.
    public static func unframe(_ bytes: UnsafeRawBufferPointer, isKey: Bool = false, where place: String = "the record") throws(KafkaError) -> (schemaID: Int, payload: UnsafeRawBufferPointer) {
        let code: KafkaError.Code = isKey ? .keyDeserialization : .valueDeserialization
        guard bytes.count >= 5 else {
            throw KafkaError(code: code, message: "\(place)'s \(isKey ? "key" : "value") has \(bytes.count) byte(s): too short for the Schema Registry wire format (magic byte and 4-byte schema id)",
                fix: "check that the producer used a Schema Registry serializer")
        }
        guard bytes[0] == magicByte else {
            throw KafkaError(code: code, message: "\(place)'s \(isKey ? "key" : "value") starts with byte \(bytes[0]), not the wire format's magic byte 0",
                fix: "the record was not written by a Schema Registry serializer: read it as plain bytes, or fix the producer")
        }
        let id = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
        return (id, UnsafeRawBufferPointer(rebasing: bytes[5...]))
    }

    /// The schema id of a framed record (checked as ``unframe(_:isKey:where:)`` does).
    public static func schemaID(of bytes: [UInt8], isKey: Bool = false, where place: String = "the record") throws(KafkaError) -> Int {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(KafkaError) -> Int in try unframe(raw, isKey: isKey, where: place).schemaID }
        }
        return try result.get()
    }
}

/// Which subject a schema is registered under.
public enum SubjectNameStrategy: Sendable {
    /// `<topic>-key` or `<topic>-value` (the default everywhere).
    case topicName
    /// The record's full name, whatever the topic.
    case recordName
    /// `<topic>-<record full name>`.
    case topicRecordName

    /// The subject for a schema of `recordName` (nil for a schema that is not a named type).
    public func subject(topic: String, isKey: Bool, recordName: String?) throws(KafkaError) -> String {
        switch self {
        case .topicName: return "\(topic)-\(isKey ? "key" : "value")"
        case .recordName, .topicRecordName:
            guard let recordName else {
                throw KafkaError(code: isKey ? .keySerialization : .valueSerialization,
                    message: "the record-name subject strategies need a schema that is a named type (a record)",
                    fix: "use SubjectNameStrategy.topicName, or a record schema")
            }
            return self == .recordName ? recordName : "\(topic)-\(recordName)"
        }
    }
}
