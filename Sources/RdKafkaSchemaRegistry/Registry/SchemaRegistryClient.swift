import Foundation
import RdKafka

/// A client of the Schema Registry REST API (Confluent Schema Registry, Karapace, Apicurio's
/// compatible API): schemas by id, subjects and versions, compatibility.
///
/// Schemas by id and ids by subject and schema are cached, so serializers call the registry
/// once per schema. Requests that get no answer or a 5xx are tried again (see
/// ``SchemaRegistryConfiguration/maxRetries``). HTTP goes through a
/// ``SchemaRegistryTransport``, `URLSession` unless told otherwise. `Sendable`: share one client.
public final class SchemaRegistryClient: Sendable {
    /// The schema formats the registry knows.
    public enum SchemaType: String, Sendable { case avro = "AVRO", json = "JSON", protobuf = "PROTOBUF" }

    /// A schema as the registry holds it.
    public struct Schema: Sendable, Hashable {
        public var text: String
        public var type: SchemaType
        public init(_ text: String, type: SchemaType = .avro) {
            self.text = text
            self.type = type
        }
    }

    /// One version of a subject.
    public struct Version: Sendable, Hashable {
        public var subject: String
        public var version: Int
        public var id: Int
        public var schema: Schema
    }

    public let configuration: SchemaRegistryConfiguration
    public let transport: any SchemaRegistryTransport
    private let byID = Locked<[Int: Schema]>([:])
    private let ids = Locked<[String: [Schema: Int]]>([:])

    /// - Parameter transport: what sends the HTTP requests; `nil` is a
    ///   ``URLSessionSchemaRegistryTransport``. A transport configured with a CA file, such as
    ///   the Integrations package's `HTTPClientSchemaRegistryTransport`, for a registry whose
    ///   certificate chains to a private CA.
    public init(configuration: SchemaRegistryConfiguration, transport: (any SchemaRegistryTransport)? = nil) {
        self.configuration = configuration
        self.transport = transport ?? URLSessionSchemaRegistryTransport()
    }

    // MARK: Schemas and subjects

    /// Registers `schema` under `subject` (or finds it there) and returns its id.
    public func register(_ schema: Schema, subject: String) async throws(SchemaRegistryError) -> Int {
        if let id = ids.withLock({ $0[subject]?[schema] }) { return id }
        let answer = try await request("POST", "/subjects/\(Self.escape(subject))/versions", body: Self.body(schema),
                                       what: "register a schema under subject \"\(subject)\"")
        guard let id = answer["id"].flatMap(Self.int) else { throw malformed(answer, "register under \"\(subject)\"") }
        remember(schema, id: id, subject: subject)
        return id
    }

    /// The schema with this id.
    public func schema(id: Int) async throws(SchemaRegistryError) -> Schema {
        if let schema = byID.withLock({ $0[id] }) { return schema }
        let answer = try await request("GET", "/schemas/ids/\(id)", what: "read the schema with id \(id)")
        let schema = try parseSchema(answer, "read schema \(id)")
        byID.withLock { $0[id] = schema }
        return schema
    }

    /// The latest version of `subject`, or the given one.
    public func version(subject: String, _ version: Int? = nil) async throws(SchemaRegistryError) -> Version {
        let which = version.map(String.init) ?? "latest"
        let answer = try await request("GET", "/subjects/\(Self.escape(subject))/versions/\(which)",
                                       what: "read version \(which) of subject \"\(subject)\"")
        let result = try parseVersion(answer, subject: subject)
        remember(result.schema, id: result.id, subject: subject)
        return result
    }

    /// The version of `subject` that holds `schema`, or nil when the subject does not have it.
    public func lookup(_ schema: Schema, subject: String) async throws(SchemaRegistryError) -> Version? {
        do throws(SchemaRegistryError) {
            let answer = try await request("POST", "/subjects/\(Self.escape(subject))", body: Self.body(schema),
                                           what: "look up a schema under subject \"\(subject)\"")
            let result = try parseVersion(answer, subject: subject)
            remember(schema, id: result.id, subject: subject)
            return result
        } catch where error.status == 404 {
            return nil
        }
    }

    /// Whether `schema` may be registered under `subject` as its compatibility level says.
    public func isCompatible(_ schema: Schema, subject: String) async throws(SchemaRegistryError) -> Bool {
        do throws(SchemaRegistryError) {
            let answer = try await request("POST", "/compatibility/subjects/\(Self.escape(subject))/versions/latest",
                                           body: Self.body(schema), what: "check a schema against subject \"\(subject)\"")
            guard case .bool(let compatible)? = answer["is_compatible"] else { throw malformed(answer, "check compatibility") }
            return compatible
        } catch where error.code == 40401 {
            return true  // no versions yet: anything is compatible
        }
    }

    /// Every subject.
    public func subjects() async throws(SchemaRegistryError) -> [String] {
        let answer = try await request("GET", "/subjects", what: "list subjects")
        guard case .array(let items) = answer else { throw malformed(answer, "list subjects") }
        return items.compactMap(\.stringValue)
    }

    /// The versions of `subject`.
    public func versions(subject: String) async throws(SchemaRegistryError) -> [Int] {
        let answer = try await request("GET", "/subjects/\(Self.escape(subject))/versions", what: "list versions of subject \"\(subject)\"")
        guard case .array(let items) = answer else { throw malformed(answer, "list versions") }
        return items.compactMap(Self.int)
    }

    /// Deletes `subject` (soft; `permanent` after a soft delete) and returns the versions it had.
    @discardableResult
    public func deleteSubject(_ subject: String, permanent: Bool = false) async throws(SchemaRegistryError) -> [Int] {
        let answer = try await request("DELETE", "/subjects/\(Self.escape(subject))" + (permanent ? "?permanent=true" : ""),
                                       what: "delete subject \"\(subject)\"")
        ids.withLock { $0[subject] = nil }
        guard case .array(let items) = answer else { return [] }
        return items.compactMap(Self.int)
    }

    /// The compatibility level of `subject`, or the registry's default when `subject` is nil
    /// (`BACKWARD`, `FORWARD`, `FULL`, `NONE`, and their `_TRANSITIVE` forms).
    public func compatibility(subject: String? = nil) async throws(SchemaRegistryError) -> String {
        let path = subject.map { "/config/\(Self.escape($0))" } ?? "/config"
        let answer = try await request("GET", path, what: "read the compatibility level" + (subject.map { " of subject \"\($0)\"" } ?? ""))
        guard let level = (answer["compatibilityLevel"] ?? answer["compatibility"])?.stringValue else { throw malformed(answer, "read compatibility") }
        return level
    }

    /// Sets the compatibility level of `subject`, or the registry's default.
    public func setCompatibility(_ level: String, subject: String? = nil) async throws(SchemaRegistryError) {
        let path = subject.map { "/config/\(Self.escape($0))" } ?? "/config"
        _ = try await request("PUT", path, body: .object(["compatibility": .string(level)]),
                              what: "set the compatibility level" + (subject.map { " of subject \"\($0)\"" } ?? "") + " to \(level)")
    }

    // MARK: Requests

    private func remember(_ schema: Schema, id: Int, subject: String) {
        byID.withLock { $0[id] = schema }
        ids.withLock { $0[subject, default: [:]][schema] = id }
    }

    static func body(_ schema: Schema) -> JSONValue {
        var members: [String: JSONValue] = ["schema": .string(schema.text)]
        if schema.type != .avro { members["schemaType"] = .string(schema.type.rawValue) }
        return .object(members)
    }

    static func escape(_ subject: String) -> String {
        subject.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? subject
    }

    static func int(_ value: JSONValue) -> Int? {
        if case .integer(let i) = value { return Int(exactly: i) }
        return nil
    }

    private func parseSchema(_ answer: JSONValue, _ what: String) throws(SchemaRegistryError) -> Schema {
        guard let text = answer["schema"]?.stringValue else { throw malformed(answer, what) }
        let type = answer["schemaType"]?.stringValue.flatMap(SchemaType.init(rawValue:)) ?? .avro
        return Schema(text, type: type)
    }

    private func parseVersion(_ answer: JSONValue, subject: String) throws(SchemaRegistryError) -> Version {
        guard let id = answer["id"].flatMap(Self.int), let version = answer["version"].flatMap(Self.int) else {
            throw malformed(answer, "read subject \"\(subject)\"")
        }
        return Version(subject: subject, version: version, id: id, schema: try parseSchema(answer, "read subject \"\(subject)\""))
    }

    private func malformed(_ answer: JSONValue, _ what: String) -> SchemaRegistryError {
        SchemaRegistryError(request: what, url: SchemaRegistryConfiguration.splitCredentials(configuration.urls.first ?? "").url, status: 200, code: nil,
            message: "unexpected answer \(answer.jsonText.prefix(200))", fix: "check that the URL is a Schema Registry")
    }

    /// Sends one request, trying the next URL and trying again after no answer or a 5xx.
    private func request(_ method: String, _ path: String, body: JSONValue? = nil, what: String) async throws(SchemaRegistryError) -> JSONValue {
        if let ca = configuration.caLocation, transport is URLSessionSchemaRegistryTransport {
            // URLSession on Linux takes no per-session CA file; refusing beats silently ignoring it.
            throw SchemaRegistryError(request: what, url: SchemaRegistryConfiguration.splitCredentials(configuration.urls.first ?? "").url, status: nil, code: nil,
                message: "schema.registry.ssl.ca.location (\(ca)) needs a transport that trusts a CA file; URLSession uses the system's CA store only",
                fix: "pass transport: HTTPClientSchemaRegistryTransport(configuration:) (product RdKafkaSchemaRegistryHTTPClient of the Integrations package), or add the CA to the system trust store and remove the setting")
        }
        guard !configuration.urls.isEmpty else {
            throw SchemaRegistryError(request: what, url: "(none)", status: nil, code: nil, message: "no registry URL is configured",
                fix: "set schema.registry.url")
        }
        var attempt = 0
        while true {
            let base = configuration.urls[attempt % configuration.urls.count]
            do throws(SchemaRegistryError) {
                return try await send(method, base, path, body: body, what: what)
            } catch where error.isTransient && attempt < configuration.maxRetries && !Task.isCancelled {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(100 << min(attempt - 1, 6)))
            }
        }
    }

    private func send(_ method: String, _ base: String, _ path: String, body: JSONValue?, what: String) async throws(SchemaRegistryError) -> JSONValue {
        // `urls` may have been given credentials after the configuration was made.
        let (base, userInfoInURL) = SchemaRegistryConfiguration.splitCredentials(base)
        func failure(status: Int?, code: Int? = nil, _ message: String, fix: String? = nil) -> SchemaRegistryError {
            SchemaRegistryError(request: what, url: base, status: status, code: code, message: message, fix: fix)
        }
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let url = URL(string: trimmed + path), url.scheme == "http" || url.scheme == "https" else {
            throw failure(status: nil, "\(base) is not an http(s) URL", fix: "set schema.registry.url to http(s)://HOST:PORT")
        }
        var headers = ["Accept": "application/vnd.schemaregistry.v1+json"]
        if body != nil { headers["Content-Type"] = "application/vnd.schemaregistry.v1+json" }
        if let userInfo = configuration.basicAuthUserInfo ?? userInfoInURL {
            headers["Authorization"] = "Basic " + Data(userInfo.utf8).base64EncodedString()
        } else if let token = configuration.bearerToken {
            headers["Authorization"] = "Bearer " + token
        }
        let request = SchemaRegistryHTTPRequest(method: method, url: url, headers: headers, body: body.map { Array($0.jsonText.utf8) },
                                                timeout: configuration.requestTimeout)
        let response: SchemaRegistryHTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw failure(status: nil, "no answer: \(error)",
                fix: "check that the registry runs at \(base) and is reachable from here\(url.scheme == "https" ? ", and that its certificate chains to a trusted CA" : "")")
        }
        let status = response.status
        let text = String(decoding: response.body, as: UTF8.self)
        let json = try? JSONValue(parsing: text.isEmpty ? "null" : text)
        guard (200..<300).contains(status) else {
            let code = json?["error_code"].flatMap(Self.int)
            let message = json?["message"]?.stringValue ?? (text.isEmpty ? "no message" : String(text.prefix(200)))
            var fix: String?
            switch status {
            case 401: fix = "check basic.auth.user.info (KEY:SECRET) or the bearer token"
            case 403: fix = "the credentials are valid but may not do this: check the registry's role bindings"
            case 409: fix = "the schema breaks the subject's compatibility level; evolve it compatibly or change the level"
            case 422: fix = "the registry refused the schema as invalid"
            default: break
            }
            throw failure(status: status, code: code, message, fix: fix)
        }
        guard let json else { throw failure(status: status, "the answer is not JSON: \(text.prefix(200))") }
        return json
    }
}
