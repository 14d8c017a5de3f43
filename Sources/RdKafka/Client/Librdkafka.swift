/// Facts about the librdkafka library the SDK runs on, and what it can do.
///
/// The SDK builds against any librdkafka from 2.0.2 and uses what the library loaded at run
/// time offers: a feature the loaded library lacks fails with a ``KafkaError`` that names the
/// feature and the version it needs, never a crash.
public enum Librdkafka {
    /// librdkafka's version, such as `2.0.2` (`rd_kafka_version_str`).
    public static var version: String { Interop.versionString }
    /// librdkafka's version as a number, `0xMMmmrrxx` (`rd_kafka_version`).
    public static var versionNumber: Int { Interop.versionNumber }
    /// What this librdkafka build supports, such as `ssl`, `sasl_scram`, `zstd`
    /// (the `builtin.features` property).
    public static var builtinFeatures: Set<String> { Interop.builtinFeatures }

    /// The loaded library's version.
    public static var loadedVersion: Version { Version(number: versionNumber) }

    /// A librdkafka release: major, minor, revision.
    public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var major: Int
        public var minor: Int
        public var revision: Int

        public init(_ major: Int, _ minor: Int, _ revision: Int = 0) {
            self.major = major
            self.minor = minor
            self.revision = revision
        }

        /// From `rd_kafka_version()`'s `0xMMmmrrxx`.
        public init(number: Int) {
            self.init((number >> 24) & 0xff, (number >> 16) & 0xff, (number >> 8) & 0xff)
        }

        public static func < (a: Version, b: Version) -> Bool {
            (a.major, a.minor, a.revision) < (b.major, b.minor, b.revision)
        }

        public var description: String { "\(major).\(minor).\(revision)" }
    }

    /// Capabilities that only newer librdkafka releases have.
    public enum Feature: String, Sendable, CaseIterable, CustomStringConvertible {
        /// KIP-848 consumer groups (`group.protocol=consumer`): the broker assigns partitions.
        /// Production-ready from 2.12.0 (earlier releases had it as a preview).
        case consumerGroupProtocol
        /// Admin ListOffsets (earliest, latest, max timestamp, by time).
        case listOffsets
        /// Admin DescribeCluster (brokers with racks, controller, cluster id).
        case describeCluster
        /// Admin DescribeTopics (partitions with leaders and replicas, topic ids).
        case describeTopics
        /// Admin IncrementalAlterConfigs: change or delete single topic settings.
        case incrementalAlterConfigs
        /// `fetch.queue.backoff.ms`: how long a consumer pauses fetching when its queue is full.
        case fetchQueueBackoff
        /// Admin describe and alter of users' SCRAM credentials (KIP-554).
        case scramCredentials
        /// Admin ElectLeaders: move leadership to the preferred (or any) replica.
        case electLeaders
        /// ACLs on transactional ids (``AclBinding/ResourceType/transactionalID``).
        case transactionalIDACLs
        /// KIP-932 share groups: ``KafkaShareConsumer`` (a preview in librdkafka).
        case shareConsumer

        /// The first librdkafka release with the feature.
        public var minimumVersion: Version {
            switch self {
            case .consumerGroupProtocol: return Version(2, 12, 0)
            case .listOffsets, .describeCluster, .describeTopics: return Version(2, 3, 0)
            case .incrementalAlterConfigs, .fetchQueueBackoff, .scramCredentials: return Version(2, 2, 0)
            case .electLeaders, .transactionalIDACLs: return Version(2, 6, 0)
            case .shareConsumer: return Version(2, 15, 0)
            }
        }

        public var description: String {
            switch self {
            case .consumerGroupProtocol: return "KIP-848 consumer groups (group.protocol=consumer)"
            case .listOffsets: return "the ListOffsets admin call"
            case .describeCluster: return "the DescribeCluster admin call"
            case .describeTopics: return "the DescribeTopics admin call"
            case .incrementalAlterConfigs: return "the IncrementalAlterConfigs admin call"
            case .fetchQueueBackoff: return "fetch.queue.backoff.ms"
            case .scramCredentials: return "the SCRAM credential admin calls"
            case .electLeaders: return "the ElectLeaders admin call"
            case .transactionalIDACLs: return "ACLs on transactional ids"
            case .shareConsumer: return "the KIP-932 share consumer (share groups)"
            }
        }

        /// librdkafka functions the feature calls, all of which the loaded library must export.
        var functions: [Any?] {
            switch self {
            case .consumerGroupProtocol, .fetchQueueBackoff, .transactionalIDACLs: return []
            case .listOffsets:
                return [NewerAPI.listOffsets, NewerAPI.listOffsetsResult, NewerAPI.listOffsetsInfos,
                        NewerAPI.listOffsetsInfoPartition, NewerAPI.listOffsetsInfoTimestamp, NewerAPI.setIsolationLevel]
            case .describeCluster:
                return [NewerAPI.describeCluster, NewerAPI.describeClusterResult, NewerAPI.describeClusterNodes,
                        NewerAPI.describeClusterController, NewerAPI.describeClusterID, NewerAPI.nodeRack]
            case .describeTopics:
                return [NewerAPI.topicCollection, NewerAPI.topicCollectionDestroy, NewerAPI.describeTopics, NewerAPI.describeTopicsResult,
                        NewerAPI.describeTopicsTopics, NewerAPI.topicDescriptionName, NewerAPI.topicDescriptionID,
                        NewerAPI.topicDescriptionIsInternal, NewerAPI.topicDescriptionError, NewerAPI.topicDescriptionPartitions,
                        NewerAPI.partitionInfoID, NewerAPI.partitionInfoLeader, NewerAPI.partitionInfoISR,
                        NewerAPI.partitionInfoReplicas, NewerAPI.uuidBase64]
            case .scramCredentials:
                return [NewerAPI.describeScram, NewerAPI.describeScramResult, NewerAPI.describeScramDescriptions,
                        NewerAPI.scramDescriptionUser, NewerAPI.scramDescriptionError, NewerAPI.scramDescriptionCount,
                        NewerAPI.scramDescriptionInfo, NewerAPI.scramInfoMechanism, NewerAPI.scramInfoIterations,
                        NewerAPI.scramUpsertion, NewerAPI.scramDeletion, NewerAPI.scramAlterationDestroy, NewerAPI.alterScram,
                        NewerAPI.alterScramResult, NewerAPI.alterScramResponses, NewerAPI.alterScramResponseUser,
                        NewerAPI.alterScramResponseError]
            case .electLeaders:
                return [NewerAPI.electLeadersNew, NewerAPI.electLeadersDestroy, NewerAPI.electLeaders, NewerAPI.electLeadersResult,
                        NewerAPI.electLeadersPartitions, NewerAPI.partitionResultPartition, NewerAPI.partitionResultError]
            case .shareConsumer:
                return NewerAPI.shareConsumerFunctions
            case .incrementalAlterConfigs:
                return [NewerAPI.addIncrementalConfig, NewerAPI.incrementalAlterConfigs,
                        NewerAPI.incrementalAlterConfigsResult, NewerAPI.incrementalAlterConfigsResources]
            }
        }
    }

    /// Whether the loaded librdkafka has `feature`.
    public static func supports(_ feature: Feature) -> Bool {
        loadedVersion >= feature.minimumVersion && feature.functions.allSatisfy { $0 != nil }
    }

    /// Throws the error that says `feature` needs a newer librdkafka than the one loaded.
    static func require(_ feature: Feature) throws(KafkaError) {
        guard !supports(feature) else { return }
        throw KafkaError(
            code: .unsupportedFeature,
            message: "\(feature) needs librdkafka \(feature.minimumVersion) or later; this process loaded librdkafka \(version)",
            fix: "install a newer librdkafka (Homebrew, or your distribution's newer release) and run again; "
                + "the SDK uses it without a rebuild")
    }

    /// Properties that only newer librdkafka releases know, with the release that added them:
    /// an unknown-property error for one of them says so instead of "no such property".
    static let newerProperties: [String: (Version, String)] = [
        "group.protocol": (Version(2, 4, 0), "KIP-848 consumer groups, production-ready from 2.12.0"),
        "group.remote.assignor": (Version(2, 4, 0), "KIP-848 consumer groups, production-ready from 2.12.0"),
        "fetch.queue.backoff.ms": (Version(2, 2, 0), "a consumer's pause when its fetch queue is full"),
        "retry.backoff.max.ms": (Version(2, 3, 0), "exponential retry backoff"),
        "enable.metrics.push": (Version(2, 5, 0), "KIP-714 client metrics"),
        "share.acknowledgement.mode": (Version(2, 15, 0), "KIP-932 share consumers"),
        "max.poll.records": (Version(2, 15, 0), "KIP-932 share consumers"),
        "sasl.oauthbearer.metadata.authentication.type": (Version(2, 12, 0), "OAUTHBEARER on cloud metadata services"),
        "https.ca.location": (Version(2, 11, 0), "OAUTHBEARER OIDC over HTTPS"),
    ]
}
