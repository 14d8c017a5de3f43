import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How a ``SchemaRegistryClient`` sends its HTTP requests. The default,
/// ``URLSessionSchemaRegistryTransport``, uses Foundation's `URLSession`; the Integrations
/// package's `HTTPClientSchemaRegistryTransport` uses AsyncHTTPClient and trusts a CA file
/// (`schema.registry.ssl.ca.location`), which `URLSession` on Linux cannot.
///
/// A transport sends one request and returns the answer, whatever its status: the client
/// interprets statuses, retries and builds the errors. It is called from many tasks at once.
public protocol SchemaRegistryTransport: Sendable {
    /// Sends `request` and returns the status and body. Throws when no answer came
    /// (connection refused, TLS failure, timeout); the client tries again within its bound.
    func send(_ request: SchemaRegistryHTTPRequest) async throws -> SchemaRegistryHTTPResponse
}

/// One request to the registry. Its description leaves out the headers, which carry the
/// credentials.
public struct SchemaRegistryHTTPRequest: Sendable, CustomStringConvertible {
    public var method: String
    public var url: URL
    /// `Accept`, `Content-Type` and `Authorization`.
    public var headers: [String: String]
    public var body: [UInt8]?
    /// How long the request may take (the configuration's `requestTimeout`).
    public var timeout: Duration

    public init(method: String, url: URL, headers: [String: String], body: [UInt8]?, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public var description: String { "\(method) \(url.absoluteString)" }
}

/// The registry's answer.
public struct SchemaRegistryHTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Sends requests with an ephemeral `URLSession` (no cookies, no credential store). Trusts the
/// system's CA store only: a client with `caLocation` set refuses to send through it.
public final class URLSessionSchemaRegistryTransport: SchemaRegistryTransport {
    private let session: URLSession

    public init() {
        session = URLSession(configuration: .ephemeral)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: SchemaRegistryHTTPRequest) async throws -> SchemaRegistryHTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body.map { Data($0) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw NoAnswer(reason: error.localizedDescription)
        }
        return SchemaRegistryHTTPResponse(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: [UInt8](data))
    }
}

/// Foundation's own words for a failed request, not its error's debug dump.
private struct NoAnswer: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
