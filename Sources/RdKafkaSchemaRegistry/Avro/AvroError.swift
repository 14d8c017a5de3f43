/// Why an Avro schema, value or payload could not be used: what, and where (a schema path such
/// as `Product.price`, a byte offset, a character).
public struct AvroError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The schema text is not valid JSON.
        case invalidJSON
        /// The JSON is not a valid Avro schema.
        case invalidSchema
        /// A value does not match the schema.
        case valueMismatch
        /// The payload ends early or holds bytes the schema does not allow.
        case invalidPayload
        /// A reader schema cannot read what the writer schema wrote.
        case incompatible
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "Avro \(kind.rawValue): \(message)" }
}
