/*
 * librdkafka 2.0.2's fetch pause, in plain C (no Swift, no SDK): a consumer at librdkafka's
 * default queued.min.messages (100,000) reads a backlog of small messages from an embedded
 * 3-broker mock cluster and reports the longest wait between two messages.
 *
 *   gcc -O2 -o /tmp/fetch-pause scripts/fetch-pause-repro.c -lrdkafka -lpthread
 *   /tmp/fetch-pause [MESSAGES [POKE]]      defaults 400000 0
 *
 * MESSAGES x 10 B over 16 partitions. POKE=1 runs a side thread that sends a ListOffsets to
 * the leaders (rd_kafka_query_watermark_offsets on partitions 0-2) whenever the consumer queue
 * holds under 50,000 messages, at most every 20 ms: it tests whether a request on the broker
 * threads ends the pause. Environment: QUEUED_MIN (queued.min.messages), FETCH_ERROR_BACKOFF
 * (fetch.error.backoff.ms), FETCH_WAIT_MAX (fetch.wait.max.ms).
 *
 * Measured here (session 7, 3 runs each; longest gap): defaults 0.78, 0.79, 0.02 s; POKE=1
 * 0.83, 0.80, 0.82 s (27 pokes per run); FETCH_ERROR_BACKOFF=10 0.005, 0.76, 0.77 s;
 * FETCH_WAIT_MAX=10 0.76-0.77 s; QUEUED_MIN=1000000 (the SDK's default, which FetchPauseTests
 * checks from Swift) 0.034 and 0.025 s in 2 runs.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PARTITIONS 16

static rd_kafka_t *consumer;
static rd_kafka_queue_t *consumer_queue;
static volatile int finished;
static int pokes;

static long long now_ns(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char err[512];
        if (value && rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "%s: %s\n", name, err);
                exit(2);
        }
}

static void *poker(void *arg) {
        long long last = 0;
        (void)arg;
        while (!finished) {
                usleep(5000);
                if (rd_kafka_queue_length(consumer_queue) < 50000 && now_ns() - last > 20000000LL) {
                        int64_t low, high;
                        for (int p = 0; p < 3; p++)
                                rd_kafka_query_watermark_offsets(consumer, "t", p, &low, &high, 1000);
                        pokes++;
                        last = now_ns();
                }
        }
        return NULL;
}

int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 400000, poke = argc > 2 ? atoi(argv[2]) : 0;
        char err[512];
        rd_kafka_t *owner = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
        if (!owner) {
                fprintf(stderr, "rd_kafka_new: %s\n", err);
                return 1;
        }
        rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(owner, 3);
        if (!cluster || rd_kafka_mock_topic_create(cluster, "t", PARTITIONS, 1)) {
                fprintf(stderr, "mock cluster failed\n");
                return 1;
        }
        const char *bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        for (int i = 0; i < n; i++)
                while (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(i % PARTITIONS),
                                         RD_KAFKA_V_VALUE("0123456789", 10), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                         RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(producer, 10);
        if (rd_kafka_flush(producer, 30000)) {
                fprintf(stderr, "flush timed out\n");
                return 1;
        }
        rd_kafka_destroy(producer);

        conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "group.id", "fetch-pause");
        set(conf, "enable.auto.commit", "false");
        set(conf, "queued.min.messages", getenv("QUEUED_MIN"));
        set(conf, "fetch.error.backoff.ms", getenv("FETCH_ERROR_BACKOFF"));
        set(conf, "fetch.wait.max.ms", getenv("FETCH_WAIT_MAX"));
        consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        rd_kafka_poll_set_consumer(consumer);
        consumer_queue = rd_kafka_queue_get_consumer(consumer);
        rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++)
                rd_kafka_topic_partition_list_add(assignment, "t", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(consumer, assignment);
        rd_kafka_topic_partition_list_destroy(assignment);

        pthread_t thread;
        if (poke)
                pthread_create(&thread, NULL, poker, NULL);
        int seen = 0;
        long long last = 0, longest = 0, start = now_ns();
        rd_kafka_message_t *batch[1000];
        while (seen < n && now_ns() - start < 60000000000LL) {
                ssize_t count = rd_kafka_consume_batch_queue(consumer_queue, 100, batch, 1000);
                for (ssize_t i = 0; i < count; i++) {
                        if (!batch[i]->err) {
                                long long t = now_ns();
                                if (seen && t - last > longest)
                                        longest = t - last;
                                last = t;
                                seen++;
                        }
                        rd_kafka_message_destroy(batch[i]);
                }
        }
        finished = 1;
        if (poke)
                pthread_join(thread, NULL);
        printf("poke=%d: %d of %d messages in %.3f s, longest gap %.3f s, pokes %d\n", poke, seen, n,
               (now_ns() - start) / 1e9, longest / 1e9, pokes);
        rd_kafka_queue_destroy(consumer_queue);
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(owner);
        return seen == n ? 0 : 1;
}
