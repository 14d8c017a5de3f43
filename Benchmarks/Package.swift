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
        .executableTarget(
            name: "rdkafka-swift-bench",
            dependencies: [
                .product(name: "RdKafka", package: "swift-rdkafka"),
                .product(name: "RdKafkaSchemaRegistry", package: "swift-rdkafka"),
            ],
            path: "Sources/rdkafka-swift-bench"
        )
    ],
    swiftLanguageModes: [.v6]
)
