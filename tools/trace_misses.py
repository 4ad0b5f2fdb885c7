#!/usr/bin/env python3
"""Where a critical task's latency goes under a policy, from coordinator traces.

Reads the Chrome trace of one policy run and the solo trace of the critical
task (miriam_bench --trace-dir writes both) and splits each critical request's
time into what a trace can show:
  start delay  first kernel start minus the request's release: its first
               launch's submit() time where the trace has host times (args
               submitted_us), else estimated for a periodic task as
               k * period + the smallest offset seen (a lower bound);
  kernels      sum of kernel durations minus the solo median of the same kernel
               position in the request (normal blocks sharing the SMs);
  gaps         time between the request's kernels minus the solo median gaps
               (host submission, or a kernel waiting for SMs).
With host times it also splits where the host held the request up:
  host-late    time the GPU could have run the request's next kernel but it
               was not yet issued (issued_us after the previous kernel ended);
  lock waits   time its launches waited for the coordinator's lock
               (locked_us - submitted_us, summed).
Last, what the request's kernels shared the GPU with: the time other tasks'
kernels ran during them, per task and kind (critical, normal whole, shard,
persistent), for all requests and for the slowest 1%.
For the slowest requests it lists the normal work running when the request
started: persistent kernels (with the drain they needed after a stop), shards,
and with host times how long before the release each was issued (a launch
issued just before a release was not held for it: a misjudged prediction).

  tools/trace_misses.py --trace T_miriam.json --solo T_solo_detect.json \
      --task detect --period-us 3903 [--top 5] [--markdown]

Only the Python standard library. Exit 2 on unusable input, with the reason.
"""
import argparse
import bisect
import json
import os
import statistics
import sys
from collections import defaultdict


def load_spans(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"trace_misses: {path}: {e}")
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        sys.exit(f"trace_misses: {path}: no traceEvents list (not a coordinator trace)")
    return [e for e in events if e.get("ph") == "X"], (doc.get("otherData", {}) if isinstance(doc, dict) else {})


def requests_of(spans, task):
    by_request = defaultdict(list)
    for e in spans:
        if e.get("cat") == "critical" and e.get("args", {}).get("task") == task:
            by_request[e["args"]["request"]].append(e)
    reqs = [sorted(v, key=lambda e: e["ts"]) for v in by_request.values()]
    return sorted(reqs, key=lambda r: r[0]["ts"])


def kind(e):
    cat = e.get("cat", "")
    if cat.startswith("critical"):
        return "critical"
    return "persistent" if "persistent" in cat else "shard" if "shard" in cat else "whole"


def sharing(request, others, starts, longest):
    """Microseconds other tasks' kernels ran during this request's kernels, by (task, kind)."""
    out = defaultdict(float)
    for e in request:
        a, b = e["ts"], e["ts"] + e["dur"]
        lo = bisect.bisect_left(starts, a - longest)
        hi = bisect.bisect_left(starts, b)
        for x in others[lo:hi]:
            overlap = min(b, x["ts"] + x["dur"]) - max(a, x["ts"])
            if overlap > 0:
                out[(x["args"].get("task", "?"), kind(x))] += overlap
    return out


def shape(reqs):
    """Per kernel position: solo median duration and median gap before it."""
    n = statistics.mode(len(r) for r in reqs)
    full = [r for r in reqs if len(r) == n]
    durs = [statistics.median(r[i]["dur"] for r in full) for i in range(n)]
    gaps = [0.0] + [statistics.median(r[i]["ts"] - (r[i - 1]["ts"] + r[i - 1]["dur"]) for r in full)
                    for i in range(1, n)]
    return n, durs, gaps


def issued_text(before_us):
    """' issued 47 before release', or after it for work issued beside the request."""
    return f" issued {before_us:.0f} before release" if before_us >= 0 else f" issued {-before_us:.0f} after release"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trace", required=True, help="the policy run's trace")
    ap.add_argument("--solo", required=True, help="the critical task's solo trace")
    ap.add_argument("--task", required=True, help="the critical task's name")
    ap.add_argument("--period-us", type=float, help="release period of a periodic task (start delays)")
    ap.add_argument("--warmup", type=int, default=10, help="first requests left out (default 10)")
    ap.add_argument("--top", type=int, default=5, help="slowest requests to detail (default 5)")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()

    spans, other = load_spans(a.trace)
    solo_spans, _ = load_spans(a.solo)
    reqs = requests_of(spans, a.task)[a.warmup:]
    solo = requests_of(solo_spans, a.task)[a.warmup:]
    if not reqs or not solo:
        sys.exit(f"trace_misses: no critical requests of task '{a.task}' in {a.trace if not reqs else a.solo}")
    n, solo_durs, solo_gaps = shape(solo)
    solo_span = statistics.median(r[-1]["ts"] + r[-1]["dur"] - r[0]["ts"] for r in solo if len(r) == n)
    normal = sorted((e for e in spans if e.get("cat", "").startswith("normal")), key=lambda e: e["ts"])
    others = sorted((e for e in spans if e.get("args", {}).get("task") != a.task), key=lambda e: e["ts"])
    other_starts = [e["ts"] for e in others]
    longest = max((e["dur"] for e in others), default=0.0)

    host_times = all("submitted_us" in e.get("args", {}) for r in reqs for e in r)
    offset = None
    if a.period_us and not host_times:
        offset = min(r[0]["ts"] - k * a.period_us for k, r in enumerate(reqs))
    rows = []
    for k, r in enumerate(reqs):
        if len(r) != n:
            continue  # a request of another shape (should not happen for one model)
        start, end = r[0]["ts"], r[-1]["ts"] + r[-1]["dur"]
        if host_times:
            delay = start - r[0]["args"]["submitted_us"]
        else:
            delay = (start - (offset + k * a.period_us)) if offset is not None else 0.0
        kernels = sum(e["dur"] for e in r) - sum(solo_durs)
        gaps = sum(r[i]["ts"] - (r[i - 1]["ts"] + r[i - 1]["dur"]) for i in range(1, n)) - sum(solo_gaps)
        release = start - delay
        running = [e for e in normal if e["ts"] < start and e["ts"] + e["dur"] > release]
        host_late = lock_wait = 0.0
        if host_times:
            host_late = sum(max(0.0, min(r[i]["ts"], r[i]["args"]["issued_us"]) - (r[i - 1]["ts"] + r[i - 1]["dur"]))
                            for i in range(1, n))
            lock_wait = sum(max(0.0, e["args"].get("locked_us", e["args"]["submitted_us"]) - e["args"]["submitted_us"])
                            for e in r)
        rows.append(dict(k=k, total=delay + (end - start), delay=delay, kernels=kernels, gaps=gaps, running=running,
                         release=release, host_late=host_late, lock_wait=lock_wait,
                         sharing=sharing(r, others, other_starts, longest)))

    rows_by_total = sorted(rows, key=lambda x: x["total"])
    p99_row = rows_by_total[min(len(rows) - 1, int(round(0.99 * (len(rows) - 1))))]
    md = a.markdown
    out = []
    label = (other.get("policy") if isinstance(other, dict) else None) or os.path.basename(a.trace)
    out.append(f"{'## ' if md else ''}{a.task} in {label}"
               f" ({len(rows)} requests after {a.warmup} warm-up; solo GPU span {solo_span:.1f} us, {n} kernels)")
    out.append("")
    keys = ("delay", "kernels", "gaps") + (("host_late", "lock_wait") if host_times else ())
    means = {key: statistics.mean(x[key] for x in rows) for key in keys}
    top = rows_by_total[-max(1, len(rows) // 100):]  # the slowest 1%
    tops = {key: statistics.mean(x[key] for x in top) for key in keys}
    head = "| us over solo | start delay | kernels | gaps |" + (" of the gaps, host-late | lock waits |" if host_times else "")
    out.append(head)
    out.append("|---" * (len(keys) + 1) + "|")
    def cells(d):
        return " | ".join(f"{d[key]:.1f}" for key in keys)
    out.append(f"| mean, all requests | {cells(means)} |")
    out.append(f"| mean, slowest 1% ({len(top)}) | {cells(tops)} |")
    out.append(f"| the p99 request | {cells(p99_row)} |")
    if host_times:
        out.append("(start delays from the host times in the trace: first submit() to first kernel start)")
    elif offset is None:
        out.append("(no --period-us: start delays not estimated)")
    out.append("")
    # How often a request started while normal work of each kind was still running.
    with_kind = defaultdict(list)
    for x in rows:
        for kd in {kind(e) for e in x["running"]} or {"none"}:
            with_kind[kd].append(x["delay"])
    out.append("| normal work running at the release | requests | mean start delay (us) |")
    out.append("|---|---|---|")
    for kd in sorted(with_kind):
        out.append(f"| {kd} | {len(with_kind[kd])} | {statistics.mean(with_kind[kd]):.1f} |")
    out.append("")
    shared = sorted({key for x in rows for key in x["sharing"]})
    if shared:
        out.append("| its kernels shared the GPU with (us per request) | all requests | slowest 1% |")
        out.append("|---|---|---|")
        for key in shared:
            all_mean = statistics.mean(x["sharing"].get(key, 0.0) for x in rows)
            top_mean = statistics.mean(x["sharing"].get(key, 0.0) for x in top)
            out.append(f"| {key[0]} {key[1]} | {all_mean:.1f} | {top_mean:.1f} |")
        out.append("")
    out.append(f"Slowest {a.top} requests (us; start delay / kernels / gaps over solo; normal work running at release):")
    for x in reversed(rows_by_total[-a.top:]):
        what = "; ".join(
            f"{e['name']} {kind(e)} blocks {e['args'].get('first_block', 0)}+{e['args'].get('blocks', 0)}"
            f"{' P=' + str(e['args']['physical_blocks']) if e['args'].get('physical_blocks') else ''}"
            f"{' drain ' + format(e['args']['drain_us'], '.0f') if e['args'].get('drain_us') else ''}"
            f"{issued_text(x['release'] - e['args']['issued_us']) if 'issued_us' in e['args'] else ''}"
            f" ends {e['ts'] + e['dur'] - x['release']:.0f} after release"
            for e in x["running"]) or "none"
        host = f" (host-late {x['host_late']:.0f}, lock waits {x['lock_wait']:.0f})" if host_times else ""
        out.append(f"{'- ' if md else '  '}request {x['k']}: total {x['total']:.0f}, {x['delay']:.0f} / "
                   f"{x['kernels']:.0f} / {x['gaps']:.0f}{host}; {what}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
