#!/usr/bin/env python3
"""Markdown table of the shrunk variants in an elastic_check result file:
schedules passed, time overhead at f = 1, 2, 4 and ptxas resource growth.

usage: tools/summarize_shrunk_results.py results/<run>/elastic/elastic_equivalence.json
"""
import json
import sys


def overhead(timing):
    return f"{timing['overhead_percent']:+.1f}%" if timing else "-"


def main() -> int:
    result = json.load(open(sys.argv[1]))
    dev = result["device"]
    print(f"Shrunk variants, {dev['name']}, {result['date_utc'][:10]}, commit {result['commit']}\n")
    print("| kernel | schedules | f=1 | f=2 | f=4 | registers orig -> shrunk | local bytes orig -> shrunk |")
    print("|---|---|---|---|---|---|---|")
    for launch in result["launches"]:
        for v in launch["variants"]:
            if v["kind"] != "shrunk":
                continue
            name = launch["kernel"] + (f"<{launch['template_args']}>" if launch["template_args"] else "")
            if v["verdict"] == "refused":
                print(f"| {name} | refused: {v.get('reason', '')} | | | | | |")
                continue
            passed = sum(1 for s in v["schedules"] if s["pass"])
            extra = {t.get("schedule", "").removeprefix("f="): t for t in v.get("extra_timings", [])}
            a, o = v.get("attributes", {}), launch.get("original_attributes", {})
            print(f"| {name} | {passed}/{len(v['schedules'])} | {overhead(v.get('timing'))} "
                  f"| {overhead(extra.get('2'))} | {overhead(extra.get('4'))} "
                  f"| {o.get('num_regs', '?')} -> {a.get('num_regs', '?')} "
                  f"| {o.get('local_bytes', '?')} -> {a.get('local_bytes', '?')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
