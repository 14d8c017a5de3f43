/// A Schema Registry request that failed: which call, for which subject or id, the HTTP status
/// and the registry's own error code and message. Never holds a credential.
public struct SchemaRegistryError: Error, Sendable, CustomStringConvertible {
    /// What was asked, such as `register a schema under subject "prices-value"`.
    public var request: String
    /// The registry's address (without credentials).
    public var url: String
    /// The HTTP status, nil when no answer came (connection refused, timed out).
    public var status: Int?
    /// The registry's `error_code`, such as 40401 (subject not found), 40403 (schema not found),
    /// 409 (incompatible), 42201 (invalid schema).
    public var code: Int?
    /// The registry's message, or why no answer came.
    public var message: String
    /// What to do about it.
    public var fix: String?

    /// For transports and other code that reports registry failures the same way. Credentials
    /// in `url` (`user:secret@`) are taken out.
    public init(request: String, url: String, status: Int?, code: Int?, message: String, fix: String?) {
        self.request = request
        self.url = SchemaRegistryConfiguration.splitCredentials(url).url
        self.status = status
        self.code = code
        self.message = message
        self.fix = fix
    }

    public var description: String {
        var text = "Schema Registry \(url): could not \(request)"
        if let status { text += ": HTTP \(status)" }
        if let code { text += " (error \(code))" }
        text += ": \(message)"
        if let fix { text += ". Fix: \(fix)" }
        return text
    }

    /// Whether another attempt may succeed (no answer, or a 5xx).
    var isTransient: Bool { status.map { $0 >= 500 } ?? true }
}
