// avro: a 10-field record serialized with the Schema Registry's Avro serializer and produced,
// then consumed and deserialized, beside the plain produce and consume workloads of the same
// messages (`Benchmarks/avro.sh`).
import BenchSupport
import Foundation
import RdKafka
import RdKafkaSchemaRegistry
import Synchronization

/// The record: ten fields of the common kinds.
struct BenchRecord: Codable {
    var id: Int64
    var sku: String
    var name: String
    var price: Double
    var quantity: Int32
    var inStock: Bool
    var category: String
    var updated: Int64
    var rating: Float
    var note: String?
}

let benchSchema = """
    {"type": "record", "name": "BenchRecord", "namespace": "bench", "fields": [
      {"name": "id", "type": "long"}, {"name": "sku", "type": "string"}, {"name": "name", "type": "string"},
      {"name": "price", "type": "double"}, {"name": "quantity", "type": "int"}, {"name": "inStock", "type": "boolean"},
      {"name": "category", "type": "string"}, {"name": "updated", "type": "long"}, {"name": "rating", "type": "float"},
      {"name": "note", "type": ["null", "string"], "default": null}]}
    """

func runAvro(_ o: BenchOptions) async -> Int32 {
    guard let url = o.registry else {
        log("avro needs --registry URL")
        return 2
    }
    do {
        let registry = SchemaRegistryClient(configuration: SchemaRegistryConfiguration(url: url))
        let serializer = try AvroSerializer(registry: registry, schema: benchSchema)
        let deserializer = try AvroDeserializer(registry: registry)
        var config = KafkaConfiguration(bootstrapServers: [o.brokers])
        for (name, value) in o.extra { config[name] = value }
        let plainTopic = o.topic + "-plain"
        var record = BenchRecord(id: 0, sku: "SKU-000000", name: "cup cake, chocolate", price: 2.5, quantity: 10, inStock: true,
                                 category: "bakery", updated: 1_700_000_000_000, rating: 4.5, note: nil)
        let sample = try await serializer.serialize(record, topic: o.topic)  // registers: not timed
        let plainPayload = KafkaPayload(sample)

        // The same loop twice: plain bytes of the record's size, then serialize + produce.
        for (mode, topic, serializes) in [("plain-produce", plainTopic, false), ("avro-produce", o.topic, true)] {
            let producer = try KafkaProducer(configuration: config)
            _ = try await producer.send(KafkaProducerMessage(topic: topic, value: plainPayload))  // connected before timing
            let m0 = MallocCounter.read()
            let t0 = nowNs()
            for i in 1..<o.n {
                var payload = plainPayload
                if serializes {
                    record.id = Int64(i)
                    record.quantity = Int32(truncatingIfNeeded: i)
                    payload = KafkaPayload(try await serializer.serialize(record, topic: topic))
                }
                try await producer.produce(KafkaProducerMessage(topic: topic, value: payload))
            }
            try await producer.flush(timeout: .seconds(300))
            emitAvro(mode, o, size: sample.count, seconds: Double(nowNs() - t0) / 1e9, mallocs: MallocCounter.read() &- m0, count: o.n - 1)
            _ = await producer.shutdown()
        }

        // The same loop twice: read each value's size, then deserialize into the Swift type.
        var failed = false
        for (mode, topic, deserializes) in [("plain-consume", plainTopic, false), ("avro-consume", o.topic, true)] {
            var consumerConfig = config
            consumerConfig.groupID = "avro-bench-\(topic)-\(UInt32.random(in: 0...UInt32.max))"
            consumerConfig.autoOffsetReset = .earliest
            let consumer = try KafkaConsumer(configuration: consumerConfig)
            try consumer.subscribe(topics: [topic])
            var seen = 0
            var sum: Int64 = 0
            var t0: Int64 = 0
            var m0: UInt64 = 0
            for try await message in consumer.messages {
                if deserializes {
                    sum &+= try await deserializer.deserialize(BenchRecord.self, from: message).id
                } else {
                    sum &+= Int64(message.valueCount)
                }
                seen += 1
                if seen == 1 {  // from the first message on: no connection or group join in the timing
                    t0 = nowNs()
                    m0 = MallocCounter.read()
                }
                if seen >= o.n { break }
            }
            let seconds = Double(nowNs() - t0) / 1e9
            emitAvro(mode, o, size: sample.count, seconds: seconds, mallocs: MallocCounter.read() &- m0, count: seen - 1)
            try await consumer.close()
            log("\(mode): \(seen) records (checksum \(sum))")
            failed = failed || seen != o.n
        }
        return failed ? 1 : 0
    } catch {
        log("avro: \(error)")
        return 1
    }
}

func emitAvro(_ mode: String, _ o: BenchOptions, size: Int, seconds: Double, mallocs: UInt64, count: Int) {
    var j = JSONLine()
    j.add("impl", "swift")
    j.add("mode", mode)
    j.add("n", count)
    j.add("size", size)
    j.add("seconds", seconds, digits: 6)
    j.add("msgs_per_sec", Double(count) / seconds, digits: 1)
    if MallocCounter.available { j.add("mallocs_per_msg", Double(mallocs) / Double(max(1, count)), digits: 3) }
    j.emit()
}

/// avro-codec: the Avro part alone, no broker and no registry: `-n` records encoded with
/// `AvroEncoder`, then each decoded back with `AvroDecoder`, as the serializers do. For
/// instruction counts per record under callgrind.
func runAvroCodec(_ o: BenchOptions) -> Int32 {
    do {
        let schema = try AvroSchema(parsing: benchSchema)
        let encoder = AvroEncoder()
        let decoder = AvroDecoder()
        var record = BenchRecord(id: 0, sku: "SKU-000000", name: "cup cake, chocolate", price: 2.5, quantity: 10, inStock: true,
                                 category: "bakery", updated: 1_700_000_000_000, rating: 4.5, note: nil)
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(o.n)
        let m0 = MallocCounter.read()
        let t0 = nowNs()
        for i in 0..<o.n {
            record.id = Int64(i)
            payloads.append(try encoder.encode(record, as: schema))
        }
        emitAvro("avro-encode", o, size: payloads.first?.count ?? 0, seconds: Double(nowNs() - t0) / 1e9, mallocs: MallocCounter.read() &- m0, count: o.n)
        var sum: Int64 = 0
        let m1 = MallocCounter.read()
        let t1 = nowNs()
        for payload in payloads {
            sum &+= try decoder.decode(BenchRecord.self, from: payload, writer: schema).id
        }
        emitAvro("avro-decode", o, size: payloads.first?.count ?? 0, seconds: Double(nowNs() - t1) / 1e9, mallocs: MallocCounter.read() &- m1, count: o.n)
        return sum == Int64(o.n) * Int64(o.n - 1) / 2 ? 0 : 1
    } catch {
        log("avro-codec: \(error)")
        return 1
    }
}

// rdkafka-avro-bench: the Avro workloads, apart from rdkafka-swift-bench so that it does not
// link Foundation.
//   rdkafka-avro-bench avro -b BROKERS -t TOPIC -n N --registry URL [-X k=v ...]
//   rdkafka-avro-bench avro-codec -n N
let options = BenchOptions.parse(CommandLine.arguments)
let done = DispatchSemaphore(value: 0)
let status = Atomic<Int32>(2)
Task.detached {
    switch options.mode {
    case "avro": status.store(await runAvro(options), ordering: .relaxed)
    case "avro-codec": status.store(runAvroCodec(options), ordering: .relaxed)
    default: BenchOptions.usage()
    }
    done.signal()
}
done.wait()
exit(status.load(ordering: .relaxed))
