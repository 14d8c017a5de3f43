#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// librdkafka's statistics (`statistics.interval.ms`), decoded: client totals, brokers with
/// their state, round-trip times and queues, topics and partitions with message counts and
/// consumer lag, and the consumer group's state. The raw JSON is kept in ``json`` for anything
/// not modelled here (see librdkafka's STATISTICS.md).
///
/// Fields a client type does not report (a producer has no consumer group) are `nil`.
public struct KafkaStatistics: Sendable, Decodable {
    /// A latency or size distribution (`rtt`, `int_latency`, ...), in microseconds or bytes.
    public struct Window: Sendable, Decodable {
        public var min: Int64?
        public var max: Int64?
        public var avg: Int64?
        public var cnt: Int64?
        public var p50: Int64?
        public var p95: Int64?
        public var p99: Int64?
    }

    public struct Broker: Sendable, Decodable {
        public var name: String
        public var nodeid: Int32
        /// `host:port` (`nodename`).
        public var nodeName: String?
        /// `configured` (named in `bootstrap.servers`), `learned` (from metadata only),
        /// `internal`, or `logical` (the group coordinator's alias): skip the last two for one
        /// entry per real broker.
        public var source: String?
        /// `UP`, `DOWN`, `CONNECT`, `AUTH`, `APIVERSION_QUERY`, ...
        public var state: String
        public var outbufCount: Int64?
        public var outbufMessageCount: Int64?
        public var waitResponseCount: Int64?
        public var waitResponseMessageCount: Int64?
        public var tx: Int64?
        public var rx: Int64?
        /// Bytes sent and received (`txbytes`, `rxbytes`).
        public var txBytes: Int64?
        public var rxBytes: Int64?
        public var txErrors: Int64?
        public var rxErrors: Int64?
        public var connects: Int64?
        public var disconnects: Int64?
        public var rtt: Window?
        public var internalLatency: Window?

        enum CodingKeys: String, CodingKey {
            case name, nodeid, state, tx, rx, connects, disconnects, rtt, source
            case nodeName = "nodename", txBytes = "txbytes", rxBytes = "rxbytes"
            case outbufCount = "outbuf_cnt", outbufMessageCount = "outbuf_msg_cnt"
            case waitResponseCount = "waitresp_cnt", waitResponseMessageCount = "waitresp_msg_cnt"
            case txErrors = "txerrs", rxErrors = "rxerrs", internalLatency = "int_latency"
        }
    }

    public struct Partition: Sendable, Decodable {
        public var partition: Int32
        public var leader: Int32?
        /// Messages waiting in the producer queue.
        public var messageQueueCount: Int64?
        public var txMessages: Int64?
        public var rxMessages: Int64?
        public var committedOffset: Int64?
        public var storedOffset: Int64?
        public var nextOffset: Int64?
        public var highWatermark: Int64?
        public var lowWatermark: Int64?
        /// High watermark minus the committed offset (-1 when unknown).
        public var consumerLag: Int64?
        /// High watermark minus the stored offset (-1 when unknown).
        public var consumerLagStored: Int64?

        enum CodingKeys: String, CodingKey {
            case partition, leader
            case messageQueueCount = "msgq_cnt", txMessages = "txmsgs", rxMessages = "rxmsgs"
            case committedOffset = "committed_offset", storedOffset = "stored_offset", nextOffset = "next_offset"
            case highWatermark = "hi_offset", lowWatermark = "lo_offset"
            case consumerLag = "consumer_lag", consumerLagStored = "consumer_lag_stored"
        }
    }

    public struct Topic: Sendable, Decodable {
        public var topic: String
        /// Partitions by number; librdkafka also lists `-1`, its queue for unassigned messages.
        public var partitions: [String: Partition]

        public func partition(_ number: Int32) -> Partition? { partitions[String(number)] }
    }

    public struct ConsumerGroup: Sendable, Decodable {
        public var state: String
        public var joinState: String?
        public var rebalanceCount: Int64?
        public var assignmentSize: Int64?

        enum CodingKeys: String, CodingKey {
            case state, joinState = "join_state", rebalanceCount = "rebalance_cnt", assignmentSize = "assignment_size"
        }
    }

    /// librdkafka's name for the client.
    public var name: String
    public var clientID: String
    /// `producer` or `consumer`.
    public var type: String
    /// Messages currently in producer queues (`msg_cnt`), and their bytes (`msg_size`).
    public var messageCount: Int64?
    public var messageBytes: Int64?
    public var txMessages: Int64?
    public var rxMessages: Int64?
    /// Message payload bytes sent and received (`txmsg_bytes`, `rxmsg_bytes`).
    public var txMessageBytes: Int64?
    public var rxMessageBytes: Int64?
    public var brokers: [String: Broker]
    public var topics: [String: Topic]
    public var consumerGroup: ConsumerGroup?
    /// The JSON as librdkafka wrote it.
    public var json: String = ""

    enum CodingKeys: String, CodingKey {
        case name, type, brokers, topics
        case clientID = "client_id", messageCount = "msg_cnt", txMessages = "txmsgs", rxMessages = "rxmsgs"
        case messageBytes = "msg_size", txMessageBytes = "txmsg_bytes", rxMessageBytes = "rxmsg_bytes"
        case consumerGroup = "cgrp"
    }

    /// Decodes librdkafka's statistics JSON.
    /// - Throws: `KafkaError` `_BAD_MSG` when the text is not librdkafka statistics.
    public init(json: String) throws(KafkaError) {
        do {
            self = try JSONDecoder().decode(KafkaStatistics.self, from: Data(json.utf8))
            self.json = json
        } catch {
            throw KafkaError(code: .badMessage, message: "not librdkafka statistics JSON: \(error)")
        }
    }
}
