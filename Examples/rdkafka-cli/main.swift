print("rdkafka-cli")
