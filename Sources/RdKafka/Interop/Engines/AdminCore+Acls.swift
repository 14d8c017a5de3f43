import CRdKafka

/// Access control lists (`rd_kafka_CreateAcls`, `rd_kafka_DescribeAcls`, `rd_kafka_DeleteAcls`).
extension AdminCore {
    func createAcls(_ bindings: [AclBinding], timeoutMs: Int32) throws(KafkaError) -> [AclBinding: KafkaError?] {
        var made: [OpaquePointer?] = []
        defer { for binding in made { rd_kafka_AclBinding_destroy(binding) } }
        for binding in bindings { made.append(try Self.native(binding)) }
        return try request(RD_KAFKA_ADMIN_OP_CREATEACLS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_CreateAcls(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event -> [AclBinding: KafkaError?] in
            var count = 0
            let results = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(event), &count)
            // One result per binding, in the order given.
            var outcome: [AclBinding: KafkaError?] = [:]
            for (i, binding) in bindings.enumerated() {
                var error: KafkaError? = nil
                if i < count, let result = results?[i], let failure = rd_kafka_acl_result_error(result) {
                    error = Self.aclAdvice(Interop.error(borrowing: failure))
                }
                outcome[binding] = .some(error)
            }
            return outcome
        })
    }

    func describeAcls(_ filter: AclFilter, timeoutMs: Int32) throws(KafkaError) -> [AclBinding] {
        let native = try Self.native(filter)
        defer { rd_kafka_AclBinding_destroy(native) }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        let found: [AclBinding]
        do {
            found = try request(RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeoutMs: timeoutMs, { options, queue in
                rd_kafka_DescribeAcls(rk, native, options, queue)
            }, read: { event in
                var count = 0
                let acls = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(event), &count)
                return (0..<count).compactMap { acls?[$0].flatMap(Self.binding) }
            })
        } catch {
            throw Self.aclAdvice(error)
        }
        guard found.isEmpty else { return found }
        // librdkafka drops the error of a DescribeAcls answer, so a broker without an authorizer
        // looks like one without ACLs. A DeleteAcls whose filter can match nothing (a principal
        // no one has) changes nothing and does report it.
        // The probe gets what is left of the caller's timeout, not a second one.
        let left = (deadline - ContinuousClock.now).clampedMilliseconds
        guard left > 0 else { return found }
        let probe = AclFilter(principal: "User:swift-rdkafka-authorizer-probe-\(UInt64.random(in: 0...UInt64.max))")
        if case .failure(let error)? = try? deleteAcls([probe], timeoutMs: left).first, error.code == .securityDisabled {
            throw error
        }
        return found
    }

    /// Per filter, the ACLs it deleted or its error.
    func deleteAcls(_ filters: [AclFilter], timeoutMs: Int32) throws(KafkaError) -> [Result<[AclBinding], KafkaError>] {
        var made: [OpaquePointer?] = []
        defer { for filter in made { rd_kafka_AclBinding_destroy(filter) } }
        for filter in filters { made.append(try Self.native(filter)) }
        return try request(RD_KAFKA_ADMIN_OP_DELETEACLS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_DeleteAcls(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let responses = rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(event), &count)
            return (0..<count).map { i -> Result<[AclBinding], KafkaError> in
                guard let response = responses?[i] else { return .success([]) }
                if let error = rd_kafka_DeleteAcls_result_response_error(response) {
                    return .failure(Self.aclAdvice(Interop.error(borrowing: error)))
                }
                var matched = 0
                let acls = rd_kafka_DeleteAcls_result_response_matching_acls(response, &matched)
                return .success((0..<matched).compactMap { acls?[$0].flatMap(Self.binding) })
            }
        })
    }

    /// What to do about a broker's refusal of an ACL call.
    static func aclAdvice(_ error: KafkaError) -> KafkaError {
        var error = error
        switch error.code {
        case .securityDisabled:
            error.fix = "the brokers have no authorizer, so they keep no ACLs: configure one (authorizer.class.name, e.g. "
                + "org.apache.kafka.metadata.authorizer.StandardAuthorizer) on the brokers, or manage access another way"
        case .clusterAuthorizationFailed:
            error.fix = "this client's principal may not manage ACLs: it needs Alter (create, delete) or Describe on the cluster"
        default:
            break
        }
        return error
    }

    // MARK: Conversions

    private static func native(_ binding: AclBinding) throws(KafkaError) -> OpaquePointer {
        if binding.resourceType == .transactionalID { try Librdkafka.require(.transactionalIDACLs) }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let made = rd_kafka_AclBinding_new(
            resourceType(binding.resourceType), binding.resourceName, patternType(binding.patternType.rawValue),
            binding.principal, binding.host, operation(binding.operation), permission(binding.permission), &errstr, errstr.count)
        else {
            throw KafkaError.invalidArgument("librdkafka refused the ACL \(binding): \(Interop.string(errstr))",
                fix: "give a resource name, a principal as Type:name (User:alice) and a host (* for any)")
        }
        return made
    }

    private static func native(_ filter: AclFilter) throws(KafkaError) -> OpaquePointer {
        if filter.resourceType == .transactionalID { try Librdkafka.require(.transactionalIDACLs) }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let made = rd_kafka_AclBindingFilter_new(
            filter.resourceType.map(resourceType) ?? RD_KAFKA_RESOURCE_ANY, filter.resourceName, patternType(filter.pattern.rawValue),
            filter.principal, filter.host, filter.operation.map(operation) ?? RD_KAFKA_ACL_OPERATION_ANY,
            filter.permission.map(permission) ?? RD_KAFKA_ACL_PERMISSION_TYPE_ANY, &errstr, errstr.count)
        else {
            throw KafkaError.invalidArgument("librdkafka refused the ACL filter: \(Interop.string(errstr))")
        }
        return made
    }

    private static func binding(_ acl: OpaquePointer) -> AclBinding? {
        let typeName: String
        switch rd_kafka_AclBinding_restype(acl).rawValue {
        case RD_KAFKA_RESOURCE_TOPIC.rawValue: typeName = "Topic"
        case RD_KAFKA_RESOURCE_GROUP.rawValue: typeName = "Group"
        case RD_KAFKA_RESOURCE_BROKER.rawValue: typeName = "Cluster"
        case 5: typeName = "TransactionalId"
        default: return nil
        }
        guard let type = AclBinding.ResourceType(rawValue: typeName),
              let pattern = AclBinding.PatternType(rawValue: String(cString: rd_kafka_ResourcePatternType_name(rd_kafka_AclBinding_resource_pattern_type(acl)))),
              let operation = AclBinding.Operation.allCases.first(where: { self.operation($0) == rd_kafka_AclBinding_operation(acl) }),
              let permission = AclBinding.Permission.allCases.first(where: { self.permission($0) == rd_kafka_AclBinding_permission_type(acl) })
        else { return nil }
        return AclBinding(type, String(cString: rd_kafka_AclBinding_name(acl)), patternType: pattern,
                          principal: String(cString: rd_kafka_AclBinding_principal(acl)), host: String(cString: rd_kafka_AclBinding_host(acl)),
                          operation: operation, permission: permission)
    }

    private static func resourceType(_ type: AclBinding.ResourceType) -> rd_kafka_ResourceType_t {
        switch type {
        case .topic: return RD_KAFKA_RESOURCE_TOPIC
        case .group: return RD_KAFKA_RESOURCE_GROUP
        case .cluster: return RD_KAFKA_RESOURCE_BROKER
        case .transactionalID: return rd_kafka_ResourceType_t(rawValue: 5)  // RD_KAFKA_RESOURCE_TRANSACTIONAL_ID (2.6+)
        }
    }

    private static func patternType(_ name: String) -> rd_kafka_ResourcePatternType_t {
        switch name {
        case "Literal": return RD_KAFKA_RESOURCE_PATTERN_LITERAL
        case "Prefixed": return RD_KAFKA_RESOURCE_PATTERN_PREFIXED
        case "Match": return RD_KAFKA_RESOURCE_PATTERN_MATCH
        default: return RD_KAFKA_RESOURCE_PATTERN_ANY
        }
    }

    private static func operation(_ operation: AclBinding.Operation) -> rd_kafka_AclOperation_t {
        switch operation {
        case .all: return RD_KAFKA_ACL_OPERATION_ALL
        case .read: return RD_KAFKA_ACL_OPERATION_READ
        case .write: return RD_KAFKA_ACL_OPERATION_WRITE
        case .create: return RD_KAFKA_ACL_OPERATION_CREATE
        case .delete: return RD_KAFKA_ACL_OPERATION_DELETE
        case .alter: return RD_KAFKA_ACL_OPERATION_ALTER
        case .describe: return RD_KAFKA_ACL_OPERATION_DESCRIBE
        case .clusterAction: return RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION
        case .describeConfigs: return RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS
        case .alterConfigs: return RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS
        case .idempotentWrite: return RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE
        }
    }

    private static func permission(_ permission: AclBinding.Permission) -> rd_kafka_AclPermissionType_t {
        permission == .allow ? RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW : RD_KAFKA_ACL_PERMISSION_TYPE_DENY
    }
}
