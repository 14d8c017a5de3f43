import ExampleSupport
import Foundation
import RdKafka
import RdKafkaSchemaRegistry

// The product-price scenario with an Avro value schema in a Schema Registry: the portal
// publishes {"Product": "ABC", "UpdatedPrice": 100.0} records; an inventory system reads them
// with a newer schema of its own, which adds a currency with a default (schema evolution).
//
//   avro-prices produce -b BROKERS -r REGISTRY [-F FILE] [--topic product-price] PRODUCT=PRICE...
//   avro-prices consume -b BROKERS -r REGISTRY [-F FILE] [--topic product-price] [-G GROUP] [--count N]
//
// -r takes http(s)://KEY:SECRET@host:port; without it, schema.registry.url and
// basic.auth.user.info come from the -F file (a Confluent Cloud client.properties works as is).

/// What the portal writes (schema version 1).
struct PriceUpdate: Codable {
    var Product: String
    var UpdatedPrice: Double
}

/// What inventory reads: version 2 adds the currency, with a default for older records.
struct InventoryPrice: Codable {
    var Product: String
    var UpdatedPrice: Double
    var Currency: String
}

let writerSchema = """
    {"type": "record", "name": "PriceUpdate", "namespace": "portal", "fields": [
      {"name": "Product", "type": "string"}, {"name": "UpdatedPrice", "type": "double"}]}
    """
let readerSchema = """
    {"type": "record", "name": "PriceUpdate", "namespace": "portal", "fields": [
      {"name": "Product", "type": "string"}, {"name": "UpdatedPrice", "type": "double"},
      {"name": "Currency", "type": "string", "default": "EUR"}]}
    """

var arguments = CommandLineArguments(program: "avro-prices", usage: """
    avro-prices produce|consume -b BROKERS [-r REGISTRY] [-F FILE] [--topic TOPIC] [-G GROUP] [--count N] [PRODUCT=PRICE...]
    """)
let file = arguments.option("-F")
let brokers = arguments.option("-b")
let registryURL = arguments.option("-r")
let topic = arguments.option("--topic") ?? "product-price"
let group = arguments.option("-G") ?? "inventory"
let count = arguments.number("--count") ?? Int.max
let command = arguments.remaining.first ?? ""

do {
    var config = try KafkaConfiguration.load(file: file)
    if let brokers { config["bootstrap.servers"] = brokers }
    let registry = SchemaRegistryClient(configuration: try registryURL.map { SchemaRegistryConfiguration(url: $0) }
        ?? SchemaRegistryConfiguration(kafka: config))
    switch command {
    case "produce":
        let serializer = try AvroSerializer(registry: registry, schema: writerSchema)
        let producer = try KafkaProducer(configuration: config)
        for pair in arguments.remaining.dropFirst() {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let price = Double(parts[1]) else { arguments.fail("prices are PRODUCT=PRICE, not \(pair)") }
            let update = PriceUpdate(Product: String(parts[0]), UpdatedPrice: price)
            let report = try await producer.send(KafkaProducerMessage(
                topic: topic, key: KafkaPayload(update.Product), value: KafkaPayload(try await serializer.serialize(update, topic: topic))))
            print("published \(update.Product) at \(update.UpdatedPrice) to \(report)")
        }
        _ = await producer.shutdown()
    case "consume":
        config.groupID = group
        if config.autoOffsetReset == nil { config.autoOffsetReset = .earliest }
        let deserializer = try AvroDeserializer(registry: registry, readerSchema: readerSchema)
        let consumer = try KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: [topic])
        var seen = 0
        for try await message in consumer.messages {
            let price = try await deserializer.deserialize(InventoryPrice.self, from: message)
            print("inventory: \(price.Product) now costs \(price.UpdatedPrice) \(price.Currency)")
            seen += 1
            if seen >= count { break }
        }
        try await consumer.close()
    default:
        arguments.fail("say produce or consume")
    }
} catch {
    arguments.exit(error)
}
