/// An access control entry: who (principal, host) may or may not do what (operation) on which
/// resources (type, name, pattern). librdkafka's `rd_kafka_AclBinding_t`.
public struct AclBinding: Sendable, Hashable, CustomStringConvertible {
    /// The kind of resource an ACL covers.
    public enum ResourceType: String, Sendable, Hashable, CaseIterable {
        case topic = "Topic"
        case group = "Group"
        /// The cluster itself (librdkafka's `RD_KAFKA_RESOURCE_BROKER`); its name is `kafka-cluster`.
        case cluster = "Cluster"
        /// Transactional ids (librdkafka 2.6 or later).
        case transactionalID = "TransactionalId"
    }

    /// How the resource name matches.
    public enum PatternType: String, Sendable, Hashable, CaseIterable {
        /// The name exactly (`*` is every resource of the type).
        case literal = "Literal"
        /// Every resource whose name starts with the name.
        case prefixed = "Prefixed"
    }

    /// What the principal does.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case all = "All", read = "Read", write = "Write", create = "Create", delete = "Delete", alter = "Alter"
        case describe = "Describe", clusterAction = "ClusterAction", describeConfigs = "DescribeConfigs"
        case alterConfigs = "AlterConfigs", idempotentWrite = "IdempotentWrite"
    }

    /// Whether the entry grants or refuses.
    public enum Permission: String, Sendable, Hashable, CaseIterable {
        case allow = "Allow", deny = "Deny"
    }

    public var resourceType: ResourceType
    public var resourceName: String
    public var patternType: PatternType
    /// `Type:name`, such as `User:alice`.
    public var principal: String
    /// The client host, or `*` for any.
    public var host: String
    public var operation: Operation
    public var permission: Permission

    public init(
        _ resourceType: ResourceType, _ resourceName: String, patternType: PatternType = .literal,
        principal: String, host: String = "*", operation: Operation, permission: Permission = .allow
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// `User:alice from * Allow Read on Topic orders (Literal)`.
    public var description: String {
        "\(principal) from \(host) \(permission.rawValue) \(operation.rawValue) on \(resourceType.rawValue) \(resourceName) (\(patternType.rawValue))"
    }
}

/// Which ACLs to describe or delete; `nil` fields match anything. librdkafka's
/// `rd_kafka_AclBindingFilter_t`.
public struct AclFilter: Sendable, Hashable {
    /// How the filter's resource name is matched against the ACLs' patterns.
    public enum Pattern: String, Sendable, Hashable {
        /// Any pattern type, the name compared as written.
        case any = "Any"
        /// ACLs that apply to the name: literal, wildcard and prefixed ones.
        case match = "Match"
        case literal = "Literal"
        case prefixed = "Prefixed"
    }

    public var resourceType: AclBinding.ResourceType?
    public var resourceName: String?
    public var pattern: Pattern
    public var principal: String?
    public var host: String?
    public var operation: AclBinding.Operation?
    public var permission: AclBinding.Permission?

    public init(
        _ resourceType: AclBinding.ResourceType? = nil, _ resourceName: String? = nil, pattern: Pattern = .any,
        principal: String? = nil, host: String? = nil, operation: AclBinding.Operation? = nil, permission: AclBinding.Permission? = nil
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.pattern = pattern
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// Every ACL of the cluster.
    public static let all = AclFilter()

    /// The filter matching exactly `binding`.
    public init(matching binding: AclBinding) {
        self.init(binding.resourceType, binding.resourceName, pattern: binding.patternType == .literal ? .literal : .prefixed,
                  principal: binding.principal, host: binding.host, operation: binding.operation, permission: binding.permission)
    }
}
