/*
 * mock-faults-repro: the faults test of Tests/RdKafkaIntegrationTests/MockClusterTests.swift
 * in plain C against librdkafka, with no Swift and no SDK in the process, to tell whether
 * messages missing from the mock cluster's log are lost by the SDK or below it.
 *
 * An idempotent producer (acks=all) sends 200,000 keyed messages in ten rounds of 20,000 to a
 * 3-broker mock cluster (16 partitions, replication factor 3) while the same faults are
 * injected between rounds: Produce request errors (NOT_LEADER_FOR_PARTITION,
 * REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT) twice, two leader moves, 200 ms
 * RTT on broker 1, broker 3 down and up. It then counts:
 *   - delivery reports: delivered, failed;
 *   - reports sharing a (partition, offset) with an earlier report, and reports delivered
 *     without an offset (-1);
 *   - messages in the log (sum of the high watermarks; the log starts at 0).
 * Every message is reported delivered, so delivered - in_log is what the broker acknowledged
 * but does not hold.
 *
 *   gcc -O2 -o /tmp/mock-faults-repro scripts/mock-faults-repro.c -lrdkafka
 *   /tmp/mock-faults-repro [runs]     # exit 1 if any run lost a message
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define COUNT 200000
#define ROUND 20000
#define PARTITIONS 16

static int64_t *offsets; /* per message: the offset its report named, -2 until reported */
static int32_t *partitions;
static long delivered, failed;
static long spin_ns; /* MOCK_REPRO_SPIN_NS: busy time per message, to vary the pace */

static void spin(long ns) {
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
                clock_gettime(CLOCK_MONOTONIC, &t);
        while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ns);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        long i = (long)(intptr_t)m->_private;
        (void)rk;
        (void)opaque;
        if (m->err) {
                failed++;
                return;
        }
        delivered++;
        offsets[i]    = m->offset;
        partitions[i] = m->partition;
}

static int cmp_pair(const void *a, const void *b) {
        const int64_t *x = a, *y = b;
        return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
}

static void die(const char *what, rd_kafka_resp_err_t err) {
        fprintf(stderr, "%s: %s\n", what, rd_kafka_err2str(err));
        exit(2);
}

/* One run; returns the number of acknowledged messages missing from the log. */
static long run(int number) {
        char errstr[512];
        rd_kafka_conf_t *hconf = rd_kafka_conf_new();
        rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hconf, errstr, sizeof(errstr));
        if (!host) {
                fprintf(stderr, "mock host: %s\n", errstr);
                exit(2);
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 3);
        if (!mc) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                exit(2);
        }
        const char *topic = "faults";
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, topic, PARTITIONS, 3);
        if (err)
                die("topic create", err);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mc), NULL, 0);
        rd_kafka_conf_set(conf, "enable.idempotence", "true", NULL, 0);
        rd_kafka_conf_set(conf, "acks", "all", NULL, 0);
        rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "producer: %s\n", errstr);
                exit(2);
        }
        delivered = failed = 0;
        for (long i = 0; i < COUNT; i++)
                offsets[i] = -2; /* not reported */

        rd_kafka_resp_err_t produce_errors[] = {
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT};
        int faults = 0;
        for (long start = 0; start < COUNT; start += ROUND) {
                long r = start / ROUND;
                if (r == 1 || r == 8) {
                        rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */, 4, produce_errors);
                        faults += 4;
                } else if (r == 2) {
                        rd_kafka_mock_partition_set_leader(mc, topic, 1, 2);
                        faults++;
                } else if (r == 3) {
                        rd_kafka_mock_broker_set_rtt(mc, 1, 200);
                        faults++;
                } else if (r == 4) {
                        rd_kafka_mock_broker_set_rtt(mc, 1, 0);
                } else if (r == 5) {
                        rd_kafka_mock_broker_set_down(mc, 3);
                        faults++;
                } else if (r == 7) {
                        rd_kafka_mock_broker_set_up(mc, 3);
                } else if (r == 9) {
                        rd_kafka_mock_partition_set_leader(mc, topic, 2, 3);
                        faults++;
                }
                for (long i = start; i < start + ROUND; i++) {
                        char key[16], value[16];
                        int klen = snprintf(key, sizeof(key), "%ld", i % 97);
                        int vlen = snprintf(value, sizeof(value), "%ld", i);
                        for (;;) {
                                err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                                        RD_KAFKA_V_KEY(key, (size_t)klen),
                                                        RD_KAFKA_V_VALUE(value, (size_t)vlen),
                                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                        RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
                                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                        break;
                                rd_kafka_poll(rk, 100);
                        }
                        if (err)
                                die("produce", err);
                        rd_kafka_poll(rk, 0);
                        if (spin_ns)
                                spin(spin_ns);
                }
                if (r != 5 && r != 6)
                        rd_kafka_flush(rk, 60000);
        }
        rd_kafka_flush(rk, 60000);

        /* Reports naming a (partition, offset) an earlier report already named. */
        int64_t(*pairs)[2] = malloc(sizeof(*pairs) * COUNT);
        long n = 0, shared = 0, no_offset = 0;
        for (long i = 0; i < COUNT; i++)
                if (offsets[i] < 0 && offsets[i] != -2)
                        no_offset++;
                else if (offsets[i] >= 0) {
                        pairs[n][0] = (int64_t)partitions[i] << 40 | offsets[i];
                        pairs[n][1] = i;
                        n++;
                }
        qsort(pairs, (size_t)n, sizeof(*pairs), cmp_pair);
        for (long i = 1; i < n; i++)
                if (pairs[i][0] == pairs[i - 1][0])
                        shared++;
        free(pairs);

        long in_log = 0;
        for (int32_t p = 0; p < PARTITIONS; p++) {
                int64_t low = 0, high = 0;
                err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 10000);
                if (err)
                        die("watermarks", err);
                in_log += (long)(high - low);
        }
        long missing = delivered - in_log;
        printf("run %d: sent %d, delivered %ld, failed %ld, faults %d, reports sharing an offset %ld, "
               "reports without an offset %ld, "
               "in log %ld, acknowledged but missing %ld\n",
               number, COUNT, delivered, failed, faults, shared, no_offset, in_log, missing);
        fflush(stdout);
        rd_kafka_destroy(rk);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(host);
        return missing;
}

int main(int argc, char **argv) {
        int runs = argc > 1 ? atoi(argv[1]) : 3;
        if (getenv("MOCK_REPRO_SPIN_NS"))
                spin_ns = atol(getenv("MOCK_REPRO_SPIN_NS"));
        long lost_runs = 0;
        offsets    = malloc(sizeof(*offsets) * COUNT);
        partitions = malloc(sizeof(*partitions) * COUNT);
        for (int i = 1; i <= runs; i++)
                if (run(i) != 0)
                        lost_runs++;
        printf("librdkafka %s: %ld of %d runs lost acknowledged messages\n", rd_kafka_version_str(), lost_runs, runs);
        return lost_runs ? 1 : 0;
}
