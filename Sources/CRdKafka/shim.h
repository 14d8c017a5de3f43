#ifndef SWIFT_RDKAFKA_SHIM_H
#define SWIFT_RDKAFKA_SHIM_H
// The one C entry point of the SDK: librdkafka's public API and its mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/prctl.h>
#ifdef __linux__
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// Names the calling thread (shown by top, perf and gdb); Linux keeps the first 15 bytes.
static inline void swift_rdkafka_name_thread(const char *name) {
        prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// The calling thread's slot for its produce-path state (ProducingThread.State), NULL until it
/// registers. Initial-exec TLS: an address relative to %fs, where pthread_getspecific was a
/// call (~4 ns a message). The Swift compiler emits a header's static variables with the
/// functions that use them, once per LLVM module (each Swift file in a release build), so the
/// variable lives inside the one function that reads and writes it, and that function is
/// called only from ProducingThread.swift, by functions that are never inlined elsewhere.
static inline void **swift_rdkafka_producing_thread_slot(void) {
        static __thread void *state __attribute__((tls_model("initial-exec")));
        return &state;
}

/// A compiler-only barrier (no instruction): memory accesses are not moved across it.
static inline void swift_rdkafka_compiler_barrier(void) {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/// Registers the process for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) (Linux 4.14+).
/// Returns 0 when swift_rdkafka_membarrier() can be used, -1 otherwise (no such system call,
/// command not supported, or refused by a seccomp filter).
static inline int swift_rdkafka_membarrier_register(void) {
#ifdef __linux__
        long supported = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
                return -1;
        return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 ? 0 : -1;
#else
        return -1;
#endif
}

/// Makes every running thread of the process execute a full memory barrier before it returns.
/// Only after swift_rdkafka_membarrier_register() returned 0. Returns 0 on success.
static inline int swift_rdkafka_membarrier(void) {
#ifdef __linux__
        return syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0 ? 0 : -1;
#else
        return -1;
#endif
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
