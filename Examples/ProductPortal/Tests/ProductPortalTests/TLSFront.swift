import Foundation

/// The TLS front `scripts/brokers.sh start` runs in front of noida-db, from `.brokers/env`.
struct TLSFront: Sendable {
    let bootstrap: String
    let certsDirectory: String
    let keyPassword: String

    static let current: TLSFront? = {
        let environment = ProcessInfo.processInfo.environment
        guard let bootstrap = environment["RDKAFKA_TEST_SSL_BOOTSTRAP"], let certs = environment["RDKAFKA_TEST_CERTS_DIR"],
              let password = environment["RDKAFKA_TEST_KEY_PASSWORD"]
        else { return nil }
        return TLSFront(bootstrap: bootstrap, certsDirectory: certs, keyPassword: password)
    }()

    /// A portal-tls.properties for this front: CA, client certificate and encrypted key.
    var properties: String {
        """
        bootstrap.servers=\(bootstrap)
        security.protocol=SSL
        ssl.ca.location=\(certsDirectory)/ca.pem
        ssl.certificate.location=\(certsDirectory)/client.pem
        ssl.key.location=\(certsDirectory)/client.key
        ssl.key.password=\(keyPassword)

        """
    }
}
