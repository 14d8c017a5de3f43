#!/usr/bin/env python3
"""Summarize Benchmarks/run.sh results: medians per (broker, workload, impl), a table on
stdout, one `RATIO <workload> <swift/c>` line per workload, and a JSON file.

    summarize.py RUNS.jsonl OUT.json [--quick 0|1] [--reps N] [--swift-version S] [--librdkafka V]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("out")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--swift-version", default="")
    ap.add_argument("--librdkafka", default="")
    a = ap.parse_args()

    runs = [json.loads(line) for line in open(a.runs) if line.strip()]
    timed = [r for r in runs if not r.get("preload")]
    counted = [r for r in runs if r.get("preload")]

    groups = {}
    for r in timed:
        groups.setdefault((r["broker"], r["workload"], r["impl_label"]), []).append(r)
    mallocs = {(r["broker"], r["workload"], r["impl_label"]): r.get("mallocs_per_msg") for r in counted}

    summary = []
    for (broker, workload, impl), rs in sorted(groups.items()):
        s = {
            "broker": broker, "workload": workload, "impl": impl, "runs": len(rs),
            "n": rs[0].get("n"), "size": rs[0].get("size"),
            "msgs_per_sec": median([r.get("msgs_per_sec") for r in rs]),
            "mb_per_sec": median([r.get("mb_per_sec") for r in rs]),
            "cpu_seconds": median([r.get("cpu_seconds") for r in rs]),
            "peak_rss_mb": median([r.get("peak_rss_mb") for r in rs]),
            "errors": max(r.get("errors", 0) for r in rs),
            "msgs_per_sec_all": [r.get("msgs_per_sec") for r in rs],
        }
        for k in ("p50_us", "p99_us", "p999_us", "rdkafka_p50_us", "rdkafka_p99_us", "loop_cpu_ns_per_msg"):
            if any(k in r for r in rs):
                s[k] = median([r.get(k) for r in rs])
        s["mallocs_per_msg"] = mallocs.get((broker, workload, impl))
        summary.append(s)

    by_key = {(s["broker"], s["workload"], s["impl"]): s for s in summary}

    def baseline(broker, workload):
        """The C figure a workload compares with: awaited sends with C producing with as many
        messages in flight (`--inflight`), else with C's fire-and-forget produce."""
        if workload.startswith("send_latency"):
            return None
        if workload.startswith("send_"):
            return by_key.get((broker, workload, "c")) or by_key.get((broker, "produce_" + workload[len("send_"):], "c"))
        return by_key.get((broker, workload, "c"))

    ratios = []
    pair_ranges = {}  # paired ratio name -> (pairs, lowest, highest)
    for s in summary:
        if s["impl"].startswith("c"):
            continue
        base = baseline(s["broker"], s["workload"])
        name = s["workload"] if s["broker"] == "mock" else s["workload"]
        if s["impl"] not in ("swift", "swift_send"):
            name += "_" + s["impl"].replace("swift_", "")
        if s["workload"].startswith("latency"):
            if base and base.get("p50_us") and s.get("p50_us"):
                ratios.append((name + "_p50", s["p50_us"] / base["p50_us"], "latency swift/c (lower is better)"))
                ratios.append((name + "_p99", s["p99_us"] / base["p99_us"], "latency swift/c (lower is better)"))
        elif s["workload"].startswith("send_latency"):
            if s.get("rdkafka_p50_us"):
                ratios.append((name + "_p50", s["p50_us"] / s["rdkafka_p50_us"],
                               "awaited send wall time / librdkafka's own latency"))
        elif base and base.get("msgs_per_sec") and s.get("msgs_per_sec"):
            ratios.append((name, s["msgs_per_sec"] / base["msgs_per_sec"], "throughput swift/c"))
            # The same, pair by pair (the runs of one repetition ran one after another): the ratio of
            # medians hides how far single pairs swing when C's fetch pause or the shared
            # cores hit one side.
            paired = sorted(sw["msgs_per_sec"] / cr["msgs_per_sec"]
                            for sw in groups[(s["broker"], s["workload"], s["impl"])]
                            for cr in groups.get((base["broker"], base["workload"], "c"), [])
                            if sw["rep"] == cr["rep"] and sw.get("msgs_per_sec") and cr.get("msgs_per_sec"))
            if len(paired) > 1:
                ratios.append((name + "_paired_median", statistics.median(paired), "median of per-pair throughput swift/c"))
                pair_ranges[name + "_paired_median"] = (len(paired), paired[0], paired[-1])
            # The producing thread's own CPU per message over the produce loop: what the SDK adds
            # on the thread that decides the rate, less moved by scheduling than wall time.
            if base.get("loop_cpu_ns_per_msg") and s.get("loop_cpu_ns_per_msg"):
                ratios.append((name + "_loop_cpu", s["loop_cpu_ns_per_msg"] / base["loop_cpu_ns_per_msg"],
                               "producing thread CPU per message swift/c (lower is better)"))
        s["ratio"] = next((r for n, r, _ in ratios if n == name or n == name + "_p50"), None)

    # The consumer target: the SDK at its defaults against the best C loop (C with the big queue).
    for s in summary:
        if s["impl"] == "swift" and s["workload"].startswith("consume_") and not s["workload"].startswith("consume_bigqueue"):
            best = by_key.get((s["broker"], s["workload"].replace("consume_", "consume_bigqueue_", 1), "c"))
            if best and best.get("msgs_per_sec") and s.get("msgs_per_sec"):
                ratios.append((s["workload"] + "_defaults_vs_best_c", s["msgs_per_sec"] / best["msgs_per_sec"],
                               "throughput swift at SDK defaults / c with the big queue"))

    # Two C variants that each remove one difference from the comparison. c_classic: C on
    # rd_kafka_produce(), the entry point the SDK takes for messages without headers or a
    # timestamp (the same librdkafka work on both sides). c_thread: C producing from a thread
    # of its own, as Swift code always does, instead of from main.
    variants = {"c_classic": "c calling rd_kafka_produce", "c_thread": "c producing on a second thread"}
    for s in summary:
        if s["impl"] == "swift" and s["workload"].startswith("produce_"):
            for label, what in variants.items():
                other = by_key.get((s["broker"], s["workload"], label))
                if not (other and other.get("msgs_per_sec") and s.get("msgs_per_sec")):
                    continue
                ratios.append((s["workload"] + "_vs_" + label, s["msgs_per_sec"] / other["msgs_per_sec"],
                               "throughput swift / " + what))
                if other.get("loop_cpu_ns_per_msg") and s.get("loop_cpu_ns_per_msg"):
                    ratios.append((s["workload"] + "_vs_" + label + "_loop_cpu",
                                   s["loop_cpu_ns_per_msg"] / other["loop_cpu_ns_per_msg"],
                                   "producing thread CPU per message swift / " + what + " (lower is better)"))

    # Memory target: peak RSS while producing 10,000,000 messages, Swift against C.
    for s in summary:
        if s["impl"] == "swift" and s["workload"].startswith("produce_10M"):
            base = by_key.get((s["broker"], s["workload"], "c"))
            if base and base.get("peak_rss_mb") and s.get("peak_rss_mb"):
                ratios.append(("rss_" + s["workload"], s["peak_rss_mb"] / base["peak_rss_mb"],
                               "peak RSS swift/c (lower is better)"))

    def fmt(v, spec):
        width = int("".join(c for c in spec.split(".")[0] if c.isdigit()) or 0)
        return format(v, spec) if isinstance(v, (int, float)) else "-".rjust(width)

    hdr = f"{'broker':6} {'workload':26} {'impl':16} {'msgs/s':>12} {'MB/s':>8} {'cpu s':>7} {'RSS MB':>7} {'mallocs/msg':>11} {'p50 us':>9} {'p99 us':>9}"
    print(hdr)
    print("-" * len(hdr))
    for s in summary:
        print(f"{s['broker']:6} {s['workload']:26} {s['impl']:16} {fmt(s['msgs_per_sec'], '12,.0f')} "
              f"{fmt(s['mb_per_sec'], '8.1f')} {fmt(s['cpu_seconds'], '7.2f')} {fmt(s['peak_rss_mb'], '7.1f')} "
              f"{fmt(s['mallocs_per_msg'], '11.2f')} {fmt(s.get('p50_us'), '9.0f')} {fmt(s.get('p99_us'), '9.0f')}")
    print()
    for name, ratio, what in ratios:
        spread = pair_ranges.get(name)
        print(f"RATIO {name} {ratio:.3f}" + (f"  ({spread[0]} pairs, {spread[1]:.3f}-{spread[2]:.3f})" if spread else ""))

    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "quick": a.quick == "1",
        "repetitions": a.reps,
        "host": {"cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
                 "swift": a.swift_version, "librdkafka": a.librdkafka},
        "summary": summary,
        "ratios": [dict({"workload": n, "ratio": round(r, 4), "meaning": w},
                        **({"pairs": pair_ranges[n][0], "lowest": round(pair_ranges[n][1], 4),
                            "highest": round(pair_ranges[n][2], 4)} if n in pair_ranges else {}))
                   for n, r, w in ratios],
        "runs": runs,
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.out)
    print(f"\nwrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
