// swift-tools-version:6.0
// Benchmarks: the Swift side of `make bench` (see README.md). A nested package so that
// building it never touches the root package's `.build`:
//   swift build -c release --package-path Benchmarks
import PackageDescription

let package = Package(
    name: "swift-rdkafka-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-rdkafka", path: "..")
    ],
    targets: [
        .target(name: "BenchSupport", dependencies: [.product(name: "RdKafka", package: "swift-rdkafka")]),
        // Without Foundation: its start-up (dynamic linking) would count in every run's
        // instructions per message.
        .executableTarget(
            name: "rdkafka-swift-bench",
            dependencies: ["BenchSupport", .product(name: "RdKafka", package: "swift-rdkafka")],
            path: "Sources/rdkafka-swift-bench"
        ),
        .executableTarget(
            name: "rdkafka-avro-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "RdKafka", package: "swift-rdkafka"),
                .product(name: "RdKafkaSchemaRegistry", package: "swift-rdkafka"),
            ],
            path: "Sources/rdkafka-avro-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
