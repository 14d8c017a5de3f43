// swift-tools-version:6.0
import PackageDescription

// swift-rdkafka in a Swift server: ServiceLifecycle services, swift-log, swift-metrics and
// distributed tracing. A package of its own so the SDK itself depends on nothing but librdkafka.
let package = Package(
    name: "swift-rdkafka-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RdKafkaServiceLifecycle", targets: ["RdKafkaServiceLifecycle"]),
        .library(name: "RdKafkaLogging", targets: ["RdKafkaLogging"]),
        .library(name: "RdKafkaMetrics", targets: ["RdKafkaMetrics"]),
        .library(name: "RdKafkaTracing", targets: ["RdKafkaTracing"]),
    ],
    dependencies: [
        .package(name: "swift-rdkafka", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.2.0"),
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
        .testTarget(name: "RdKafkaIntegrationsTests", dependencies: [
            "RdKafkaServiceLifecycle", "RdKafkaLogging", "RdKafkaMetrics", "RdKafkaTracing",
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
