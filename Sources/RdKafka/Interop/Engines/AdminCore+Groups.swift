import CRdKafka
import Synchronization

/// Consumer groups and records.
extension AdminCore {
    // MARK: Groups

    /// Sets a group's committed offsets (`rd_kafka_AlterConsumerGroupOffsets`); the group must
    /// have no active members.
    func alterGroupOffsets(_ group: String, _ offsets: [TopicPartition: Int64], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: KafkaError?] {
        let list = NativePartitionList(offsets.map { ($0.key, $0.value) })
        guard let alteration = rd_kafka_AlterConsumerGroupOffsets_new(group, list.pointer) else {
            throw KafkaError.invalidArgument("cannot alter offsets of group '\(group)'")
        }
        var made: [OpaquePointer?] = [alteration]
        defer { rd_kafka_AlterConsumerGroupOffsets_destroy(alteration) }
        return try request(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_AlterConsumerGroupOffsets(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count),
                  count > 0, let first = results[0] else { return [:] }
            let partitions = try AdminCore.partitions(ofGroupResult: first)
            return Dictionary(partitions.map { ($0.0, $0.error) }, uniquingKeysWith: { $1 })
        })
    }

    static func groupState(_ state: rd_kafka_consumer_group_state_t) -> ConsumerGroupState {
        ConsumerGroupState(rawValue: String(cString: rd_kafka_consumer_group_state_name(state))) ?? .unknown
    }

    /// Deletes a group's committed offsets of some partitions (`rd_kafka_DeleteConsumerGroupOffsets`);
    /// the group must not be consuming those topics.
    func deleteGroupOffsets(_ group: String, _ partitions: [TopicPartition], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: KafkaError?] {
        let list = NativePartitionList(partitions.map { ($0, Int64(-1001)) })
        guard let deletion = rd_kafka_DeleteConsumerGroupOffsets_new(group, list.pointer) else {
            throw KafkaError.invalidArgument("cannot delete offsets of group '\(group)'")
        }
        var made: [OpaquePointer?] = [deletion]
        defer { rd_kafka_DeleteConsumerGroupOffsets_destroy(deletion) }
        return try request(RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_DeleteConsumerGroupOffsets(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = rd_kafka_DeleteConsumerGroupOffsets_result_groups(rd_kafka_event_DeleteConsumerGroupOffsets_result(event), &count),
                  count > 0, let first = results[0] else { return [:] }
            let partitions = try AdminCore.partitions(ofGroupResult: first)
            return Dictionary(partitions.map { tp, _, error in
                var error = error
                if error?.code == .groupSubscribedToTopic {
                    error?.fix = "the group's members still consume \(tp.topic): stop them (or unsubscribe from it) first"
                }
                return (tp, error)
            }, uniquingKeysWith: { $1 })
        })
    }

    func listGroups(states: Set<ConsumerGroupState>, timeoutMs: Int32) throws(KafkaError) -> [ConsumerGroupListing] {
        var codes: [rd_kafka_consumer_group_state_t] = []
        for state in states.sorted(by: { $0.rawValue < $1.rawValue }) {
            let code = rd_kafka_consumer_group_state_code(state.rawValue)
            guard state == .unknown || code != RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN else {
                throw KafkaError(code: .unsupportedFeature, message: "librdkafka \(Librdkafka.version) does not know the group state \(state)",
                    fix: "install a newer librdkafka, or list without that state")
            }
            codes.append(code)
        }
        return try request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeoutMs: timeoutMs, configure: { options in
            guard !codes.isEmpty,
                  let error = codes.withUnsafeBufferPointer({ rd_kafka_AdminOptions_set_match_consumer_group_states(options, $0.baseAddress, $0.count) })
            else { return }
            rd_kafka_error_destroy(error)  // only for unknown codes, which were refused above
        }, { options, queue in
            rd_kafka_ListConsumerGroups(rk, options, queue)
        }, read: { event in
            let result = rd_kafka_event_ListConsumerGroups_result(event)
            var count = 0
            guard let valid = rd_kafka_ListConsumerGroups_result_valid(result, &count) else { return [] }
            return (0..<count).compactMap { i in
                guard let g = valid[i] else { return nil }
                return ConsumerGroupListing(
                    groupID: String(cString: rd_kafka_ConsumerGroupListing_group_id(g)),
                    isSimple: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g) != 0,
                    state: Self.groupState(rd_kafka_ConsumerGroupListing_state(g)))
            }.sorted { $0.groupID < $1.groupID }
        })
    }

    func describeGroups(_ ids: [String], timeoutMs: Int32) throws(KafkaError) -> [ConsumerGroupDescription] {
        try Syscalls.withCStrings(ids) { (names: inout [UnsafePointer<CChar>?]) throws(KafkaError) in
            try describeGroups(&names, timeoutMs: timeoutMs)
        }
    }

    private func describeGroups(_ names: inout [UnsafePointer<CChar>?], timeoutMs: Int32) throws(KafkaError) -> [ConsumerGroupDescription] {
        try request(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeoutMs: timeoutMs, { options, queue in
            names.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConsumerGroups(rk, buffer.baseAddress, buffer.count, options, queue)
            }
        }, read: { event in
            var count = 0
            guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event), &count) else { return [] }
            return (0..<count).compactMap { i in
                guard let g = groups[i] else { return nil }
                var error: KafkaError? = nil
                if let e = rd_kafka_ConsumerGroupDescription_error(g) { error = Interop.error(borrowing: e) }
                let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(g)).compactMap { j -> ConsumerGroupDescription.Member? in
                    guard let m = rd_kafka_ConsumerGroupDescription_member(g, j) else { return nil }
                    var assignment: [TopicPartition] = []
                    if let a = rd_kafka_MemberDescription_assignment(m), let list = rd_kafka_MemberAssignment_partitions(a) {
                        assignment = ConsumerCore.partitions(of: UnsafeMutablePointer(mutating: list))
                    }
                    return ConsumerGroupDescription.Member(
                        memberID: String(cString: rd_kafka_MemberDescription_consumer_id(m)),
                        clientID: String(cString: rd_kafka_MemberDescription_client_id(m)),
                        host: String(cString: rd_kafka_MemberDescription_host(m)), assignment: assignment)
                }
                let coordinator = rd_kafka_ConsumerGroupDescription_coordinator(g).flatMap { Self.brokerID(Int32(rd_kafka_Node_id($0))) }
                return ConsumerGroupDescription(
                    groupID: String(cString: rd_kafka_ConsumerGroupDescription_group_id(g)),
                    state: Self.groupState(rd_kafka_ConsumerGroupDescription_state(g)),
                    partitionAssignor: rd_kafka_ConsumerGroupDescription_partition_assignor(g).map { String(cString: $0) } ?? "",
                    members: members, coordinator: coordinator, error: error)
            }
        })
    }

    func deleteGroups(_ ids: [String], timeoutMs: Int32) throws(KafkaError) -> [AdminResult] {
        var made: [OpaquePointer?] = ids.map { rd_kafka_DeleteGroup_new($0) }
        defer { for g in made { rd_kafka_DeleteGroup_destroy(g) } }
        return try request(RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_DeleteGroups(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            var count = 0
            let results = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event), &count)
            return (0..<count).compactMap { i in
                guard let r = results?[i] else { return nil }
                let error = rd_kafka_group_result_error(r).map { Interop.error(borrowing: $0) }
                return AdminResult(name: String(cString: rd_kafka_group_result_name(r)), error: error)
            }
        })
    }

    func groupOffsets(_ group: String, timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        guard let request0 = rd_kafka_ListConsumerGroupOffsets_new(group, nil) else {
            throw KafkaError.invalidArgument("cannot list offsets of group '\(group)'")
        }
        var made: [OpaquePointer?] = [request0]
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(request0) }
        return try request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_ListConsumerGroupOffsets(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event throws(KafkaError) in
            var count = 0
            guard let results = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &count),
                  count > 0, let first = results[0] else { return [:] }
            let partitions = try AdminCore.partitions(ofGroupResult: first)
            return Dictionary(partitions.filter { $0.offset >= 0 }.map { ($0.0, $0.offset) }, uniquingKeysWith: { $1 })
        })
    }

    // MARK: Records

    func deleteRecords(_ before: [TopicPartition: Int64], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Result<Int64, KafkaError>] {
        let list = NativePartitionList(before.map { ($0.key, $0.value) })
        guard let deletion = rd_kafka_DeleteRecords_new(list.pointer) else {
            throw KafkaError.invalidArgument("cannot delete records of \(before.keys)")
        }
        var made: [OpaquePointer?] = [deletion]
        defer { rd_kafka_DeleteRecords_destroy(deletion) }
        return try request(RD_KAFKA_ADMIN_OP_DELETERECORDS, timeoutMs: timeoutMs, { options, queue in
            made.withUnsafeMutableBufferPointer { rd_kafka_DeleteRecords(rk, $0.baseAddress, $0.count, options, queue) }
        }, read: { event in
            guard let offsets = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event)) else { return [:] }
            let partitions = NativePartitionList.elements(of: offsets)
            return Dictionary(partitions.map { ($0.0, $0.error.map { .failure($0) } ?? .success($0.offset)) }, uniquingKeysWith: { $1 })
        })
    }
}
