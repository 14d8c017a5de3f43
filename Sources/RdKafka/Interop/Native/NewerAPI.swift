import CRdKafka

/// librdkafka functions newer than the 2.0.2 headers the SDK compiles against, found by name in
/// the library this process loaded (`swift_rdkafka_symbol`), so that one binary uses what a
/// newer librdkafka offers. Each is `nil` when the loaded library lacks it; callers check
/// ``Librdkafka/supports(_:)`` first and get a `KafkaError` naming the version otherwise.
///
/// Opaque librdkafka types are `OpaquePointer`; the signatures are those of librdkafka's
/// documented API (`rdkafka.h`), in the version named on each group.
enum NewerAPI {
    static func function<F>(_ name: String, _ type: F.Type) -> F? {
        guard let pointer = swift_rdkafka_symbol(name) else { return nil }
        return unsafeBitCast(pointer, to: F.self)
    }

    typealias Start = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Void
    typealias ResultOf = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias List = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> UnsafePointer<OpaquePointer?>?
    typealias Text = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?

    // MARK: DescribeCluster (2.3.0)

    /// `RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER`.
    static let describeClusterOp = rd_kafka_admin_op_t(rawValue: 20)
    /// `rd_kafka_DescribeCluster(rk, options, queue)`.
    static let describeCluster = function("rd_kafka_DescribeCluster", Start.self)
    static let describeClusterResult = function("rd_kafka_event_DescribeCluster_result", ResultOf.self)
    static let describeClusterNodes = function("rd_kafka_DescribeCluster_result_nodes", List.self)
    static let describeClusterController = function("rd_kafka_DescribeCluster_result_controller", ResultOf.self)
    static let describeClusterID = function("rd_kafka_DescribeCluster_result_cluster_id", Text.self)
    /// `rd_kafka_Node_rack` (2.3.0; may return NULL).
    static let nodeRack = function("rd_kafka_Node_rack", Text.self)

    // MARK: DescribeTopics (2.3.0)

    /// `RD_KAFKA_ADMIN_OP_DESCRIBETOPICS`.
    static let describeTopicsOp = rd_kafka_admin_op_t(rawValue: 19)
    /// `rd_kafka_TopicCollection_of_topic_names(names, count)`.
    static let topicCollection = function(
        "rd_kafka_TopicCollection_of_topic_names",
        (@convention(c) (UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int) -> OpaquePointer?).self)
    static let topicCollectionDestroy = function("rd_kafka_TopicCollection_destroy", (@convention(c) (OpaquePointer?) -> Void).self)
    /// `rd_kafka_DescribeTopics(rk, collection, options, queue)`.
    static let describeTopics = function(
        "rd_kafka_DescribeTopics", (@convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let describeTopicsResult = function("rd_kafka_event_DescribeTopics_result", ResultOf.self)
    static let describeTopicsTopics = function("rd_kafka_DescribeTopics_result_topics", List.self)
    static let topicDescriptionName = function("rd_kafka_TopicDescription_name", Text.self)
    static let topicDescriptionID = function("rd_kafka_TopicDescription_topic_id", ResultOf.self)
    static let topicDescriptionIsInternal = function("rd_kafka_TopicDescription_is_internal", (@convention(c) (OpaquePointer?) -> Int32).self)
    /// The description's `rd_kafka_error_t`, owned by the result (not to be destroyed).
    static let topicDescriptionError = function("rd_kafka_TopicDescription_error", ResultOf.self)
    static let topicDescriptionPartitions = function("rd_kafka_TopicDescription_partitions", List.self)
    static let partitionInfoID = function("rd_kafka_TopicPartitionInfo_partition", (@convention(c) (OpaquePointer?) -> Int32).self)
    static let partitionInfoLeader = function("rd_kafka_TopicPartitionInfo_leader", ResultOf.self)
    static let partitionInfoISR = function("rd_kafka_TopicPartitionInfo_isr", List.self)
    static let partitionInfoReplicas = function("rd_kafka_TopicPartitionInfo_replicas", List.self)
    static let uuidBase64 = function("rd_kafka_Uuid_base64str", Text.self)

    // MARK: ListOffsets (2.3.0)

    /// `RD_KAFKA_ADMIN_OP_LISTOFFSETS`.
    static let listOffsetsOp = rd_kafka_admin_op_t(rawValue: 21)
    /// `rd_kafka_ListOffsets(rk, partitions, options, queue)`: each partition's offset is an
    /// `RD_KAFKA_OFFSET_SPEC_*` (-3 max timestamp, -2 earliest, -1 latest) or a time in ms.
    static let listOffsets = function(
        "rd_kafka_ListOffsets",
        (@convention(c) (OpaquePointer?, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let listOffsetsResult = function("rd_kafka_event_ListOffsets_result", ResultOf.self)
    static let listOffsetsInfos = function("rd_kafka_ListOffsets_result_infos", List.self)
    static let listOffsetsInfoPartition = function(
        "rd_kafka_ListOffsetsResultInfo_topic_partition",
        (@convention(c) (OpaquePointer?) -> UnsafePointer<rd_kafka_topic_partition_t>?).self)
    static let listOffsetsInfoTimestamp = function(
        "rd_kafka_ListOffsetsResultInfo_timestamp", (@convention(c) (OpaquePointer?) -> Int64).self)
    /// `rd_kafka_AdminOptions_set_isolation_level(options, 0 uncommitted | 1 committed)`.
    static let setIsolationLevel = function(
        "rd_kafka_AdminOptions_set_isolation_level", (@convention(c) (OpaquePointer?, Int32) -> OpaquePointer?).self)

    // MARK: IncrementalAlterConfigs (2.2.0)

    /// `RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS`.
    static let incrementalAlterConfigsOp = rd_kafka_admin_op_t(rawValue: 16)
    /// `rd_kafka_ConfigResource_add_incremental_config(resource, name, op, value)`: op 0 set,
    /// 1 delete; returns an `rd_kafka_error_t` to destroy, or NULL.
    static let addIncrementalConfig = function(
        "rd_kafka_ConfigResource_add_incremental_config",
        (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?) -> OpaquePointer?).self)
    /// `rd_kafka_IncrementalAlterConfigs(rk, resources, count, options, queue)`.
    static let incrementalAlterConfigs = function(
        "rd_kafka_IncrementalAlterConfigs",
        (@convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, Int, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let incrementalAlterConfigsResult = function("rd_kafka_event_IncrementalAlterConfigs_result", ResultOf.self)
    static let incrementalAlterConfigsResources = function("rd_kafka_IncrementalAlterConfigs_result_resources", List.self)

    // MARK: User SCRAM credentials (2.2.0)

    static let describeScramOp = rd_kafka_admin_op_t(rawValue: 17)
    static let alterScramOp = rd_kafka_admin_op_t(rawValue: 18)
    /// `rd_kafka_DescribeUserScramCredentials(rk, users, count, options, queue)`.
    static let describeScram = function(
        "rd_kafka_DescribeUserScramCredentials",
        (@convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let describeScramResult = function("rd_kafka_event_DescribeUserScramCredentials_result", ResultOf.self)
    static let describeScramDescriptions = function("rd_kafka_DescribeUserScramCredentials_result_descriptions", List.self)
    static let scramDescriptionUser = function("rd_kafka_UserScramCredentialsDescription_user", Text.self)
    /// The description's error, owned by the result.
    static let scramDescriptionError = function("rd_kafka_UserScramCredentialsDescription_error", ResultOf.self)
    static let scramDescriptionCount = function(
        "rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count", (@convention(c) (OpaquePointer?) -> Int).self)
    static let scramDescriptionInfo = function(
        "rd_kafka_UserScramCredentialsDescription_scramcredentialinfo", (@convention(c) (OpaquePointer?, Int) -> OpaquePointer?).self)
    /// `rd_kafka_ScramCredentialInfo_mechanism`: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512.
    static let scramInfoMechanism = function("rd_kafka_ScramCredentialInfo_mechanism", (@convention(c) (OpaquePointer?) -> Int32).self)
    static let scramInfoIterations = function("rd_kafka_ScramCredentialInfo_iterations", (@convention(c) (OpaquePointer?) -> Int32).self)
    /// `rd_kafka_UserScramCredentialUpsertion_new(user, mechanism, iterations, password, size, salt, size)`.
    static let scramUpsertion = function(
        "rd_kafka_UserScramCredentialUpsertion_new",
        (@convention(c) (UnsafePointer<CChar>?, Int32, Int32, UnsafePointer<UInt8>?, Int, UnsafePointer<UInt8>?, Int) -> OpaquePointer?).self)
    static let scramDeletion = function(
        "rd_kafka_UserScramCredentialDeletion_new", (@convention(c) (UnsafePointer<CChar>?, Int32) -> OpaquePointer?).self)
    static let scramAlterationDestroy = function(
        "rd_kafka_UserScramCredentialAlteration_destroy", (@convention(c) (OpaquePointer?) -> Void).self)
    /// `rd_kafka_AlterUserScramCredentials(rk, alterations, count, options, queue)`.
    static let alterScram = function(
        "rd_kafka_AlterUserScramCredentials",
        (@convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, Int, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let alterScramResult = function("rd_kafka_event_AlterUserScramCredentials_result", ResultOf.self)
    static let alterScramResponses = function("rd_kafka_AlterUserScramCredentials_result_responses", List.self)
    static let alterScramResponseUser = function("rd_kafka_AlterUserScramCredentials_result_response_user", Text.self)
    /// The response's error, owned by the result.
    static let alterScramResponseError = function("rd_kafka_AlterUserScramCredentials_result_response_error", ResultOf.self)

    // MARK: ElectLeaders (2.6.0)

    static let electLeadersOp = rd_kafka_admin_op_t(rawValue: 22)
    /// `rd_kafka_ElectLeaders_new(type, partitions)`: 0 preferred, 1 unclean; copies the list.
    static let electLeadersNew = function(
        "rd_kafka_ElectLeaders_new",
        (@convention(c) (Int32, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> OpaquePointer?).self)
    static let electLeadersDestroy = function("rd_kafka_ElectLeaders_destroy", (@convention(c) (OpaquePointer?) -> Void).self)
    static let electLeaders = function(
        "rd_kafka_ElectLeaders", (@convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Void).self)
    static let electLeadersResult = function("rd_kafka_event_ElectLeaders_result", ResultOf.self)
    static let electLeadersPartitions = function("rd_kafka_ElectLeaders_result_partitions", List.self)
    static let partitionResultPartition = function(
        "rd_kafka_topic_partition_result_partition", (@convention(c) (OpaquePointer?) -> UnsafePointer<rd_kafka_topic_partition_t>?).self)
    /// The result's error, owned by the result.
    static let partitionResultError = function("rd_kafka_topic_partition_result_error", ResultOf.self)
}
