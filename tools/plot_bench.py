#!/usr/bin/env python3
"""Plots of miriam_bench results (PNG):
  <stem>_latency_cdf.png    critical latency CDF per policy (solo dashed), one panel per critical task
  <stem>_throughput.png     normal and system throughput per policy (solo normal as a line)
  <trace stem>_timeline.png schedule timeline of a Chrome trace written with --trace-dir

usage: plot_bench.py RESULT.json [RESULT.json ...] [--trace TRACE.json ...] [--out-dir DIR]
                     [--window-ms START:LENGTH]
Needs matplotlib (Debian: python3-matplotlib, see tools/install_deps.sh)."""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

POLICY_COLORS = {"solo": "black", "sequential": "tab:gray", "multistream": "tab:blue", "priority": "tab:orange",
                 "ib": "tab:purple", "miriam": "tab:green"}


# Timeline spans by trace category: (color, hatch, legend label).
SPAN_STYLES = [("tab:red", None, "critical kernel"), ("tab:blue", None, "normal kernel (whole)"),
               ("tab:green", "//", "normal shard (sliced/shrunk)"), ("tab:cyan", "..", "normal persistent")]


def span_style(cat):
    if "critical" in cat:
        return SPAN_STYLES[0][:2]
    if "shard" in cat:
        return SPAN_STYLES[2][:2]
    if "persistent" in cat:
        return SPAN_STYLES[3][:2]
    return SPAN_STYLES[1][:2]


def color(policy):
    return POLICY_COLORS.get(policy, None)


def title_of(result):
    sms = f"{result['sm_count']} SMs" + (" (green context)" if result.get("sms_requested") else "")
    return f"{result['workload']} - {result['card']}, {sms}, {result['commit']}"


def cdf(values):
    xs = sorted(values)
    n = len(xs)
    return xs, [(i + 1) / n for i in range(n)]


def plot_latency_cdf(result, path):
    critical = [t["name"] for t in result["tasks"] if t["criticality"] == "critical"]
    if not critical:
        return None
    fig, axes = plt.subplots(1, len(critical), figsize=(6 * len(critical), 4.2), squeeze=False)
    for ax, task in zip(axes[0], critical):
        runs = [("solo", [t for t in result["solo"] if t["task"] == task])]
        runs += [(r["policy"], [t for t in r["tasks"] if t["task"] == task]) for r in result["runs"]]
        for policy, tasks in runs:
            if not tasks or not tasks[0].get("latencies_ms"):
                continue
            xs, ys = cdf(tasks[0]["latencies_ms"])
            ax.step(xs, ys, where="post", label=policy, color=color(policy),
                    linestyle="--" if policy == "solo" else "-", linewidth=1.6)
        ax.set_xscale("log")
        ax.set_xlabel("latency, release to completion (ms, log)")
        ax.set_ylabel("fraction of requests")
        ax.set_title(f"critical task '{task}'")
        ax.axhline(0.99, color="lightgray", linewidth=0.8, zorder=0)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title_of(result), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_throughput(result, path):
    runs = result["runs"]
    if not runs:
        return None
    policies = [r["policy"] for r in runs]
    normal = [r["summary"]["normal_throughput"] for r in runs]
    system = [r["summary"]["system_throughput"] for r in runs]
    solo_normal = sum(t["throughput_inferences_per_s"] for t in result["solo"] if t["criticality"] == "normal")
    fig, ax = plt.subplots(figsize=(1.6 * len(policies) + 2, 4.2))
    xs = range(len(policies))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], normal, width, label="normal inferences/s",
           color=[color(p) for p in policies], alpha=0.85)
    ax.bar([x + width / 2 for x in xs], system, width, label="system inferences/s", color="lightgray",
           edgecolor=[color(p) or "gray" for p in policies])
    if solo_normal > 0:
        ax.axhline(solo_normal, color="black", linestyle="--", linewidth=1, label="normal tasks alone (sum)")
    for x, r in zip(xs, runs):
        s = r["summary"]
        label = []
        if s.get("normal_x_solo") is not None:
            label.append(f"{s['normal_x_solo']:.2f}x solo")
        if s.get("system_x_sequential") is not None:
            label.append(f"{s['system_x_sequential']:.2f}x seq")
        ax.text(x, max(normal[x], system[x]) * 1.02, "\n".join(label), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(policies)
    ax.set_ylabel("inferences / s")
    ax.set_ylim(0, max(system + normal + [solo_normal]) * 1.25 or 1)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title_of(result), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def default_window(spans):
    """Around a critical request in the middle of the run, with room on both sides."""
    critical = [s for s in spans if "critical" in s["cat"]]
    if not critical:
        start = min(s["ts"] for s in spans)
        return start, 20000.0
    by_request = {}
    for s in critical:
        begin, end = by_request.get(s["args"]["request"], (s["ts"], s["ts"] + s["dur"]))
        by_request[s["args"]["request"]] = (min(begin, s["ts"]), max(end, s["ts"] + s["dur"]))
    requests = sorted(by_request.values())
    begin, end = requests[len(requests) // 2]
    length = end - begin
    return begin - 1.5 * length, 4 * length


def plot_timeline(trace_path, path, window_ms=None):
    with open(trace_path) as f:
        doc = json.load(f)
    spans = [e for e in doc["traceEvents"] if e.get("ph") == "X"]
    if not spans:
        return None
    names = {e["tid"]: e["args"]["name"] for e in doc["traceEvents"]
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    process = next((e["args"]["name"] for e in doc["traceEvents"] if e.get("name") == "process_name"), "")
    if window_ms:
        start, length = window_ms[0] * 1000, window_ms[1] * 1000
    else:
        start, length = default_window(spans)
    end = start + length
    streams = sorted({s["tid"] for s in spans})
    row = {tid: i for i, tid in enumerate(streams)}
    fig, ax = plt.subplots(figsize=(12, 1.3 + 0.6 * len(streams)))
    shown = 0
    for s in spans:
        b, e = s["ts"], s["ts"] + s["dur"]
        if e < start or b > end:
            continue
        shown += 1
        style = span_style(s["cat"])
        ax.barh(row[s["tid"]], (e - b) / 1000, left=(b - start) / 1000, height=0.6, color=style[0],
                edgecolor="black", linewidth=0.3, hatch=style[1])
    ax.set_yticks(range(len(streams)))
    ax.set_yticklabels([names.get(t, f"stream {t}") for t in streams], fontsize=8)
    ax.set_xlabel(f"ms from {start / 1000:.1f} ms")
    ax.set_xlim(0, length / 1000)
    ax.invert_yaxis()
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, hatch=h) for c, h, _ in SPAN_STYLES]
    ax.legend(handles, [label for _, _, label in SPAN_STYLES], fontsize=8,
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(SPAN_STYLES), frameon=False)
    # Above the legend's row, so the two never overlap.
    ax.set_title(f"{os.path.basename(trace_path)}: {process}, {shown} spans", fontsize=10, loc="left", pad=20)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def parse_window(text):
    try:
        start, length = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--window-ms: '{text}' is not START:LENGTH (milliseconds)")
    if length <= 0:
        raise argparse.ArgumentTypeError("--window-ms: LENGTH must be > 0")
    return start, length


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="*", help="miriam_bench JSON result files")
    p.add_argument("--trace", action="append", default=[], help="Chrome trace written with --trace-dir")
    p.add_argument("--out-dir", default=".", help="where the PNGs go")
    p.add_argument("--window-ms", type=parse_window, help="timeline window START:LENGTH in ms (default: around a "
                                                          "critical request in the middle)")
    args = p.parse_args(argv)
    if not args.results and not args.trace:
        p.error("give a result JSON and/or --trace")
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for path in args.results:
        with open(path) as f:
            result = json.load(f)
        stem = os.path.join(args.out_dir, os.path.splitext(os.path.basename(path))[0])
        written.append(plot_latency_cdf(result, stem + "_latency_cdf.png"))
        written.append(plot_throughput(result, stem + "_throughput.png"))
    for path in args.trace:
        stem = os.path.join(args.out_dir, os.path.splitext(os.path.basename(path))[0])
        written.append(plot_timeline(path, stem + "_timeline.png", args.window_ms))
    for w in written:
        if w:
            print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
