#!/usr/bin/env python3
"""Prints a markdown summary of an elastic_check result file (for the README).

usage: tools/summarize_elastic_results.py results/<run>/elastic_equivalence.json
"""
import json
import statistics
import sys


def main() -> int:
    result = json.load(open(sys.argv[1]))
    dev, summary = result["device"], result["summary"]
    print(f"{dev['name']} ({dev['sm_count']} SMs), {result['date_utc'][:10]}, commit {result['commit']}: "
          f"{summary['variants_passed']} of {summary['variants_checked']} variants bitwise equal to the original "
          f"under every schedule, {summary['variants_refused']} refused by miriamc, "
          f"{summary['variants_unsupported']} not checkable bitwise (float atomics).\n")
    rows, overheads = [], {"sliced": [], "persistent": [], "shrunk": []}
    for launch in result["launches"]:
        name = launch["kernel"] + (f"<{launch['template_args']}>" if launch["template_args"] else "")
        cells = {}
        for v in launch["variants"]:
            timing = v.get("timing")
            if v["verdict"] == "refused":
                cells[v["kind"]] = "refused"
            elif timing:
                passed = sum(1 for s in v["schedules"] if s["pass"])
                cells[v["kind"]] = f"{passed}/{len(v['schedules'])} ok, {timing['overhead_percent']:+.1f}%"
                overheads[v["kind"]].append((launch["kernel"].startswith("dnn_"), timing["overhead_percent"]))
            else:
                cells[v["kind"]] = v["verdict"]
        orig = next((v["timing"]["median_original_us"] for v in launch["variants"] if v.get("timing")), None)
        rows.append((name, f"{orig:.1f}" if orig else "-", cells.get("sliced", "-"), cells.get("persistent", "-"),
                     cells.get("shrunk", "-")))
    print("| kernel | original µs | sliced: schedules, overhead | persistent: schedules, overhead "
          "| shrunk (f=1): schedules, overhead |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for kind, values in overheads.items():
        dnn = [o for is_dnn, o in values if is_dnn]
        rest = [o for is_dnn, o in values if not is_dnn]
        if dnn and rest:
            print(f"- {kind}: median overhead {statistics.median(dnn):+.1f}% over the {len(dnn)} DNN layer launches, "
                  f"{statistics.median(rest):+.1f}% over the other {len(rest)} (mostly ~4 µs kernels); "
                  f"{sum(1 for _, o in values if o <= 3.0)} of {len(values)} within the 3% target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
