import CRdKafka

/// The share consumer of KIP-932 (librdkafka 2.15.0, in preview there): an `rd_kafka_share_t`
/// handle of its own, batches as `rd_kafka_messages_t`, acknowledgements per record.
extension NewerAPI {
    typealias ShareErrorCall = @convention(c) (OpaquePointer?) -> OpaquePointer?

    /// `rd_kafka_share_consumer_new(conf, errstr, size)`: takes the configuration on success.
    static let shareConsumerNew = function(
        "rd_kafka_share_consumer_new", (@convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int) -> OpaquePointer?).self)
    /// `rd_kafka_share_destroy(rkshare)`: an error (and no destroy) when another thread is inside.
    static let shareDestroy = function("rd_kafka_share_destroy", ShareErrorCall.self)
    /// `rd_kafka_share_consumer_close(rkshare)`: commits pending acknowledgements, leaves the group.
    static let shareClose = function("rd_kafka_share_consumer_close", ShareErrorCall.self)
    /// `rd_kafka_share_subscribe(rkshare, topics)`.
    static let shareSubscribe = function(
        "rd_kafka_share_subscribe",
        (@convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_topic_partition_list_t>?) -> rd_kafka_resp_err_t).self)
    static let shareUnsubscribe = function("rd_kafka_share_unsubscribe", (@convention(c) (OpaquePointer?) -> rd_kafka_resp_err_t).self)
    /// `rd_kafka_share_poll(rkshare, timeout_ms, &messages)`: an error, a batch, or neither.
    static let sharePoll = function(
        "rd_kafka_share_poll", (@convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer?).self)
    static let messagesCount = function("rd_kafka_messages_count", (@convention(c) (OpaquePointer?) -> Int).self)
    static let messagesGet = function(
        "rd_kafka_messages_get", (@convention(c) (OpaquePointer?, Int) -> UnsafeMutablePointer<rd_kafka_message_t>?).self)
    /// `rd_kafka_messages_destroy`: the batch and every message in it.
    static let messagesDestroy = function("rd_kafka_messages_destroy", (@convention(c) (OpaquePointer?) -> Void).self)
    /// `rd_kafka_message_delivery_count`: how often the record has been delivered (0 outside share groups).
    static let messageDeliveryCount = function(
        "rd_kafka_message_delivery_count", (@convention(c) (UnsafePointer<rd_kafka_message_t>?) -> Int16).self)
    /// `rd_kafka_share_acknowledge_type(rkshare, message, type)`: 1 accept, 2 release, 3 reject.
    static let shareAcknowledge = function(
        "rd_kafka_share_acknowledge_type",
        (@convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, Int32) -> rd_kafka_resp_err_t).self)
    /// `rd_kafka_share_commit_sync(rkshare, timeout_ms, &partitions)`: per-partition results in a
    /// list the caller destroys (NULL when nothing was pending).
    static let shareCommitSync = function(
        "rd_kafka_share_commit_sync",
        (@convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?>?) -> OpaquePointer?).self)
    static let shareCommitAsync = function("rd_kafka_share_commit_async", ShareErrorCall.self)
    /// `rd_kafka_share_set_acknowledgement_commit_cb(rkshare, callback, opaque)`.
    static let shareSetCommitCallback = function(
        "rd_kafka_share_set_acknowledgement_commit_cb",
        (@convention(c) (OpaquePointer?, ShareCommitCallback?, UnsafeMutableRawPointer?) -> OpaquePointer?).self)
    typealias ShareCommitCallback = @convention(c) (OpaquePointer?, OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutableRawPointer?) -> Void
    static let shareOffsetsCount = function("rd_kafka_share_partition_offsets_list_count", (@convention(c) (OpaquePointer?) -> Int).self)
    static let shareOffsetsGet = function("rd_kafka_share_partition_offsets_list_get", (@convention(c) (OpaquePointer?, Int) -> OpaquePointer?).self)
    static let shareOffsetsPartition = function(
        "rd_kafka_share_partition_offsets_partition", (@convention(c) (OpaquePointer?) -> UnsafePointer<rd_kafka_topic_partition_t>?).self)
    static let shareOffsetsOffsets = function("rd_kafka_share_partition_offsets_offsets", (@convention(c) (OpaquePointer?) -> UnsafePointer<Int64>?).self)
    static let shareOffsetsOffsetCount = function("rd_kafka_share_partition_offsets_offsets_cnt", (@convention(c) (OpaquePointer?) -> Int).self)
    /// `rd_kafka_share_sasl_background_callbacks_enable(rkshare)`.
    static let shareSASLBackground = function("rd_kafka_share_sasl_background_callbacks_enable", ShareErrorCall.self)
    /// `rd_kafka_share_oauthbearer_set_token(rkshare, ...)`, as `rd_kafka_oauthbearer_set_token`.
    static let shareSetToken = function(
        "rd_kafka_share_oauthbearer_set_token",
        (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int64, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int,
                         UnsafeMutablePointer<CChar>?, Int) -> rd_kafka_resp_err_t).self)
    static let shareSetTokenFailure = function(
        "rd_kafka_share_oauthbearer_set_token_failure", (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> rd_kafka_resp_err_t).self)
    /// `rd_kafka_share_sasl_set_credentials(rkshare, username, password)`.
    static let shareSetCredentials = function(
        "rd_kafka_share_sasl_set_credentials",
        (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> OpaquePointer?).self)

    /// Every function the share consumer calls.
    static var shareConsumerFunctions: [Any?] {
        [shareConsumerNew, shareDestroy, shareClose, shareSubscribe, shareUnsubscribe, sharePoll, messagesCount, messagesGet,
         messagesDestroy, messageDeliveryCount, shareAcknowledge, shareCommitSync, shareCommitAsync, shareSetCommitCallback,
         shareOffsetsCount, shareOffsetsGet, shareOffsetsPartition, shareOffsetsOffsets, shareOffsetsOffsetCount,
         shareSASLBackground, shareSetToken, shareSetTokenFailure, shareSetCredentials]
    }
}
