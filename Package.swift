// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-rdkafka",
    // `Atomic` and `Mutex` (Synchronization) need macOS 15; Linux needs no minimum.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RdKafka", targets: ["RdKafka"]),
        .library(name: "RdKafkaTesting", targets: ["RdKafkaTesting"]),
        // Schema Registry client and Avro serializers (Foundation, for its HTTP client).
        .library(name: "RdKafkaSchemaRegistry", targets: ["RdKafkaSchemaRegistry"]),
        .executable(name: "rdkafka-cli", targets: ["rdkafka-cli"]),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        .target(name: "RdKafka", dependencies: ["CRdKafka"]),
        .target(name: "RdKafkaTesting", dependencies: ["RdKafka"]),
        .target(name: "RdKafkaSchemaRegistry", dependencies: ["RdKafka"]),
        .executableTarget(
            name: "rdkafka-cli",
            dependencies: ["RdKafka", "RdKafkaTesting", "RdKafkaSchemaRegistry"],
            path: "Examples/rdkafka-cli"
        ),
        // The seed scenarios as small programs; `make test` runs each (Tests/RdKafkaIntegrationTests/ExamplesTests.swift).
        .target(name: "ExampleSupport", path: "Examples/ExampleSupport"),
        .executableTarget(name: "production-stream", dependencies: ["RdKafka", "ExampleSupport"], path: "Examples/ProductionStream"),
        .executableTarget(name: "config-file-client", dependencies: ["RdKafka", "ExampleSupport"], path: "Examples/ConfigFileClients", exclude: ["config"]),
        .executableTarget(name: "java-patterns", dependencies: ["RdKafka", "ExampleSupport"], path: "Examples/JavaPatterns"),
        .executableTarget(name: "work-queue", dependencies: ["RdKafka", "ExampleSupport"], path: "Examples/WorkQueue"),
        .executableTarget(name: "avro-prices", dependencies: ["RdKafka", "RdKafkaSchemaRegistry", "ExampleSupport"], path: "Examples/AvroPrices"),
        .testTarget(name: "RdKafkaTests", dependencies: ["RdKafka", "RdKafkaTesting"]),
        .testTarget(name: "RdKafkaIntegrationTests", dependencies: ["RdKafka", "RdKafkaTesting"]),
        .testTarget(
            name: "RdKafkaSchemaRegistryTests", dependencies: ["RdKafkaSchemaRegistry", "RdKafka", "RdKafkaTesting"],
            exclude: ["everything.avsc", "avro_reference.py", "python_interop.py"]),
    ],
    swiftLanguageModes: [.v6]
)
