import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RdKafkaSchemaRegistry

/// Sends a ``SchemaRegistryClient``'s requests with AsyncHTTPClient, so that a registry whose
/// certificate chains to a private CA works on every platform: the configuration's
/// `caLocation` (`schema.registry.ssl.ca.location`, a PEM file) becomes the trust roots.
/// Without it the system's trust store is used, as with `URLSession`.
///
/// ```swift
/// let configuration = try SchemaRegistryConfiguration(kafka: kafkaConfiguration)
/// let registry = SchemaRegistryClient(configuration: configuration,
///                                     transport: try HTTPClientSchemaRegistryTransport(configuration: configuration))
/// ```
///
/// Owns its `HTTPClient` (on NIO's shared event loops) and shuts it down when released.
public final class HTTPClientSchemaRegistryTransport: SchemaRegistryTransport {
    private let client: HTTPClient
    /// Answers larger than this are refused: a registry's largest answer is a subject's list.
    private static let maxBody = 64 << 20

    /// - Throws: ``SchemaRegistryError`` naming `schema.registry.ssl.ca.location` when the CA
    ///   file cannot be read as PEM certificates.
    public init(configuration: SchemaRegistryConfiguration,
                eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) throws(SchemaRegistryError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = configuration.caLocation {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(ca)
            } catch {
                throw SchemaRegistryError(request: "read the registry's CA file", url: configuration.urls.first ?? "(none)", status: nil, code: nil,
                    message: "schema.registry.ssl.ca.location=\(ca) could not be read as PEM certificates (\(error))",
                    fix: "point schema.registry.ssl.ca.location at a readable PEM file of CA certificates")
            }
            guard !certificates.isEmpty else {
                throw SchemaRegistryError(request: "read the registry's CA file", url: configuration.urls.first ?? "(none)", status: nil, code: nil,
                    message: "schema.registry.ssl.ca.location=\(ca) holds no certificate",
                    fix: "point schema.registry.ssl.ca.location at a PEM file of CA certificates")
            }
            tls.trustRoots = .certificates(certificates)
        }
        var httpConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
        // A refused connection or certificate fails the request at once: the registry client
        // has its own bounded retries, and a TLS error should not wait out the timeout.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: httpConfiguration)
    }

    deinit {
        // The client keeps itself alive until its connections are closed.
        client.shutdown { _ in }
    }

    public func send(_ request: SchemaRegistryHTTPRequest) async throws -> SchemaRegistryHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let nanoseconds = request.timeout.components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let timeout: TimeAmount = nanoseconds.overflow ? .hours(24) : .nanoseconds(nanoseconds.partialValue + request.timeout.components.attoseconds / 1_000_000_000)
        let response = try await client.execute(outgoing, timeout: timeout)
        let body = try await response.body.collect(upTo: Self.maxBody)
        return SchemaRegistryHTTPResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
    }
}
