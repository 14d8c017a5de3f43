#!/usr/bin/env python3
"""Reads the output of a `swift test` run under AddressSanitizer that failed with a
LeakSanitizer report and decides whether the leaks are librdkafka 2.0.2's own reference
cycles, which the run tolerates, or anything else, which fails it.

Tolerated: no direct leak at all, and every indirect leak allocated by librdkafka (the frame
above the allocator is in librdkafka.so). That is the signature of librdkafka 2.0.2 keeping
partition structures and their queues in a reference cycle after a consumer is destroyed: now
and then, in different tests. A leak of ours has a root (a direct leak), and a Swift retain
cycle is allocated by the Swift runtime, so neither passes.

    scripts/lsan-librdkafka.py LOG     exit 0: tolerated (and the tests passed), 1: not
"""
import re
import sys


def reports(text):
    """(kind, bytes, frames) for each leak LeakSanitizer printed."""
    for match in re.finditer(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in \d+ object\(s\) allocated from:\n((?:\s+#\d+ .*\n?)+)", text, re.M):
        yield match.group(1), int(match.group(2)), match.group(3).strip().splitlines()


def main(path):
    text = open(path, errors="replace").read()
    if re.search(r"ERROR: AddressSanitizer|ERROR: ThreadSanitizer|WARNING: ThreadSanitizer", text):
        print("lsan-librdkafka: the run reported a memory error, not only leaks")
        return 1
    if "ERROR: LeakSanitizer" not in text:
        print("lsan-librdkafka: no LeakSanitizer report in the output: the run failed for another reason")
        return 1
    if re.search(r"^✘ Test run", text, re.M) or not re.search(r"^✔ Test run with \d+ tests? .*passed", text, re.M):
        print("lsan-librdkafka: the tests did not all pass")
        return 1
    tolerated, count = 0, 0
    for kind, size, frames in reports(text):
        caller = frames[1] if len(frames) > 1 else ""
        if kind == "Direct" or "librdkafka.so" not in caller:
            print(f"lsan-librdkafka: {kind.lower()} leak of {size} bytes, not librdkafka's own cycle:")
            print("\n".join(frames[:8]))
            return 1
        tolerated += size
        count += 1
    if count == 0:
        print("lsan-librdkafka: a LeakSanitizer report without leaks it can read")
        return 1
    print(f"lsan-librdkafka: tolerated {count} indirect leaks ({tolerated} bytes), all allocated by librdkafka "
          "and kept only by each other: librdkafka 2.0.2's partition reference cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
