/// An error from librdkafka, a broker, or the SDK's own checks.
///
/// Every C error the SDK sees becomes a `KafkaError` carrying librdkafka's code, its message and
/// its classification flags. Configuration errors also name the property, where its value came
/// from, and how to fix it. Secrets never appear in any of these strings.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`).
    public var code: Code
    /// What went wrong, in words.
    public var message: String
    /// The operation may succeed if retried (`rd_kafka_error_is_retriable`).
    public var isRetriable: Bool
    /// The client can no longer be used and must be recreated (`rd_kafka_error_is_fatal`).
    public var isFatal: Bool
    /// The current transaction must be aborted (`rd_kafka_error_txn_requires_abort`).
    public var transactionRequiresAbort: Bool
    /// The configuration property this error is about, if any.
    public var property: String?
    /// Where the offending value came from (file and line, environment variable, code).
    public var origin: KafkaConfiguration.Origin?
    /// What to do about it.
    public var fix: String?

    public init(
        code: Code, message: String, isRetriable: Bool = false, isFatal: Bool = false,
        transactionRequiresAbort: Bool = false, property: String? = nil,
        origin: KafkaConfiguration.Origin? = nil, fix: String? = nil
    ) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.transactionRequiresAbort = transactionRequiresAbort
        self.property = property
        self.origin = origin
        self.fix = fix
    }

    public var description: String {
        var text = "KafkaError.\(code.name)"
        if let property { text += " [\(property)]" }
        text += ": \(message)"
        if let origin, origin != .code { text += " (set \(origin))" }
        if let fix { text += ". Fix: \(fix)" }
        if isFatal { text += " [fatal]" }
        if isRetriable { text += " [retriable]" }
        if transactionRequiresAbort { text += " [abort transaction]" }
        return text
    }

    /// A configuration error for `property`.
    static func configuration(
        _ property: String?, _ message: String, origin: KafkaConfiguration.Origin? = nil,
        fix: String? = nil
    ) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message, property: property, origin: origin, fix: fix)
    }

    /// A usage error: bad arguments to an SDK call.
    static func invalidArgument(_ message: String, fix: String? = nil) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message, fix: fix)
    }

    /// The client was closed or shut down before this call.
    static func closed(_ what: String) -> KafkaError {
        KafkaError(code: .destroy, message: "\(what) has been closed", fix: "create a new client")
    }
}

extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are local to the client,
    /// positive ones come from the broker.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// librdkafka's name for the code, such as `_MSG_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`
        /// (`rd_kafka_err2name`).
        public var name: String { Interop.errorName(rawValue) }
        /// librdkafka's text for the code (`rd_kafka_err2str`).
        public var text: String { Interop.errorText(rawValue) }
        public var description: String { "\(name)(\(rawValue))" }

        public static let noError = Code(rawValue: 0)
        public static let badMessage = Code(rawValue: -199)
        public static let fail = Code(rawValue: -196)
        public static let transport = Code(rawValue: -195)
        public static let criticalSystemResource = Code(rawValue: -194)
        public static let resolve = Code(rawValue: -193)
        public static let messageTimedOut = Code(rawValue: -192)
        public static let partitionEOF = Code(rawValue: -191)
        public static let unknownPartition = Code(rawValue: -190)
        public static let fileSystem = Code(rawValue: -189)
        public static let unknownTopic = Code(rawValue: -188)
        public static let allBrokersDown = Code(rawValue: -187)
        public static let invalidArgument = Code(rawValue: -186)
        public static let timedOut = Code(rawValue: -185)
        public static let queueFull = Code(rawValue: -184)
        public static let isrInsufficient = Code(rawValue: -183)
        public static let nodeUpdate = Code(rawValue: -182)
        public static let ssl = Code(rawValue: -181)
        public static let waitCoordinator = Code(rawValue: -180)
        public static let unknownGroup = Code(rawValue: -179)
        public static let inProgress = Code(rawValue: -178)
        public static let previousInProgress = Code(rawValue: -177)
        public static let existingSubscription = Code(rawValue: -176)
        public static let assignPartitions = Code(rawValue: -175)
        public static let revokePartitions = Code(rawValue: -174)
        public static let conflict = Code(rawValue: -173)
        public static let state = Code(rawValue: -172)
        public static let unknownProtocol = Code(rawValue: -171)
        public static let notImplemented = Code(rawValue: -170)
        public static let authentication = Code(rawValue: -169)
        public static let noOffset = Code(rawValue: -168)
        public static let outdated = Code(rawValue: -167)
        public static let timedOutQueue = Code(rawValue: -166)
        public static let unsupportedFeature = Code(rawValue: -165)
        public static let waitCache = Code(rawValue: -164)
        public static let interrupted = Code(rawValue: -163)
        public static let keySerialization = Code(rawValue: -162)
        public static let valueSerialization = Code(rawValue: -161)
        public static let keyDeserialization = Code(rawValue: -160)
        public static let valueDeserialization = Code(rawValue: -159)
        public static let partial = Code(rawValue: -158)
        public static let readOnly = Code(rawValue: -157)
        public static let noent = Code(rawValue: -156)
        public static let underflow = Code(rawValue: -155)
        public static let invalidType = Code(rawValue: -154)
        public static let retry = Code(rawValue: -153)
        public static let purgeQueue = Code(rawValue: -152)
        public static let purgeInflight = Code(rawValue: -151)
        public static let fatal = Code(rawValue: -150)
        public static let inconsistent = Code(rawValue: -149)
        public static let gaplessGuarantee = Code(rawValue: -148)
        public static let maxPollExceeded = Code(rawValue: -147)
        public static let unknownBroker = Code(rawValue: -146)
        public static let notConfigured = Code(rawValue: -145)
        public static let fenced = Code(rawValue: -144)
        public static let application = Code(rawValue: -143)
        public static let assignmentLost = Code(rawValue: -142)
        public static let noop = Code(rawValue: -141)
        public static let autoOffsetReset = Code(rawValue: -140)
        public static let logTruncation = Code(rawValue: -139)
        public static let destroy = Code(rawValue: -197)

        public static let unknown = Code(rawValue: -1)
        public static let offsetOutOfRange = Code(rawValue: 1)
        public static let invalidMessage = Code(rawValue: 2)
        public static let unknownTopicOrPartition = Code(rawValue: 3)
        public static let invalidMessageSize = Code(rawValue: 4)
        public static let leaderNotAvailable = Code(rawValue: 5)
        public static let notLeaderForPartition = Code(rawValue: 6)
        public static let requestTimedOut = Code(rawValue: 7)
        public static let brokerNotAvailable = Code(rawValue: 8)
        public static let replicaNotAvailable = Code(rawValue: 9)
        public static let messageSizeTooLarge = Code(rawValue: 10)
        public static let offsetMetadataTooLarge = Code(rawValue: 12)
        public static let networkException = Code(rawValue: 13)
        public static let coordinatorLoadInProgress = Code(rawValue: 14)
        public static let coordinatorNotAvailable = Code(rawValue: 15)
        public static let notCoordinator = Code(rawValue: 16)
        public static let topicException = Code(rawValue: 17)
        public static let recordListTooLarge = Code(rawValue: 18)
        public static let notEnoughReplicas = Code(rawValue: 19)
        public static let notEnoughReplicasAfterAppend = Code(rawValue: 20)
        public static let invalidRequiredAcks = Code(rawValue: 21)
        public static let illegalGeneration = Code(rawValue: 22)
        public static let inconsistentGroupProtocol = Code(rawValue: 23)
        public static let invalidGroupID = Code(rawValue: 24)
        public static let unknownMemberID = Code(rawValue: 25)
        public static let invalidSessionTimeout = Code(rawValue: 26)
        public static let rebalanceInProgress = Code(rawValue: 27)
        public static let invalidCommitOffsetSize = Code(rawValue: 28)
        public static let topicAuthorizationFailed = Code(rawValue: 29)
        public static let groupAuthorizationFailed = Code(rawValue: 30)
        public static let clusterAuthorizationFailed = Code(rawValue: 31)
        public static let invalidTimestamp = Code(rawValue: 32)
        public static let unsupportedSASLMechanism = Code(rawValue: 33)
        public static let illegalSASLState = Code(rawValue: 34)
        public static let unsupportedVersion = Code(rawValue: 35)
        public static let topicAlreadyExists = Code(rawValue: 36)
        public static let invalidPartitions = Code(rawValue: 37)
        public static let invalidReplicationFactor = Code(rawValue: 38)
        public static let invalidConfig = Code(rawValue: 40)
        public static let notController = Code(rawValue: 41)
        public static let invalidRequest = Code(rawValue: 42)
        public static let policyViolation = Code(rawValue: 44)
        public static let outOfOrderSequenceNumber = Code(rawValue: 45)
        public static let duplicateSequenceNumber = Code(rawValue: 46)
        public static let invalidProducerEpoch = Code(rawValue: 47)
        public static let invalidTransactionState = Code(rawValue: 48)
        public static let invalidProducerIDMapping = Code(rawValue: 49)
        public static let transactionalIDAuthorizationFailed = Code(rawValue: 53)
        public static let securityDisabled = Code(rawValue: 54)
        public static let saslAuthenticationFailed = Code(rawValue: 58)
        public static let unknownProducerID = Code(rawValue: 59)
        public static let groupIDNotFound = Code(rawValue: 69)
        public static let fencedLeaderEpoch = Code(rawValue: 74)
        public static let unknownLeaderEpoch = Code(rawValue: 75)
        public static let memberIDRequired = Code(rawValue: 79)
        public static let groupMaxSizeReached = Code(rawValue: 81)
        public static let fencedInstanceID = Code(rawValue: 82)
        public static let groupSubscribedToTopic = Code(rawValue: 86)
        public static let producerFenced = Code(rawValue: 90)
    }
}
