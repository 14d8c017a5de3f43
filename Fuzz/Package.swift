// swift-tools-version:6.0
// libFuzzer targets for the SDK's configuration parsing and mapping and the Avro decoder
// (`make check` runs them).
// A package of its own: a fuzz target has no `main` and only links with -sanitize=fuzzer.
import PackageDescription

let package = Package(
    name: "swift-rdkafka-fuzz",
    dependencies: [.package(name: "swift-rdkafka", path: "..")],
    targets: [
        .executableTarget(
            name: "config-fuzzer",
            dependencies: [.product(name: "RdKafka", package: "swift-rdkafka")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "avro-fuzzer",
            dependencies: [.product(name: "RdKafkaSchemaRegistry", package: "swift-rdkafka")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
