#!/usr/bin/python3
"""The benchmark's produce and consume workloads with Debian's python3-confluent-kafka (built
on the same system librdkafka), as an anchor beside C and Swift.

  confluent_bench.py produce BROKERS TOPIC N SIZE PARTITIONS
  confluent_bench.py consume BROKERS TOPIC N PARTITIONS

produce: N messages of SIZE bytes round-robin over the partitions, acks=all, poll(0) every
1024 messages, then flush. consume: every partition assigned from the beginning, N messages in
batches of up to 1000. Exits non-zero when a message fails or is missing.
"""
import sys
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition


def produce(brokers, topic, n, size, partitions):
    failed = []
    producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
    payload = b"a" * size
    i = 0
    while i < n:
        try:
            producer.produce(topic, payload, partition=i % partitions,
                             on_delivery=lambda err, _msg: err and failed.append(err))
        except BufferError:
            producer.poll(0.1)
            continue
        i += 1
        if i % 1024 == 0:
            producer.poll(0)
    left = producer.flush(300)
    return 1 if failed or left else 0


def consume(brokers, topic, n, partitions):
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "anchor-" + uuid.uuid4().hex,
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    seen = 0
    idle = 0
    while seen < n and idle < 15:
        batch = consumer.consume(num_messages=min(1000, n - seen), timeout=1.0)
        idle = 0 if batch else idle + 1
        for message in batch:
            if message.error():
                raise KafkaException(message.error())
            seen += 1
    consumer.close()
    return 0 if seen == n else 1


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "produce":
        sys.exit(produce(args[0], args[1], int(args[2]), int(args[3]), int(args[4])))
    sys.exit(consume(args[0], args[1], int(args[2]), int(args[3])))
