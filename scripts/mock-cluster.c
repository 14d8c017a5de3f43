/*
 * mock-cluster: run a librdkafka mock cluster as a standalone process.
 *
 *   gcc -O2 scripts/mock-cluster.c -o mock-cluster -lrdkafka
 *   mock-cluster [--brokers N] [--partitions P] [--topic NAME[:PARTS]]...
 *                [--ready-file PATH]
 *
 * --brokers N       number of mock brokers (default 3); ids are 1..N.
 * --partitions P    partition count for --topic entries without ":PARTS"
 *                   (default 4). librdkafka 2.0.2 has no API to change the
 *                   partition count of auto-created topics (always 4).
 * --topic NAME:PARTS  pre-create a topic (repeatable); replication factor is
 *                   min(3, N).
 * --ready-file PATH written (atomically) with the bootstrap servers string,
 *                   e.g. "127.0.0.1:40001,127.0.0.1:40002", once listening.
 *
 * The bootstrap servers are also printed on stdout. Runs until SIGTERM,
 * SIGINT or SIGHUP, then destroys the cluster and exits 0.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *msg, const char *arg) {
        fprintf(stderr, "mock-cluster: %s%s\n", msg, arg ? arg : "");
        exit(2);
}

int main(int argc, char **argv) {
        int brokers = 3, partitions = 4, ntopics = 0, sig, i;
        const char *ready_file = NULL, *topics[256];
        char errstr[512];

        for (i = 1; i < argc; i++) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
                if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
                        printf("usage: %s [--brokers N] [--partitions P] "
                               "[--topic NAME[:PARTS]]... [--ready-file PATH]\n",
                               argv[0]);
                        return 0;
                }
                if (!val)
                        die("missing value for ", opt);
                i++;
                if (!strcmp(opt, "--brokers"))
                        brokers = atoi(val);
                else if (!strcmp(opt, "--partitions"))
                        partitions = atoi(val);
                else if (!strcmp(opt, "--ready-file"))
                        ready_file = val;
                else if (!strcmp(opt, "--topic") && ntopics < 256)
                        topics[ntopics++] = val;
                else
                        die("unknown option ", opt);
        }
        if (brokers < 1 || partitions < 1)
                die("--brokers and --partitions must be >= 1", NULL);

        /* Block the stop signals before librdkafka starts its threads, so
         * they inherit the mask and only sigwait() below receives them. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, NULL);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK)
                die(errstr, NULL);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk)
                die("rd_kafka_new failed: ", errstr);
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mc)
                die("rd_kafka_mock_cluster_new failed", NULL);

        for (i = 0; i < ntopics; i++) {
                char name[512];
                int parts = partitions;
                const char *colon = strrchr(topics[i], ':');
                snprintf(name, sizeof(name), "%s", topics[i]);
                if (colon) {
                        name[colon - topics[i]] = '\0';
                        parts = atoi(colon + 1);
                }
                if (!*name || parts < 1)
                        die("bad --topic ", topics[i]);
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
                    mc, name, parts, brokers < 3 ? brokers : 3);
                if (err)
                        die("topic create failed: ", rd_kafka_err2str(err));
        }

        const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
        if (ready_file) {
                char tmp[4096];
                snprintf(tmp, sizeof(tmp), "%s.tmp", ready_file);
                FILE *f = fopen(tmp, "w");
                if (!f || fprintf(f, "%s\n", bootstraps) < 0 || fclose(f) ||
                    rename(tmp, ready_file))
                        die("cannot write ready file ", ready_file);
        }
        printf("%s\n", bootstraps);
        fflush(stdout);

        sigwait(&set, &sig);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
