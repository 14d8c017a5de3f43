#ifndef SWIFT_RDKAFKA_SHIM_H
#define SWIFT_RDKAFKA_SHIM_H
// The one C entry point of the SDK: librdkafka's public API and its mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
