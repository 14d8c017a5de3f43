// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ProductPortal",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "product-portal", targets: ["product-portal"]),
        .library(name: "ProductPortal", targets: ["ProductPortal"]),
    ],
    dependencies: [
        // The SDK from this repository; its package name is "swift-rdkafka".
        .package(name: "swift-rdkafka", path: "../.."),
        // Lifecycle services, logging and metrics for the SDK (Integrations/ in this repository).
        .package(name: "swift-rdkafka-server", path: "../../Integrations"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // 1.16 for LogEvent, which the tests' capturing LogHandler implements.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // The metrics API only; the app picks a backend (see README.md, "Metrics").
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
    ],
    targets: [
        .target(
            name: "ProductPortal",
            dependencies: [
                .product(name: "RdKafka", package: "swift-rdkafka"),
                .product(name: "RdKafkaServiceLifecycle", package: "swift-rdkafka-server"),
                .product(name: "RdKafkaLogging", package: "swift-rdkafka-server"),
                .product(name: "RdKafkaMetrics", package: "swift-rdkafka-server"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "product-portal",
            dependencies: [
                "ProductPortal",
                // Only for PORTAL_EMBEDDED_CLUSTER=1 (MockCluster), to try the portal without a broker.
                .product(name: "RdKafkaTesting", package: "swift-rdkafka"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ProductPortalTests",
            dependencies: [
                "ProductPortal",
                .product(name: "RdKafka", package: "swift-rdkafka"),
                .product(name: "RdKafkaTesting", package: "swift-rdkafka"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "RdKafkaMetrics", package: "swift-rdkafka-server"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
