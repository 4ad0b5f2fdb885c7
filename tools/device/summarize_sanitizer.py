#!/usr/bin/env python3
"""Summary of a dnn_sanitize.sh run: per sanitizer tool, what was checked and
what it found. PASS only if every job ran to its end, its sanitizer summary
line says 0 errors / 0 hazards, and elastic_check's result holds every launch
spec with every variant passing. Anything else, including a job that was
killed by its time limit or printed no summary, is FAIL.

usage: summarize_sanitizer.py <jobs dir> <summary.txt> <summary.json>
The jobs dir holds, per job <tool>__<spec stem> (tool "native": no sanitizer): .log (sanitizer + elastic_check
output), .rc (exit status), .secs (wall seconds), .json (elastic_check result;
missing when the job died early). Exit status: 0 PASS, 1 FAIL.
"""
import json
import re
import sys
from pathlib import Path

# compute-sanitizer's closing lines (memcheck/synccheck, racecheck).
ERROR_SUMMARY = re.compile(r"^=+ ERROR SUMMARY: (\d+) errors?", re.M)
RACE_SUMMARY = re.compile(
    r"^=+ RACECHECK SUMMARY: (\d+) hazards? displayed \((\d+) errors?, (\d+) warnings?\)", re.M)
# Verdicts of a variant that mean "checked and equal".
PASSING = {"pass"}


def read(path, default=""):
    try:
        return path.read_text(errors="replace")
    except OSError:
        return default


def findings(tool, log):
    """(errors found, problem) from the sanitizer's summary line; problem is
    non-empty when the line is missing. "native" is the run without a sanitizer."""
    if tool == "native":
        return 0, ""
    if tool == "racecheck":
        m = RACE_SUMMARY.findall(log)
        if not m:
            return 0, "no RACECHECK SUMMARY line (killed or crashed)"
        return sum(int(h) for h, _, _ in m), ""
    m = ERROR_SUMMARY.findall(log)
    if not m:
        return 0, "no ERROR SUMMARY line (killed or crashed)"
    return sum(int(n) for n in m), ""


def result_counts(result):
    """Launch specs, variants and schedule runs in one elastic_check result,
    plus the problems it records."""
    counts = {"launch_specs": 0, "variants": 0, "schedule_runs": 0, "not_offered": 0}
    problems = []
    for launch in result.get("launches", []):
        counts["launch_specs"] += 1
        name = f"{launch.get('kernel')} ({launch.get('spec')} [{launch.get('index')}])"
        if launch.get("status") != "ok":
            problems.append(f"{name}: {launch.get('error') or 'failed'}")
        for variant in launch.get("variants", []):
            verdict = variant.get("verdict")
            if verdict in ("refused", "unsupported"):
                counts["not_offered"] += 1
                continue
            counts["variants"] += 1
            if verdict not in PASSING:
                problems.append(f"{name} {variant.get('kind')}: {verdict} {variant.get('reason', '')}".rstrip())
            for schedule in variant.get("schedules", []):
                counts["schedule_runs"] += schedule.get("runs", 0)
    return counts, problems


def summarize(jobs_dir):
    tools = {}
    for log_path in sorted(jobs_dir.glob("*__*.log")):
        job = log_path.stem
        tool, stem = job.split("__", 1)
        log = read(log_path)
        rc_text = read(jobs_dir / f"{job}.rc").strip()
        rc = int(rc_text) if rc_text.lstrip("-").isdigit() else None
        secs = read(jobs_dir / f"{job}.secs").strip() or "?"
        found, problem = findings(tool, log)
        problems = [problem] if problem else []
        if rc is None:
            problems.append("no exit status (not run or not finished)")
        elif rc in (124, 137):
            problems.append(f"killed by its time limit (exit {rc})")
        elif rc != 0:
            problems.append(f"exit status {rc}")
        if found:
            problems.append(f"{found} sanitizer error(s)/hazard(s): see {log_path.name}")
        try:
            counts, result_problems = result_counts(json.loads(read(jobs_dir / f"{job}.json", "{}")))
        except json.JSONDecodeError as e:
            counts, result_problems = result_counts({}), [f"unreadable elastic_check result: {e}"]
        if counts["launch_specs"] == 0:
            result_problems.append("elastic_check wrote no launch results")
        problems += result_problems
        t = tools.setdefault(tool, {"jobs": [], "launch_specs": 0, "variants": 0, "schedule_runs": 0,
                                    "not_offered": 0, "errors_found": 0, "pass": True})
        t["jobs"].append({"job": job, "spec_file": stem, "exit": rc, "seconds": secs, "errors_found": found,
                          **counts, "problems": problems})
        for key in ("launch_specs", "variants", "schedule_runs", "not_offered"):
            t[key] += counts[key]
        t["errors_found"] += found
        t["pass"] = t["pass"] and not problems
    return tools


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    jobs_dir, text_out, json_out = Path(argv[1]), Path(argv[2]), Path(argv[3])
    tools = summarize(jobs_dir)
    ok = bool(tools) and all(t["pass"] for t in tools.values())
    lines = [f"dnn_sanitize: {'PASS' if ok else 'FAIL'}"]
    if not tools:
        lines.append("no sanitizer jobs found")
    for tool, t in tools.items():
        lines.append(f"{tool}: {'PASS' if t['pass'] else 'FAIL'}: {t['errors_found']} errors found; "
                     f"{t['launch_specs']} launch specs, {t['variants']} variants, "
                     f"{t['schedule_runs']} schedule runs checked ({len(t['jobs'])} jobs)")
        for j in t["jobs"]:
            lines.append(f"  {j['spec_file']}: exit {j['exit']}, {j['seconds']} s, {j['launch_specs']} specs, "
                         f"{j['variants']} variants, {j['schedule_runs']} schedule runs, {j['errors_found']} errors")
            lines += [f"    FAIL: {p}" for p in j["problems"]]
    text = "\n".join(lines) + "\n"
    text_out.write_text(text)
    json_out.write_text(json.dumps({"pass": ok, "tools": tools}, indent=1) + "\n")
    print(text, end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
