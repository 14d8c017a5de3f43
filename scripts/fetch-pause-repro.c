/*
 * librdkafka 2.0.2's fetch pause, in plain C (no Swift, no SDK): a consumer at librdkafka's
 * default queued.min.messages (100,000) reads a backlog of small messages from an embedded
 * 3-broker mock cluster and reports the longest wait between two messages.
 *
 *   gcc -O2 -o /tmp/fetch-pause scripts/fetch-pause-repro.c -lrdkafka -lpthread
 *   /tmp/fetch-pause [MESSAGES [POKE]]      defaults 400000 0
 *
 * MESSAGES x 10 B over 16 partitions. Environment: QUEUED_MIN (queued.min.messages),
 * FETCH_ERROR_BACKOFF (fetch.error.backoff.ms), FETCH_WAIT_MAX (fetch.wait.max.ms), DEBUG.
 *
 * Why it pauses (librdkafka 2.0.2 source, rdkafka_fetcher.c and rdkafka_broker.c): when the
 * consumer queue holds queued.min.messages, rd_kafka_toppar_fetch_decide takes the partition
 * off the broker's fetch list with an unbounded backoff, and the broker thread sleeps in
 * rd_kafka_broker_ops_io_serve until an op, IO or its 1 s serve timeout (rd_kafka_max_block_ms).
 * Draining the queue wakes nothing. A broker whose partitions all stopped (and that has no fetch
 * outstanding) therefore waits up to a second; DEBUG=fetch shows its partitions turning
 * "fetchable" only then.
 *
 * POKE=1 does what the SDK's FetchWaker does: a side thread watches the queue and, once it held
 * 75,000 and has drained below 25,000, sends rd_kafka_offsets_for_times (end offsets) for all
 * 16 partitions: one ListOffsets per leader, which wakes every broker thread.
 *
 * Measured here (session 8; longest gap): defaults 0.79, 0.78, 0.002, 0.003 s (the pause needs
 * a broker whose partitions all stopped); POKE=1 0.003-0.019 s in 9 of 9 runs, 1-2 pokes per
 * run. Session 7 poked only partitions 0-2 (0.80-0.83 s): with DEBUG the paused broker was one
 * none of them led. FETCH_ERROR_BACKOFF=10 and FETCH_WAIT_MAX=10 do not end it (0.76-0.77 s);
 * QUEUED_MIN=1000000 avoids it at 4-5x the memory (0.025-0.034 s).
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
        int armed = 0;
        (void)arg;
        while (!finished) {
                usleep(1000);
                int len = rd_kafka_queue_length(consumer_queue);
                if (len >= 75000) armed = 1;
                else if (armed && len < 25000) {
                        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(PARTITIONS);
                        for (int p = 0; p < PARTITIONS; p++)
                                rd_kafka_topic_partition_list_add(l, "t", p)->offset = -1;
                        rd_kafka_offsets_for_times(consumer, l, 1000);
                        rd_kafka_topic_partition_list_destroy(l);
                        pokes++;
                        armed = 0;
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
        set(conf, "debug", getenv("DEBUG"));
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
        long long last = 0, longest = 0, start = now_ns(), first = 0;
        rd_kafka_message_t *batch[1000];
        while (seen < n && now_ns() - start < 60000000000LL) {
                ssize_t count = rd_kafka_consume_batch_queue(consumer_queue, 100, batch, 1000);
                for (ssize_t i = 0; i < count; i++) {
                        if (!batch[i]->err) {
                                long long t = now_ns();
                                if (!seen)
                                        first = t;
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
        printf("first message after %.3f s, all in %.3f s more; ", (first - start) / 1e9, (last - first) / 1e9);
        printf("poke=%d: %d of %d messages in %.3f s, longest gap %.3f s, pokes %d\n", poke, seen, n,
               (now_ns() - start) / 1e9, longest / 1e9, pokes);
        rd_kafka_queue_destroy(consumer_queue);
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(owner);
        return seen == n ? 0 : 1;
}
