import Foundation
import RdKafka

/// Where the Schema Registry is and how to authenticate: in code, or from the same properties
/// and JSON files as Kafka (`schema.registry.url`, `basic.auth.user.info`, ...).
public struct SchemaRegistryConfiguration: Sendable, CustomStringConvertible {
    /// The registry's base URLs (`schema.registry.url`, comma-separated); requests go to the
    /// first and move on to the next when one does not answer.
    public var urls: [String]
    /// `user:secret` for HTTP basic authentication (`basic.auth.user.info`; a Confluent Cloud
    /// API key and secret).
    public var basicAuthUserInfo: String?
    /// A bearer token (`bearer.auth.token`).
    public var bearerToken: String?
    /// A PEM file of CA certificates the registry's certificate must chain to
    /// (`schema.registry.ssl.ca.location`). Needs a transport that takes a CA file, such as the
    /// Integrations package's `HTTPClientSchemaRegistryTransport`; the default `URLSession`
    /// transport refuses to send rather than ignore it.
    public var caLocation: String?
    /// How long one HTTP request may take.
    public var requestTimeout: Duration
    /// How often a request is tried again after a 5xx or no answer, waiting 100 ms, 200 ms, ...
    public var maxRetries: Int

    public init(url: String, basicAuthUserInfo: String? = nil, bearerToken: String? = nil, caLocation: String? = nil,
                requestTimeout: Duration = .seconds(10), maxRetries: Int = 3) {
        self.urls = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.basicAuthUserInfo = basicAuthUserInfo
        self.bearerToken = bearerToken
        self.caLocation = caLocation
        self.requestTimeout = requestTimeout
        self.maxRetries = maxRetries
        // `https://user:secret@host` carries the credentials in the URL (kcat's -r). They never
        // stay in `urls`, which errors and descriptions show; an explicit setting wins.
        for (i, address) in urls.enumerated() {
            let (bare, userInfo) = Self.splitCredentials(address)
            urls[i] = bare
            if self.basicAuthUserInfo == nil { self.basicAuthUserInfo = userInfo }
        }
    }

    /// The address without `user:secret@`, and those credentials (percent-decoded).
    static func splitCredentials(_ address: String) -> (url: String, userInfo: String?) {
        guard var parts = URLComponents(string: address), let user = parts.user else { return (address, nil) }
        let userInfo = "\(user.removingPercentEncoding ?? user):\((parts.password ?? "").removingPercentEncoding ?? "")"
        parts.user = nil
        parts.password = nil
        return (parts.string ?? "(an address with credentials)", userInfo)
    }

    /// The registry settings of a Kafka configuration loaded from a file or the environment
    /// (which keeps them aside for this: librdkafka does not know them).
    ///
    /// - Throws: ``SchemaRegistryError`` when there is no `schema.registry.url`, or when
    ///   `basic.auth.credentials.source` asks for credentials that are not there.
    public init(kafka configuration: KafkaConfiguration) throws(SchemaRegistryError) {
        let settings = configuration.otherClientSettings
        func value(_ name: String) -> String? { settings.first { $0.name == name }?.value }
        guard let url = value("schema.registry.url") else {
            throw SchemaRegistryError(request: "configure the client", url: "(none)", status: nil, code: nil,
                message: "the configuration has no schema.registry.url",
                fix: "add schema.registry.url=https://HOST to the file, or pass the registry's URL")
        }
        var userInfo: String?
        switch value("basic.auth.credentials.source")?.uppercased() ?? (value("basic.auth.user.info") != nil ? "USER_INFO" : "URL") {
        case "USER_INFO":
            userInfo = value("basic.auth.user.info") ?? value("schema.registry.basic.auth.user.info")
            if userInfo == nil {
                throw SchemaRegistryError(request: "configure the client", url: url, status: nil, code: nil,
                    message: "basic.auth.credentials.source=USER_INFO, but there is no basic.auth.user.info",
                    fix: "add basic.auth.user.info=KEY:SECRET")
            }
        case "SASL_INHERIT":
            if let user = configuration["sasl.username"], let password = configuration["sasl.password"] { userInfo = "\(user):\(password)" }
        default:
            break
        }
        self.init(url: url, basicAuthUserInfo: userInfo, bearerToken: value("bearer.auth.token"),
                  caLocation: value("schema.registry.ssl.ca.location"))
    }

    /// The URLs, with any credentials in them shown as `[redacted]`.
    public var description: String {
        var text = "SchemaRegistryConfiguration(\(urls.map { Self.splitCredentials($0).url }.joined(separator: ","))"
        if basicAuthUserInfo != nil { text += ", basic auth \(KafkaConfiguration.redacted)" }
        if bearerToken != nil { text += ", bearer token \(KafkaConfiguration.redacted)" }
        if let caLocation { text += ", CA \(caLocation)" }
        return text + ")"
    }
}
