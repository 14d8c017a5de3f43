# swift-rdkafka: the commands a newcomer needs. See README.md.
.PHONY: demo test bench bench-insn bench-avro check docs build clean

SWIFT ?= swift

# Produce and consume a few messages end to end (embedded mock cluster unless KAFKA_BOOTSTRAP_SERVERS is set).
demo:
	@scripts/setup.sh
	$(SWIFT) run -c release rdkafka-cli demo

# Install what is missing, start the test brokers, run the whole suite, stop the brokers.
test:
	@scripts/test.sh --no-parallel $(ARGS)

# Swift against C librdkafka, side by side (QUICK=1 for the short set).
bench:
	@scripts/setup.sh
	@Benchmarks/run.sh

# Instructions per message under callgrind, Swift against C (repeatable, unlike wall-clock rates).
bench-insn:
	@scripts/setup.sh
	@Benchmarks/insn.sh

# Schema Registry Avro serializers against plain bytes: messages/s and mallocs per message.
bench-avro:
	@scripts/setup.sh
	@Benchmarks/avro.sh

# Sanitizers and leak checks.
check:
	@scripts/setup.sh
	@scripts/check.sh

# The DocC catalog with the API reference; fails on any warning (a broken link, say).
docs:
	@scripts/docs.sh

build:
	$(SWIFT) build

clean:
	rm -rf .build .brokers
