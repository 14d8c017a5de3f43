#ifndef SWIFT_RDKAFKA_SHIM_H
#define SWIFT_RDKAFKA_SHIM_H
// The one C entry point of the SDK: librdkafka's public API and its mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <dlfcn.h>
#ifdef __linux__
#include <sys/prctl.h>
#elif defined(__APPLE__)
#include <pthread.h>
#endif

/// Names the calling thread (shown by top, perf and gdb); Linux keeps the first 15 bytes.
/// macOS names only the calling thread, through pthread_setname_np; elsewhere a no-op.
static inline void swift_rdkafka_name_thread(const char *name) {
#ifdef __linux__
        prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
#elif defined(__APPLE__)
        pthread_setname_np(name);
#else
        (void)name;
#endif
}

/// A librdkafka function newer than the headers the SDK was compiled against, by name, from
/// the librdkafka this process loaded; NULL when that library lacks it. dlopen(NULL) searches
/// the program and the libraries it loaded (POSIX: glibc, musl, macOS), without _GNU_SOURCE.
static inline void *swift_rdkafka_symbol(const char *name) {
        void *process = dlopen(NULL, RTLD_LAZY);
        if (!process)
                return NULL;
        void *function = dlsym(process, name);
        dlclose(process);
        return function;
}

/// Enqueues one message through rd_kafka_produceva (rd_kafka_producev is a variadic macro that
/// Swift cannot call). By topic handle when rkt is set, else by name. key/value NULL: none;
/// partition -1 (RD_KAFKA_PARTITION_UA): the partitioner chooses; timestamp 0: now. hdrs (may be
/// NULL) is taken over on success only. The payload is copied (RD_KAFKA_MSG_F_COPY).
/// Returns the error code; RD_KAFKA_RESP_ERR_NO_ERROR when enqueued. The caller keeps rkt alive
/// for the call. Messages by handle without headers or timestamp take rd_kafka_produce, called
/// from Swift (ProducerCore.produce).
static inline rd_kafka_resp_err_t swift_rdkafka_produce(
        rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *topic, int32_t partition,
        const void *key, size_t key_len, const void *value, size_t len,
        int64_t timestamp, rd_kafka_headers_t *hdrs, void *opaque) {
        rd_kafka_vu_t vus[8];
        size_t n = 0;
        if (rkt) {
                vus[n].vtype = RD_KAFKA_VTYPE_RKT;
                vus[n++].u.rkt = rkt;
        } else {
                vus[n].vtype = RD_KAFKA_VTYPE_TOPIC;
                vus[n++].u.cstr = topic;
        }
        vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
        vus[n++].u.i32 = partition;
        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
        if (key) {
                vus[n].vtype = RD_KAFKA_VTYPE_KEY;
                vus[n].u.mem.ptr = (void *)key;
                vus[n++].u.mem.size = key_len;
        }
        if (value) {
                vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
                vus[n].u.mem.ptr = (void *)value;
                vus[n++].u.mem.size = len;
        }
        if (timestamp) {
                vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
                vus[n++].u.i64 = timestamp;
        }
        if (hdrs) {
                vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
                vus[n++].u.headers = hdrs;
        }
        if (opaque) {
                vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
                vus[n++].u.ptr = opaque;
        }
        rd_kafka_error_t *error = rd_kafka_produceva(rk, vus, n);
        if (!error)
                return RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_resp_err_t code = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
        return code;
}
#endif
