#!/usr/bin/env python3
"""tools/trace_misses.py on synthetic traces whose answer is known.

Solo: requests of 3 kernels of 10 us with 2 us gaps, one every 100 us. Under
the policy: the same, except request 5 starts 30 us late and its first kernel
runs 50 us longer, while a persistent normal kernel (drain 70 us) runs across
its release. The tool must find 30 / 50 / 0 us over solo for it, list the
persistent kernel and the time it shared the GPU with the request's kernels,
and refuse a file that is not a trace. With host times
(submitted/locked/issued) it must take start delays from them and find a
launch's wait for the coordinator's lock."""
import json
import os
import subprocess
import sys
import tempfile

TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "trace_misses.py")
PERIOD = 100.0


def request(k, late=0.0, longer=0.0):
    ts = k * PERIOD + late
    spans = []
    for i in range(3):
        dur = 10.0 + (longer if i == 0 else 0.0)
        spans.append({"ph": "X", "cat": "critical", "name": f"k{i}", "ts": ts, "dur": dur, "tid": 1,
                      "args": {"request": 1000 + k, "task": "detect", "blocks": 4}})
        ts += dur + 2.0
    return spans


def request_with_host_times(k, lock_late=False):
    """Host times as the coordinator records them: each launch submitted while
    the previous kernel runs. With lock_late, the second launch waits for the
    lock until 39 us after the first kernel ended, so the GPU idles 40 us."""
    release = k * PERIOD
    spans, prev = [], None
    for i in range(3):
        if prev is None:
            submitted, locked, issued, ts = release, release, release + 0.5, release + 1.0
        else:
            end = prev["ts"] + prev["dur"]
            submitted = locked = prev["ts"]
            if lock_late and i == 1:
                locked = end + 39.0
            issued = locked + 1.0 if lock_late and i == 1 else submitted + 0.5
            ts = max(end + 2.0, issued + 1.0)
        span = {"ph": "X", "cat": "critical", "name": f"k{i}", "ts": ts, "dur": 10.0, "tid": 1,
                "args": {"request": 1000 + k, "task": "detect", "blocks": 4, "submitted_us": submitted,
                         "locked_us": locked, "issued_us": issued}}
        spans.append(span)
        prev = span
    return spans


def write(path, events):
    with open(path, "w") as f:
        json.dump({"traceEvents": events, "otherData": {"policy": "synthetic"}}, f)


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as d:
        solo, policy, bad = (os.path.join(d, n) for n in ("solo.json", "policy.json", "bad.json"))
        write(solo, [s for k in range(30) for s in request(k)])
        events = [s for k in range(30) for s in (request(k, 30.0, 50.0) if k == 15 else request(k))]
        events.append({"ph": "X", "cat": "normal,persistent", "name": "conv3x3", "ts": 1480.0, "dur": 120.0,
                       "tid": 2, "args": {"request": 7, "task": "features", "blocks": 64, "first_block": 0,
                                          "physical_blocks": 32, "drain_us": 70.0, "issued_us": 1478.0}})
        write(policy, events)
        r = run("--trace", policy, "--solo", solo, "--task", "detect", "--period-us", str(PERIOD), "--top", "1")
        assert r.returncode == 0, r.stderr
        out = r.stdout
        # Request 15 is the 6th after 10 warm-up requests: index 5.
        assert "detect in synthetic" in out, out
        assert "request 5: total 114, 30 / 50 / 0;" in out, out  # 30 late + 84 us span
        assert "conv3x3 persistent blocks 0+64 P=32 drain 70 issued 22 before release ends 100 after release" in out, out
        assert "| persistent | 1 | 30.0 |" in out, out
        assert "| none | 19 | 0.0 |" in out, out
        # The persistent kernel [1480, 1600) overlaps request 15's kernels
        # [1530, 1590) and [1592, 1602): 68 us, over 20 requests 3.4 us each.
        assert "| features persistent | 3.4 | 68.0 |" in out, out
        # Host times: exact start delays, and the late launch found in the lock.
        write(solo, [s for k in range(30) for s in request_with_host_times(k)])
        write(policy, [s for k in range(30) for s in request_with_host_times(k, lock_late=(k == 15))])
        r = run("--trace", policy, "--solo", solo, "--task", "detect", "--top", "1")
        assert r.returncode == 0, r.stderr
        out = r.stdout
        assert "start delays from the host times" in out, out
        # 1 us start delay; the GPU idled 40 us waiting for the launch
        # (host-late), 39 us more than solo's gap (whose 2 us include the 1 us
        # from issue to start); the launch waited 10 us (the first kernel's
        # run) + 39 us for the lock.
        assert "request 5: total 74, 1 / 0 / 39 (host-late 40, lock waits 49);" in out, out
        with open(bad, "w") as f:
            f.write("[1, 2")
        r = run("--trace", bad, "--solo", solo, "--task", "detect")
        assert r.returncode != 0 and "bad.json" in r.stderr, (r.returncode, r.stderr)
        r = run("--trace", policy, "--solo", solo, "--task", "nope")
        assert r.returncode != 0 and "no critical requests of task 'nope'" in r.stderr, r.stderr
    # Normal work issued after the release (padding beside the request) reads "after".
    sys.path.insert(0, os.path.dirname(TOOL))
    import trace_misses
    assert trace_misses.issued_text(47.2) == " issued 47 before release"
    assert trace_misses.issued_text(-20.4) == " issued 20 after release"
    print("trace_misses: all checks passed")


if __name__ == "__main__":
    main()
