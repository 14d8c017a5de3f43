/*
 * rdkafka_bench.c - plain-C librdkafka baseline for the swift-rdkafka
 * benchmark suite.
 *
 * Build:
 *   gcc -O2 -o rdkafka_bench rdkafka_bench.c -lrdkafka -lpthread
 *
 * Usage:
 *   rdkafka_bench produce -b BROKERS -t TOPIC -n N -s SIZE [-p ua|rr|PART]
 *                         [--by-name] [--classic] [--events] [--thread] [--callback]
 *                         [--inflight K] [-X key=value ...]
 *   rdkafka_bench consume -b BROKERS -t TOPIC -n N [-g GROUP] [--single]
 *                         [-X key=value ...]
 *   rdkafka_bench latency -b BROKERS -t TOPIC -n N -s SIZE -r RATE
 *                         [-X key=value ...]
 *
 * stdout: exactly one JSON line with the result.  Everything else: stderr.
 *
 * Configuration: librdkafka defaults, except acks=-1 (all) set explicitly
 * for producers (it is also the 2.0.x default) and, for consumers, the
 * settings needed to function (group.id, auto.offset.reset for -g).
 * -X key=value is applied last and overrides anything.
 *
 * Allocation counting: if the process runs with LD_PRELOAD=libmalloc_count.so,
 * malloc_count_get() is found through dlsym(RTLD_DEFAULT) and the JSON gets
 * "mallocs_per_msg" = (count after - count before) / N over the hot loop
 * (all threads, i.e. including librdkafka's internal threads).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define MAX_X 128
#define BATCH_MAX 10000
#define POLL_EVERY 1024 /* produce: rd_kafka_poll(rk, 0) every N messages */
#define IDLE_TIMEOUT_NS (15LL * 1000000000LL) /* consume: give up when idle */

/* ------------------------------------------------------------------ */
/* options                                                             */

typedef struct {
        const char *mode;
        const char *brokers;
        const char *topic;
        const char *group;
        long long n;
        long long size;
        double rate;
        int partition; /* RD_KAFKA_PARTITION_UA, -2 = round robin, >=0 */
        int single;
        int by_name;
        int classic; /* produce: rd_kafka_produce() instead of rd_kafka_producev() */
        int events; /* produce: delivery reports as events, as the SDK takes them */
        int thread; /* produce: the loop on a thread of its own, not main (as in a Swift app) */
        int callback; /* produce: a per-message callback record (malloc'd, freed in dr_msg_cb),
                         as an app calling back per message keeps one (the SDK's callback send) */
        long long inflight; /* produce: at most K messages without a report; a new one when one
                               completes (the pattern of K tasks each awaiting its send) */
        int xcnt;
        char *xkeys[MAX_X];
        char *xvals[MAX_X];
} opts_t;

#define PART_RR (-2)

static opts_t O;

static void usage(void) {
        fprintf(stderr,
                "usage:\n"
                "  rdkafka_bench produce -b BROKERS -t TOPIC -n N -s SIZE "
                "[-p ua|rr|PART] [--by-name] [--classic] [--events] [--thread] [--callback] [--inflight K] [-X k=v ...]\n"
                "  rdkafka_bench consume -b BROKERS -t TOPIC -n N [-g GROUP] "
                "[--single] [-X k=v ...]\n"
                "  rdkafka_bench latency -b BROKERS -t TOPIC -n N -s SIZE "
                "-r RATE [-X k=v ...]\n");
        exit(2);
}

static void parse_args(int argc, char **argv) {
        int i;
        if (argc < 2)
                usage();
        memset(&O, 0, sizeof(O));
        O.mode      = argv[1];
        O.size      = 100;
        O.partition = RD_KAFKA_PARTITION_UA;
        for (i = 2; i < argc; i++) {
                const char *a = argv[i];
                const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
                if (!strcmp(a, "--single")) {
                        O.single = 1;
                        continue;
                }
                if (!strcmp(a, "--events")) {
                        O.events = 1;
                        continue;
                }
                if (!strcmp(a, "--by-name")) {
                        O.by_name = 1;
                        continue;
                }
                if (!strcmp(a, "--classic")) {
                        O.classic = 1;
                        continue;
                }
                if (!strcmp(a, "--thread")) {
                        O.thread = 1;
                        continue;
                }
                if (!strcmp(a, "--callback")) {
                        O.callback = 1;
                        continue;
                }
                if (!v)
                        usage();
                i++;
                if (!strcmp(a, "-b"))
                        O.brokers = v;
                else if (!strcmp(a, "-t"))
                        O.topic = v;
                else if (!strcmp(a, "-g"))
                        O.group = v;
                else if (!strcmp(a, "-n"))
                        O.n = atoll(v);
                else if (!strcmp(a, "-s"))
                        O.size = atoll(v);
                else if (!strcmp(a, "-r"))
                        O.rate = atof(v);
                else if (!strcmp(a, "--inflight"))
                        O.inflight = atoll(v);
                else if (!strcmp(a, "-p")) {
                        if (!strcmp(v, "ua"))
                                O.partition = RD_KAFKA_PARTITION_UA;
                        else if (!strcmp(v, "rr"))
                                O.partition = PART_RR;
                        else
                                O.partition = atoi(v);
                } else if (!strcmp(a, "-X")) {
                        const char *eq = strchr(v, '=');
                        if (!eq || O.xcnt >= MAX_X) {
                                fprintf(stderr, "bad -X %s\n", v);
                                exit(2);
                        }
                        O.xkeys[O.xcnt] = strndup(v, (size_t)(eq - v));
                        O.xvals[O.xcnt] = strdup(eq + 1);
                        O.xcnt++;
                } else
                        usage();
        }
        if (!O.brokers || !O.topic || O.n <= 0 || O.size < 0)
                usage();
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static inline int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU time of the calling thread: the producing loop's own cost, which scheduling on a
 * small machine moves much less than wall time. */
static inline int64_t thread_cpu_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef uint64_t (*malloc_count_fn)(void);
static malloc_count_fn mcount;

static void mcount_init(void) {
        mcount = (malloc_count_fn)dlsym(RTLD_DEFAULT, "malloc_count_get");
}

static void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                fprintf(stderr, "config %s=%s: %s\n", k, v, errstr);
                exit(2);
        }
}

static void conf_apply_x(rd_kafka_conf_t *conf) {
        int i;
        for (i = 0; i < O.xcnt; i++)
                conf_set(conf, O.xkeys[i], O.xvals[i]);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        (void)rk;
        fprintf(stderr, "rdkafka[%d] %s: %s\n", level, fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
        (void)rk;
        (void)opaque;
        fprintf(stderr, "rdkafka error: %s: %s\n",
                rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static rd_kafka_conf_t *base_conf(void) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        conf_set(conf, "bootstrap.servers", O.brokers);
        rd_kafka_conf_set_log_cb(conf, log_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        return conf;
}

static void make_group_id(char *buf, size_t sz) {
        snprintf(buf, sz, "rdkafka-bench-%d-%lld", (int)getpid(),
                 (long long)now_ns());
}

static void usage_stats(double *cpu, double *rss_mb) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        *rss_mb = ru.ru_maxrss / 1024.0; /* ru_maxrss is KiB on Linux */
}

/* Partition count of topic via a metadata request (also auto-creates it
 * when the cluster allows that).  Returns -1 on failure. */
static int topic_partition_cnt(rd_kafka_t *rk, rd_kafka_topic_t *rkt,
                               int timeout_ms) {
        const struct rd_kafka_metadata *md = NULL;
        int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000LL;
        int cnt = -1;
        while (now_ns() < deadline) {
                rd_kafka_resp_err_t err =
                    rd_kafka_metadata(rk, 0, rkt, &md, 5000);
                if (!err && md->topic_cnt == 1 && !md->topics[0].err &&
                    md->topics[0].partition_cnt > 0) {
                        cnt = md->topics[0].partition_cnt;
                        rd_kafka_metadata_destroy(md);
                        break;
                }
                fprintf(stderr, "metadata: %s (topic err %s), retrying\n",
                        rd_kafka_err2name(err),
                        (!err && md->topic_cnt == 1)
                            ? rd_kafka_err2name(md->topics[0].err)
                            : "-");
                if (!err)
                        rd_kafka_metadata_destroy(md);
                usleep(200 * 1000);
        }
        return cnt;
}

static rd_kafka_t *new_producer(rd_kafka_conf_t *conf) {
        char errstr[512];
        rd_kafka_t *rk;
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new(producer): %s\n", errstr);
                exit(1);
        }
        return rk;
}

static rd_kafka_t *new_consumer(rd_kafka_conf_t *conf) {
        char errstr[512];
        rd_kafka_t *rk;
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new(consumer): %s\n", errstr);
                exit(1);
        }
        rd_kafka_poll_set_consumer(rk);
        return rk;
}

/* Assign every partition of the topic.  offset < 0: that logical offset
 * for all partitions; hw != NULL: use hw[p] (explicit offsets). */
static int assign_all(rd_kafka_t *rk, int part_cnt, int64_t offset,
                      const int64_t *hw) {
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(part_cnt);
        rd_kafka_resp_err_t err;
        int p;
        for (p = 0; p < part_cnt; p++)
                rd_kafka_topic_partition_list_add(l, O.topic, p)->offset =
                    hw ? hw[p] : offset;
        err = rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err) {
                fprintf(stderr, "assign: %s\n", rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

/* Sum of (high - low) watermarks; fills hw[] with high watermarks. */
static int64_t watermarks(rd_kafka_t *rk, int part_cnt, int64_t *hw) {
        int64_t total = 0;
        int p;
        for (p = 0; p < part_cnt; p++) {
                int64_t lo = -1, hi = -1;
                rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
                    rk, O.topic, p, &lo, &hi, 10000);
                if (err) {
                        fprintf(stderr, "watermarks [%d]: %s\n", p,
                                rd_kafka_err2name(err));
                        return -1;
                }
                if (hw)
                        hw[p] = hi;
                total += hi - lo;
        }
        return total;
}

/* ------------------------------------------------------------------ */
/* produce                                                             */

typedef struct {
        long long ok;
        long long failed;
        long long expected;
        int64_t t_last;
        int first_err_logged;
} dr_state_t;

/* --callback: what a send with its own completion callback carries. */
typedef struct {
        void (*fn)(const rd_kafka_message_t *m, void *ctx);
        void *ctx;
} callback_t;

static void count_report(const rd_kafka_message_t *m, void *ctx);

/* Called from rd_kafka_poll()/rd_kafka_flush() on the producing thread. */
static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque) {
        (void)rk;
        if (O.callback) {
                callback_t *cb = (callback_t *)m->_private;
                cb->fn(m, cb->ctx);
                free(cb);
                return;
        }
        count_report(m, opaque);
}

static void count_report(const rd_kafka_message_t *m, void *ctx) {
        dr_state_t *st = (dr_state_t *)ctx;
        if (m->err) {
                st->failed++;
                if (!st->first_err_logged) {
                        st->first_err_logged = 1;
                        fprintf(stderr, "delivery failed: %s\n",
                                rd_kafka_err2str(m->err));
                }
        } else
                st->ok++;
        if (st->ok + st->failed == st->expected)
                st->t_last = now_ns();
}

/* --events: serve delivery reports from the main queue as events, in batches
 * (rd_kafka_event_message_array), the way the Swift SDK takes them; otherwise
 * rd_kafka_poll calls dr_msg_cb. */
static void serve_reports(rd_kafka_t *rk, rd_kafka_queue_t *mainq, int timeout_ms) {
        static const rd_kafka_message_t *batch[BATCH_MAX];
        rd_kafka_event_t *ev;
        if (!mainq) {
                rd_kafka_poll(rk, timeout_ms);
                return;
        }
        while ((ev = rd_kafka_queue_poll(mainq, timeout_ms))) {
                if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
                        size_t n, i;
                        while ((n = rd_kafka_event_message_array(ev, batch, BATCH_MAX)) > 0)
                                for (i = 0; i < n; i++)
                                        dr_msg_cb(rk, batch[i], rd_kafka_opaque(rk));
                }
                rd_kafka_event_destroy(ev);
                timeout_ms = 0;
        }
}

static int run_produce(void) {
        static dr_state_t st;
        rd_kafka_conf_t *conf = base_conf();
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        rd_kafka_queue_t *mainq;
        char *payload;
        long long i, produce_errors = 0, qfull = 0;
        int part_cnt, rr = 0;
        int64_t t0, t_end, loop_cpu0, loop_cpu;
        uint64_t m0 = 0, m1 = 0;
        double cpu, rss, secs;

        conf_set(conf, "acks", "-1");
        conf_apply_x(conf);
        if (O.events)
                rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR);
        else
                rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
        rd_kafka_conf_set_opaque(conf, &st);
        rk  = new_producer(conf);
        rkt = rd_kafka_topic_new(rk, O.topic, NULL);
        mainq = O.events ? rd_kafka_queue_get_main(rk) : NULL;

        payload = malloc(O.size > 0 ? (size_t)O.size : 1);
        for (i = 0; i < O.size; i++)
                payload[i] = (char)('a' + i % 26);

        /* Warm-up (not timed): connect, fetch metadata (auto-creating the
         * topic if the cluster does that). */
        part_cnt = topic_partition_cnt(rk, rkt, 30000);
        if (part_cnt < 1) {
                fprintf(stderr, "no metadata for topic %s\n", O.topic);
                return 1;
        }
        fprintf(stderr, "produce: topic %s has %d partitions\n", O.topic,
                part_cnt);
        if (O.partition >= part_cnt) {
                fprintf(stderr, "partition %d out of range\n", O.partition);
                return 1;
        }

        st.expected = O.n;
        if (mcount)
                m0 = mcount();
        t0 = now_ns();
        loop_cpu0 = thread_cpu_ns();
        for (i = 0; i < O.n;) {
                int32_t part = O.partition;
                rd_kafka_resp_err_t err;
                /* --inflight: wait for a report before going over K outstanding. */
                if (O.inflight > 0 &&
                    i - produce_errors - (st.ok + st.failed) >= O.inflight) {
                        serve_reports(rk, mainq, 100);
                        continue;
                }
                if (part == PART_RR) {
                        part = rr++;
                        if (rr == part_cnt)
                                rr = 0;
                }
                if (O.classic)
                        err = rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY,
                                               payload, (size_t)O.size, NULL, 0,
                                               NULL) == 0
                                  ? RD_KAFKA_RESP_ERR_NO_ERROR
                                  : rd_kafka_last_error();
                else if (O.by_name)
                        err = rd_kafka_producev(
                            rk, RD_KAFKA_V_TOPIC(O.topic),
                            RD_KAFKA_V_PARTITION(part),
                            RD_KAFKA_V_VALUE(payload, (size_t)O.size),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END);
                else if (O.callback) {
                        callback_t *cb = malloc(sizeof(*cb));
                        cb->fn         = count_report;
                        cb->ctx        = &st;
                        err            = rd_kafka_producev(
                            rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
                            RD_KAFKA_V_VALUE(payload, (size_t)O.size),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_OPAQUE(cb), RD_KAFKA_V_END);
                        if (err)
                                free(cb);
                } else
                        err = rd_kafka_producev(
                            rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
                            RD_KAFKA_V_VALUE(payload, (size_t)O.size),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END);
                if (!err) {
                        i++;
                        if (O.inflight <= 0 && (i % POLL_EVERY) == 0)
                                serve_reports(rk, mainq, 0);
                } else if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        if (part != O.partition && O.partition == PART_RR)
                                rr = part; /* retry the same partition */
                        qfull++;
                        serve_reports(rk, mainq, 100);
                } else {
                        if (!produce_errors)
                                fprintf(stderr, "produce failed: %s\n",
                                        rd_kafka_err2str(err));
                        produce_errors++;
                        st.expected--;
                        i++;
                }
        }
        loop_cpu = thread_cpu_ns() - loop_cpu0;
        /* Wait for every delivery report. */
        while (st.ok + st.failed < st.expected &&
               now_ns() - t0 < 300LL * 1000000000LL) {
                if (mainq) /* flush does not serve events: serve them here */
                        serve_reports(rk, mainq, 100);
                else
                        rd_kafka_flush(rk, 1000);
        }
        t_end = st.t_last ? st.t_last : now_ns();
        if (mcount)
                m1 = mcount();
        if (st.ok + st.failed < st.expected)
                fprintf(stderr, "timed out: %lld delivery reports missing\n",
                        st.expected - st.ok - st.failed);

        secs = (double)(t_end - t0) / 1e9;
        fprintf(stderr,
                "produce: %lld ok, %lld failed, %lld produce errors, "
                "%lld queue-full retries, %.3fs\n",
                st.ok, st.failed, produce_errors, qfull, secs);

        if (mainq)
                rd_kafka_queue_destroy(mainq);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        free(payload);

        usage_stats(&cpu, &rss);
        printf("{\"impl\":\"c\",\"mode\":\"produce\",\"n\":%lld,\"size\":%lld,"
               "\"seconds\":%.6f,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
               "\"cpu_seconds\":%.3f,\"peak_rss_mb\":%.1f,\"errors\":%lld",
               O.n, O.size, secs, (double)st.ok / secs,
               (double)st.ok * (double)O.size / 1e6 / secs, cpu, rss,
               O.n - st.ok);
        printf(",\"loop_cpu_ns_per_msg\":%.1f", (double)loop_cpu / O.n);
        if (mcount)
                printf(",\"mallocs_per_msg\":%.3f", (double)(m1 - m0) / O.n);
        printf("}\n");
        fflush(stdout);
        return st.ok == O.n ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* consume                                                             */

static int run_consume(void) {
        rd_kafka_conf_t *conf = base_conf();
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        rd_kafka_queue_t *rkq;
        static rd_kafka_message_t *batch[BATCH_MAX];
        char gid[128];
        long long cnt = 0, bytes = 0, errs = 0;
        int64_t t_start, t_first = 0, t_last = 0, t_activity;
        uint64_t m0 = 0, m1 = 0;
        double cpu, rss, secs, total;
        int part_cnt = 0;

        if (O.group) {
                conf_set(conf, "group.id", O.group);
                /* a fresh group must start from the beginning */
                conf_set(conf, "auto.offset.reset", "earliest");
        } else {
                /* the high-level consumer needs a group.id even for
                 * assign(); no group join happens without subscribe(). */
                make_group_id(gid, sizeof(gid));
                conf_set(conf, "group.id", gid);
        }
        conf_apply_x(conf);
        t_start = now_ns();
        rk      = new_consumer(conf);
        rkq     = rd_kafka_queue_get_consumer(rk);

        if (O.group) {
                rd_kafka_topic_partition_list_t *l =
                    rd_kafka_topic_partition_list_new(1);
                rd_kafka_resp_err_t err;
                rd_kafka_topic_partition_list_add(l, O.topic,
                                                  RD_KAFKA_PARTITION_UA);
                err = rd_kafka_subscribe(rk, l);
                rd_kafka_topic_partition_list_destroy(l);
                if (err) {
                        fprintf(stderr, "subscribe: %s\n",
                                rd_kafka_err2str(err));
                        return 1;
                }
        } else {
                rkt      = rd_kafka_topic_new(rk, O.topic, NULL);
                part_cnt = topic_partition_cnt(rk, rkt, 30000);
                rd_kafka_topic_destroy(rkt);
                if (part_cnt < 1) {
                        fprintf(stderr, "no metadata for topic %s\n",
                                O.topic);
                        return 1;
                }
                fprintf(stderr, "consume: topic %s: %d partitions\n", O.topic,
                        part_cnt);
                if (assign_all(rk, part_cnt, RD_KAFKA_OFFSET_BEGINNING,
                               NULL))
                        return 1;
        }

        if (mcount)
                m0 = mcount();
        t_activity = now_ns();
        while (cnt < O.n) {
                ssize_t r, k;
                if (O.single) {
                        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                        batch[0]              = m;
                        r                     = m ? 1 : 0;
                } else {
                        /* consume_batch_queue waits until the batch is full
                         * or the timeout expires: never ask for more than
                         * what remains, and ask for one first so t_first is
                         * the arrival of the first message. */
                        long long want = O.n - cnt;
                        if (cnt == 0)
                                want = 1;
                        if (want > BATCH_MAX)
                                want = BATCH_MAX;
                        r = rd_kafka_consume_batch_queue(rkq, 100, batch,
                                                         (size_t)want);
                        if (r < 0) {
                                fprintf(stderr, "consume_batch_queue: %s\n",
                                        rd_kafka_err2str(rd_kafka_last_error()));
                                break;
                        }
                }
                if (r == 0) {
                        if (now_ns() - t_activity > IDLE_TIMEOUT_NS) {
                                fprintf(stderr,
                                        "consume: idle timeout after %lld "
                                        "messages\n",
                                        cnt);
                                break;
                        }
                        continue;
                }
                for (k = 0; k < r; k++) {
                        rd_kafka_message_t *m = batch[k];
                        if (m->err) {
                                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                        if (!errs)
                                                fprintf(stderr,
                                                        "consume error: %s\n",
                                                        rd_kafka_message_errstr(
                                                            m));
                                        errs++;
                                }
                        } else {
                                cnt++;
                                bytes += (long long)m->len;
                        }
                        rd_kafka_message_destroy(m);
                }
                t_activity = now_ns();
                if (!t_first && cnt > 0)
                        t_first = t_activity;
        }
        t_last = now_ns();
        if (mcount)
                m1 = mcount();

        if (!O.group) {
                /* diagnostic, outside the timed region: what the broker
                 * still holds (the mock cluster trims old message sets) */
                int64_t avail = watermarks(rk, part_cnt, NULL);
                fprintf(stderr, "consume: %" PRId64 " messages available\n",
                        avail);
                if (avail >= 0 && avail < O.n)
                        fprintf(stderr,
                                "WARNING: only %" PRId64
                                " messages available, %lld requested\n",
                                avail, O.n);
        }

        secs  = t_first ? (double)(t_last - t_first) / 1e9 : 0.0;
        total = (double)(t_last - t_start) / 1e9;
        fprintf(stderr, "consume: %lld msgs, %lld bytes, %lld errors, "
                        "%.3fs first->last, %.3fs total\n",
                cnt, bytes, errs, secs, total);

        rd_kafka_queue_destroy(rkq);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);

        usage_stats(&cpu, &rss);
        if (secs <= 0)
                secs = 1e-9;
        printf("{\"impl\":\"c\",\"mode\":\"consume\",\"api\":\"%s\","
               "\"n\":%lld,\"size\":%.1f,\"seconds\":%.6f,"
               "\"total_seconds\":%.6f,\"msgs_per_sec\":%.1f,"
               "\"mb_per_sec\":%.3f,\"bytes\":%lld,\"cpu_seconds\":%.3f,"
               "\"peak_rss_mb\":%.1f,\"errors\":%lld",
               O.single ? "poll" : "batch", cnt,
               cnt ? (double)bytes / cnt : 0.0, secs, total, cnt / secs,
               (double)bytes / 1e6 / secs, bytes, cpu, rss,
               errs + (O.n - cnt));
        if (mcount)
                printf(",\"mallocs_per_msg\":%.3f",
                       cnt ? (double)(m1 - m0) / cnt : 0.0);
        printf("}\n");
        fflush(stdout);
        return cnt == O.n ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* latency                                                             */

#define WARMUP_SEQ UINT64_MAX

typedef struct {
        rd_kafka_t *rk;
        int64_t *lat_ns; /* indexed by seq, -1 = not received */
        atomic_llong received;
        atomic_int warm;
        atomic_int stop;
        long long dups, errs;
} lat_state_t;

static void *lat_consumer_main(void *arg) {
        lat_state_t *ls = (lat_state_t *)arg;
        while (!atomic_load(&ls->stop) &&
               atomic_load(&ls->received) < O.n) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(ls->rk, 100);
                int64_t t;
                uint64_t ts, seq;
                if (!m)
                        continue;
                t = now_ns();
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                ls->errs++;
                } else if (m->len >= 16) {
                        memcpy(&ts, m->payload, 8);
                        memcpy(&seq, (const char *)m->payload + 8, 8);
                        if (seq == WARMUP_SEQ)
                                atomic_store(&ls->warm, 1);
                        else if (seq < (uint64_t)O.n) {
                                if (ls->lat_ns[seq] >= 0)
                                        ls->dups++;
                                else {
                                        ls->lat_ns[seq] = t - (int64_t)ts;
                                        atomic_fetch_add(&ls->received, 1);
                                }
                        }
                }
                rd_kafka_message_destroy(m);
        }
        return NULL;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static int run_latency(void) {
        static dr_state_t st;
        static lat_state_t ls;
        rd_kafka_conf_t *pconf = base_conf(), *cconf = base_conf();
        rd_kafka_t *prk;
        rd_kafka_topic_t *rkt;
        pthread_t thr;
        char gid[128];
        char *payload;
        int64_t *hw, *sorted;
        int64_t t0, t_end, t;
        long long i, m = 0, lost;
        int part_cnt;
        double cpu, rss, secs, interval_ns;
        uint64_t v;

        if (O.size < 16) {
                fprintf(stderr, "latency: -s must be >= 16\n");
                return 2;
        }
        if (O.rate <= 0) {
                fprintf(stderr, "latency: -r RATE required\n");
                return 2;
        }
        interval_ns = 1e9 / O.rate;

        conf_set(pconf, "acks", "-1");
        conf_apply_x(pconf);
        rd_kafka_conf_set_dr_msg_cb(pconf, dr_msg_cb);
        rd_kafka_conf_set_opaque(pconf, &st);
        prk = new_producer(pconf);
        rkt = rd_kafka_topic_new(prk, O.topic, NULL);
        part_cnt = topic_partition_cnt(prk, rkt, 30000);
        if (part_cnt < 1) {
                fprintf(stderr, "no metadata for topic %s\n", O.topic);
                return 1;
        }

        make_group_id(gid, sizeof(gid));
        conf_set(cconf, "group.id", gid);
        conf_apply_x(cconf);
        ls.rk = new_consumer(cconf);
        /* Start at the current end: explicit high watermarks, so nothing
         * produced after this point can be skipped. */
        hw = calloc((size_t)part_cnt, sizeof(*hw));
        if (watermarks(ls.rk, part_cnt, hw) < 0 ||
            assign_all(ls.rk, part_cnt, 0, hw))
                return 1;
        free(hw);

        ls.lat_ns = malloc(sizeof(int64_t) * (size_t)O.n);
        for (i = 0; i < O.n; i++)
                ls.lat_ns[i] = -1;
        pthread_create(&thr, NULL, lat_consumer_main, &ls);

        payload = calloc(1, (size_t)O.size);

        /* Warm-up: one message end to end before the clock starts. */
        st.expected = O.n + 1;
        v           = WARMUP_SEQ;
        memcpy(payload + 8, &v, 8);
        t = now_ns();
        memcpy(payload, &t, 8);
        rd_kafka_producev(prk, RD_KAFKA_V_RKT(rkt),
                          RD_KAFKA_V_VALUE(payload, (size_t)O.size),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_END);
        while (!atomic_load(&ls.warm) && now_ns() - t < 30LL * 1000000000LL)
                rd_kafka_poll(prk, 10);
        if (!atomic_load(&ls.warm))
                fprintf(stderr, "latency: warm-up message not seen\n");

        t0 = now_ns();
        for (i = 0; i < O.n;) {
                int64_t target = t0 + (int64_t)((double)i * interval_ns);
                rd_kafka_resp_err_t err;
                t = now_ns();
                if (t < target) {
                        struct timespec ts;
                        ts.tv_sec  = target / 1000000000LL;
                        ts.tv_nsec = target % 1000000000LL;
                        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
                                        NULL);
                }
                /* timestamp taken at the actual send, not the schedule */
                v = (uint64_t)i;
                memcpy(payload + 8, &v, 8);
                t = now_ns();
                memcpy(payload, &t, 8);
                err = rd_kafka_producev(
                    prk, RD_KAFKA_V_RKT(rkt),
                    RD_KAFKA_V_VALUE(payload, (size_t)O.size),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        rd_kafka_poll(prk, 10);
                        continue;
                }
                if (err) {
                        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err));
                        st.expected--;
                }
                i++;
                rd_kafka_poll(prk, 0);
        }
        t_end = now_ns();
        while (st.ok + st.failed < st.expected &&
               now_ns() - t_end < 60LL * 1000000000LL)
                rd_kafka_flush(prk, 1000);

        /* let the consumer catch up, then stop it */
        t = now_ns();
        while (atomic_load(&ls.received) < O.n &&
               now_ns() - t < 10LL * 1000000000LL)
                usleep(10 * 1000);
        atomic_store(&ls.stop, 1);
        pthread_join(thr, NULL);

        sorted = malloc(sizeof(int64_t) * (size_t)O.n);
        for (i = 0; i < O.n; i++)
                if (ls.lat_ns[i] >= 0)
                        sorted[m++] = ls.lat_ns[i];
        qsort(sorted, (size_t)m, sizeof(int64_t), cmp_i64);
        lost = O.n - m;
        secs = (double)(t_end - t0) / 1e9;
        fprintf(stderr,
                "latency: %lld received, %lld lost, %lld dups, %lld consume "
                "errors, %lld delivery failures\n",
                m, lost, ls.dups, ls.errs, st.failed);

        rd_kafka_consumer_close(ls.rk);
        rd_kafka_destroy(ls.rk);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(prk);

        usage_stats(&cpu, &rss);
#define PCT(p) (m ? sorted[(long long)((double)(m - 1) * (p))] / 1e3 : -1.0)
        printf("{\"impl\":\"c\",\"mode\":\"latency\",\"n\":%lld,\"size\":%lld,"
               "\"rate\":%.1f,\"seconds\":%.6f,\"msgs_per_sec\":%.1f,"
               "\"mb_per_sec\":%.3f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
               "\"p999_us\":%.1f,\"max_us\":%.1f,\"cpu_seconds\":%.3f,"
               "\"peak_rss_mb\":%.1f,\"errors\":%lld}\n",
               O.n, O.size, O.rate, secs, O.n / secs,
               (double)O.n * (double)O.size / 1e6 / secs, PCT(0.50),
               PCT(0.99), PCT(0.999), PCT(1.0), cpu, rss,
               lost + st.failed + ls.errs);
#undef PCT
        fflush(stdout);
        free(sorted);
        free(ls.lat_ns);
        free(payload);
        return lost == 0 ? 0 : 1;
}

/* --thread: the whole produce workload on a second thread (main waits). A Swift app's
 * producing code runs on such a thread, never on main, and glibc serves each thread's
 * mallocs from an arena of its own (main's grows with brk, the others are mmap'ed). */
static void *produce_thread(void *arg) {
        (void)arg;
        return (void *)(intptr_t)run_produce();
}

int main(int argc, char **argv) {
        parse_args(argc, argv);
        mcount_init();
        if (!strcmp(O.mode, "produce") && O.thread) {
                pthread_t t;
                void *status = NULL;
                if (pthread_create(&t, NULL, produce_thread, NULL) != 0) {
                        fprintf(stderr, "pthread_create failed\n");
                        return 1;
                }
                pthread_join(t, &status);
                return (int)(intptr_t)status;
        }
        if (!strcmp(O.mode, "produce"))
                return run_produce();
        if (!strcmp(O.mode, "consume"))
                return run_consume();
        if (!strcmp(O.mode, "latency"))
                return run_latency();
        usage();
        return 2;
}
