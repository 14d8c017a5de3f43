// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-rdkafka",
    products: [
        .library(name: "RdKafka", targets: ["RdKafka"]),
        .library(name: "RdKafkaTesting", targets: ["RdKafkaTesting"]),
        .executable(name: "rdkafka-cli", targets: ["rdkafka-cli"]),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "RdKafka", dependencies: ["CRdKafka"]),
        .target(name: "RdKafkaTesting", dependencies: ["RdKafka", "CRdKafka"]),
        .executableTarget(
            name: "rdkafka-cli",
            dependencies: ["RdKafka", "RdKafkaTesting"],
            path: "Examples/rdkafka-cli"
        ),
        .testTarget(name: "RdKafkaTests", dependencies: ["RdKafka", "RdKafkaTesting", "CRdKafka"]),
        .testTarget(name: "RdKafkaIntegrationTests", dependencies: ["RdKafka", "RdKafkaTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
