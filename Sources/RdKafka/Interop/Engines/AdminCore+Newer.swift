import CRdKafka

/// Admin calls of librdkafka releases newer than the 2.0.2 headers, through ``NewerAPI``.
/// Each checks ``Librdkafka/supports(_:)`` first: on an older library it throws the error that
/// names the release it needs.
extension AdminCore {
    // MARK: DescribeCluster (2.3.0)

    func describeCluster(timeoutMs: Int32) throws(KafkaError) -> ClusterDescription {
        try Librdkafka.require(.describeCluster)
        guard let start = NewerAPI.describeCluster, let result = NewerAPI.describeClusterResult, let nodes = NewerAPI.describeClusterNodes,
              let controller = NewerAPI.describeClusterController, let clusterID = NewerAPI.describeClusterID else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks DescribeCluster")
        }
        return try request(NewerAPI.describeClusterOp, timeoutMs: timeoutMs, { options, queue in
            start(rk, options, queue)
        }, read: { event in
            let answer = result(event)
            var count = 0
            let list = nodes(answer, &count)
            let brokers = (0..<count).compactMap { i in list?[i].map(Self.broker) }.sorted { $0.id < $1.id }
            return ClusterDescription(
                clusterID: clusterID(answer).map { String(cString: $0) },
                controller: controller(answer).map(Self.broker), brokers: brokers)
        })
    }

    private static func broker(_ node: OpaquePointer) -> ClusterDescription.Broker {
        ClusterDescription.Broker(
            id: Int32(rd_kafka_Node_id(node)), host: rd_kafka_Node_host(node).map { String(cString: $0) } ?? "",
            port: Int(rd_kafka_Node_port(node)), rack: NewerAPI.nodeRack?(node).map { String(cString: $0) })
    }

    // MARK: DescribeTopics (2.3.0)

    func describeTopics(_ names: [String], timeoutMs: Int32) throws(KafkaError) -> [TopicDescription] {
        try Librdkafka.require(.describeTopics)
        guard let collectionOf = NewerAPI.topicCollection, let destroy = NewerAPI.topicCollectionDestroy,
              let start = NewerAPI.describeTopics, let result = NewerAPI.describeTopicsResult, let topicsOf = NewerAPI.describeTopicsTopics
        else { throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks DescribeTopics") }
        let collection: OpaquePointer? = Syscalls.withCStrings(names) { pointers in
            pointers.withUnsafeMutableBufferPointer { collectionOf($0.baseAddress, $0.count) }
        }
        guard let collection else { throw KafkaError.invalidArgument("cannot describe topics \(names)") }
        defer { destroy(collection) }
        return try request(NewerAPI.describeTopicsOp, timeoutMs: timeoutMs, { options, queue in
            start(rk, collection, options, queue)
        }, read: { event in
            var count = 0
            let list = topicsOf(result(event), &count)
            return (0..<count).compactMap { i in list?[i].map(Self.topicDescription) }
        })
    }

    private static func topicDescription(_ topic: OpaquePointer) -> TopicDescription {
        let api = NewerAPI.self
        let error = borrowedError(api.topicDescriptionError?(topic))
        var count = 0
        let list = api.topicDescriptionPartitions?(topic, &count)
        let partitions = (0..<count).compactMap { i -> TopicDescription.Partition? in
            guard let p = list?[i] else { return nil }
            return TopicDescription.Partition(
                id: api.partitionInfoID?(p) ?? -1, leader: api.partitionInfoLeader?(p).map { Int32(rd_kafka_Node_id($0)) },
                replicas: nodeIDs(api.partitionInfoReplicas, p), inSyncReplicas: nodeIDs(api.partitionInfoISR, p))
        }.sorted { $0.id < $1.id }
        return TopicDescription(
            name: api.topicDescriptionName?(topic).map { String(cString: $0) } ?? "",
            topicID: api.topicDescriptionID?(topic).flatMap { api.uuidBase64?($0) }.map { String(cString: $0) },
            isInternal: (api.topicDescriptionIsInternal?(topic) ?? 0) != 0, partitions: partitions, error: error)
    }

    private static func nodeIDs(_ list: NewerAPI.List?, _ partition: OpaquePointer) -> [Int32] {
        var count = 0
        let nodes = list?(partition, &count)
        return (0..<count).compactMap { i in nodes?[i].map { Int32(rd_kafka_Node_id($0)) } }
    }

    // MARK: ElectLeaders (2.6.0)

    /// `partitions` `nil`: every partition; `unclean` allows an out-of-sync replica.
    func electLeaders(_ partitions: [TopicPartition]?, unclean: Bool, timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: KafkaError?] {
        try Librdkafka.require(.electLeaders)
        let api = NewerAPI.self
        guard let make = api.electLeadersNew, let destroy = api.electLeadersDestroy, let start = api.electLeaders,
              let result = api.electLeadersResult, let partitionsOf = api.electLeadersPartitions,
              let partitionOf = api.partitionResultPartition else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks ElectLeaders")
        }
        let list = partitions.map { NativePartitionList($0.map { ($0, Int64(-1001)) }) }
        guard let election = make(unclean ? 1 : 0, list?.pointer) else {
            throw KafkaError.invalidArgument("librdkafka refused the election of \(partitions.map { "\($0)" } ?? "every partition")")
        }
        defer { destroy(election) }
        return try request(api.electLeadersOp, timeoutMs: timeoutMs, { options, queue in
            start(rk, election, options, queue)
        }, read: { event in
            var count = 0
            let entries = partitionsOf(result(event), &count)
            var outcome: [TopicPartition: KafkaError?] = [:]
            for i in 0..<count {
                guard let entry = entries?[i], let element = partitionOf(entry)?.pointee, let topic = element.topic else { continue }
                outcome[TopicPartition(String(cString: topic), element.partition)] = Self.borrowedError(api.partitionResultError?(entry))
            }
            return outcome
        })
    }

    // MARK: ListOffsets (2.3.0)

    /// `specs`: per partition an `RD_KAFKA_OFFSET_SPEC_*` or a time in ms.
    func listOffsets(_ specs: [TopicPartition: Int64], readCommitted: Bool, timeoutMs: Int32) throws(KafkaError)
        -> [TopicPartition: Result<ListedOffset, KafkaError>] {
        try Librdkafka.require(.listOffsets)
        guard let start = NewerAPI.listOffsets, let result = NewerAPI.listOffsetsResult, let infos = NewerAPI.listOffsetsInfos,
              let partitionOf = NewerAPI.listOffsetsInfoPartition, let timestampOf = NewerAPI.listOffsetsInfoTimestamp,
              let isolation = NewerAPI.setIsolationLevel else {
            throw KafkaError(code: .unsupportedFeature, message: "the loaded librdkafka lacks ListOffsets")
        }
        let list = NativePartitionList(specs.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { ($0.key, $0.value) })
        var optionError: KafkaError?
        let found: [TopicPartition: Result<ListedOffset, KafkaError>] = try request(NewerAPI.listOffsetsOp, timeoutMs: timeoutMs, configure: { options in
            if readCommitted, let error = isolation(options, 1) { optionError = Interop.consume(error) }
        }, { options, queue in
            start(rk, list.pointer, options, queue)
        }, read: { event in
            let answer = result(event)
            var count = 0
            let entries = infos(answer, &count)
            var found: [TopicPartition: Result<ListedOffset, KafkaError>] = [:]
            for i in 0..<count {
                guard let info = entries?[i], let element = partitionOf(info)?.pointee, let topic = element.topic else { continue }
                let tp = TopicPartition(String(cString: topic), element.partition)
                if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    found[tp] = .failure(Interop.error(element.err, "list offsets of \(tp): \(Interop.errorText(Int32(element.err.rawValue)))"))
                } else {
                    let time = timestampOf(info)
                    found[tp] = .success(ListedOffset(
                        offset: Interop.offset(element.offset),
                        timestamp: time >= 0 ? KafkaTimestamp(millisecondsSinceEpoch: time) : nil))
                }
            }
            return found
        })
        if let optionError { throw optionError }
        return found
    }

    // MARK: IncrementalAlterConfigs (2.2.0)
}
