#!/usr/bin/env python3
"""The reference clients for the interop tests: PyPI's confluent-kafka with its Schema
Registry serializers (installed by scripts/setup.sh under .build-python/interop).

  python_interop.py produce avro|json BOOTSTRAP REGISTRY USER:SECRET TOPIC SCHEMA_FILE
      stdin: records, one per line (Avro JSON for avro, plain JSON for json)
  python_interop.py consume avro|json BOOTSTRAP REGISTRY USER:SECRET TOPIC SCHEMA_FILE COUNT
      stdout: each record decoded (Avro JSON for avro, plain JSON for json), one per line
"""
import io
import json
import sys

import fastavro
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main():
    mode, kind, bootstrap, registry_url, user_info, topic, schema_file = sys.argv[1:8]
    with open(schema_file) as f:
        schema_text = f.read()
    registry = SchemaRegistryClient({"url": registry_url, "basic.auth.user.info": user_info})
    context = SerializationContext(topic, MessageField.VALUE)
    if mode == "produce":
        if kind == "avro":
            serializer = AvroSerializer(registry, schema_text)
            parsed = fastavro.parse_schema(json.loads(schema_text))
        else:
            serializer = JSONSerializer(schema_text, registry)
        producer = Producer({"bootstrap.servers": bootstrap})
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            if kind == "avro":
                # Avro JSON to Python values (datetime, Decimal, UUID, ...) as an app has them.
                record = next(iter(fastavro.json_reader(io.StringIO(line), parsed)))
            else:
                record = json.loads(line)
            producer.produce(topic, value=serializer(record, context))
        if producer.flush(30) != 0:
            sys.exit("python: records left undelivered")
    else:
        count = int(sys.argv[8])
        if kind == "avro":
            deserializer = AvroDeserializer(registry, schema_text)
            parsed = fastavro.parse_schema(json.loads(schema_text))
        else:
            deserializer = JSONDeserializer(schema_text)
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-interop-" + topic,
                             "auto.offset.reset": "earliest"})
        consumer.subscribe([topic])
        seen = 0
        while seen < count:
            message = consumer.poll(30)
            if message is None:
                sys.exit("python: no record within 30 s (%d of %d)" % (seen, count))
            if message.error():
                continue
            record = deserializer(message.value(), context)
            if kind == "avro":
                out = io.StringIO()
                fastavro.json_writer(out, parsed, [record])
                print(out.getvalue().strip())
            else:
                print(json.dumps(record, sort_keys=True))
            sys.stdout.flush()
            seen += 1
        consumer.close()


if __name__ == "__main__":
    main()
