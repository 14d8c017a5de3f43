#ifndef SWIFT_RDKAFKA_SHIM_H
#define SWIFT_RDKAFKA_SHIM_H
// The one C entry point of the SDK: librdkafka's public API and its mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/prctl.h>

/// Names the calling thread (shown by top, perf and gdb); Linux keeps the first 15 bytes.
static inline void swift_rdkafka_name_thread(const char *name) {
        prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
#endif
