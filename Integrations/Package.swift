// swift-tools-version:6.0
import PackageDescription

// swift-rdkafka in a Swift server: ServiceLifecycle services, swift-log, swift-metrics,
// distributed tracing, and an AsyncHTTPClient transport for the Schema Registry client. A package of its own so the SDK itself depends on nothing but librdkafka.
let package = Package(
    name: "swift-rdkafka-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RdKafkaServiceLifecycle", targets: ["RdKafkaServiceLifecycle"]),
        .library(name: "RdKafkaLogging", targets: ["RdKafkaLogging"]),
        .library(name: "RdKafkaMetrics", targets: ["RdKafkaMetrics"]),
        .library(name: "RdKafkaTracing", targets: ["RdKafkaTracing"]),
        .library(name: "RdKafkaSchemaRegistryHTTPClient", targets: ["RdKafkaSchemaRegistryHTTPClient"]),
    ],
    dependencies: [
        .package(name: "swift-rdkafka", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        .target(name: "RdKafkaServiceLifecycle", dependencies: [
            .product(name: "RdKafka", package: "swift-rdkafka"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RdKafkaLogging", dependencies: [
            .product(name: "RdKafka", package: "swift-rdkafka"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RdKafkaMetrics", dependencies: [
            .product(name: "RdKafka", package: "swift-rdkafka"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "RdKafkaTracing", dependencies: [
            .product(name: "RdKafka", package: "swift-rdkafka"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        .target(name: "RdKafkaSchemaRegistryHTTPClient", dependencies: [
            .product(name: "RdKafkaSchemaRegistry", package: "swift-rdkafka"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "RdKafkaIntegrationsTests", dependencies: [
            "RdKafkaServiceLifecycle", "RdKafkaLogging", "RdKafkaMetrics", "RdKafkaTracing", "RdKafkaSchemaRegistryHTTPClient",
            .product(name: "RdKafkaSchemaRegistry", package: "swift-rdkafka"),
            .product(name: "RdKafka", package: "swift-rdkafka"),
            .product(name: "RdKafkaTesting", package: "swift-rdkafka"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
