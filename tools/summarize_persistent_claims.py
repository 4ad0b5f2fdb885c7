#!/usr/bin/env python3
"""Markdown table of the persistent variants' overhead per claim mode in an
elastic_check result file: C = 1, 4, 16 logical blocks per claim, with and
without a static first chunk (schedule names "P=<p>", "P=<p> C=4",
"P=<p> C=16 static", ...), and the median of each mode over the DNN layer
launches and over the others. Picks C from measurements.

usage: tools/summarize_persistent_claims.py results/<run>/elastic/elastic_equivalence.json
"""
import json
import re
import statistics
import sys


def mode_of(schedule):
    """'P=1056 C=16 static' -> 'C=16 static'; 'P=1056' -> 'C=1'."""
    rest = re.sub(r"^P=\d+\s*", "", schedule)
    return rest if rest else "C=1"


def main_mode(variant):
    """The mode of the main timing: its schedule when recorded, else C=1 (older runs)."""
    return mode_of(variant["timing"]["schedule"]) if "schedule" in variant["timing"] else "C=1"


def main() -> int:
    result = json.load(open(sys.argv[1]))
    dev = result["device"]
    rows, modes, by_mode = [], [], {}
    for launch in result["launches"]:
        for v in launch["variants"]:
            if v["kind"] != "persistent" or not v.get("timing"):
                continue
            timings = [v["timing"]] + v.get("extra_timings", [])
            cells = {}
            for t in timings:
                mode = mode_of(t.get("schedule", "")) if t is not v["timing"] else main_mode(v)
                if mode not in modes:
                    modes.append(mode)
                cells[mode] = t["overhead_percent"]
                by_mode.setdefault(mode, []).append((launch["kernel"].startswith("dnn_"), t["overhead_percent"]))
            name = launch["kernel"] + (f"<{launch['template_args']}>" if launch["template_args"] else "")
            passed = sum(1 for s in v["schedules"] if s["pass"])
            rows.append((name, v["timing"]["median_original_us"], f"{passed}/{len(v['schedules'])}", cells))
    print(f"Persistent overhead per claim mode, {dev['name']}, {result['date_utc'][:10]}, commit {result['commit']}\n")
    print("| kernel | original µs | schedules | " + " | ".join(modes) + " |")
    print("|---|---|---|" + "---|" * len(modes))
    for name, orig, schedules, cells in rows:
        print(f"| {name} | {orig:.1f} | {schedules} | "
              + " | ".join(f"{cells[m]:+.1f}%" if m in cells else "-" for m in modes) + " |")
    print()
    for mode in modes:
        values = by_mode[mode]
        dnn = [o for is_dnn, o in values if is_dnn]
        rest = [o for is_dnn, o in values if not is_dnn]
        print(f"- {mode}: median {statistics.median(dnn):+.1f}% over {len(dnn)} DNN layer launches, "
              f"{statistics.median(rest):+.1f}% over the other {len(rest)}; "
              f"{sum(1 for _, o in values if o <= 3.0)} of {len(values)} within 3%."
              if dnn and rest else f"- {mode}: {len(values)} launches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
